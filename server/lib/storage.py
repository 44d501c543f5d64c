"""Where files live: one small object-store interface with two backends.

``LocalStore`` keeps objects in the media folder (the default, nothing to set up); ``S3Store``
keeps them in a bucket of any S3-compatible store (AWS S3, MinIO, Alibaba OSS, Huawei OBS, …)
when ``DUCHA_STORAGE`` is ``s3://bucket/prefix``. Keys are made by the server (``photos/…``,
``ledgers/<uuid>.pdf``), never taken from a client. Downloads always go through the server, which
checks the caller's scope first: the bucket itself stays private.

What stays on a node's own disk is only what it can rebuild: the cut-font and ledger-chunk caches
and local copies of thumbnails for the PDF renderer (``cached_file``).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

_KEY = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


def check_key(key: str) -> str:
    """``key`` when it is a plain relative name (no ``.`` or ``..`` segment, no leading ``/``);
    ValueError otherwise."""
    if not _KEY.match(key) or any(part in {".", ".."} for part in key.split("/")):
        raise ValueError(f"bad storage key {key!r}")
    return key


@dataclass(frozen=True)
class Entry:
    """An object found by ``entries``: its key, size, when it was last written (epoch seconds) and
    where it is, for people (a path, or ``s3://bucket/key``)."""

    key: str
    size: int
    modified: float
    where: Path | str


@runtime_checkable
class ObjectStore(Protocol):
    """What the server needs of a store."""

    def put(self, key: str, data: bytes, *, replace: bool = True) -> None:
        """Write ``data`` under ``key`` whole or not at all; with ``replace=False`` a key already
        there is left as it is (content-addressed keys)."""

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; FileNotFoundError when there are none."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is not there."""

    def entries(self, prefix: str) -> Iterator[Entry]:
        """Every object whose key starts with ``prefix`` (a folder such as ``photos/``)."""

    def local_path(self, key: str) -> Path | None:
        """The file holding ``key`` on this machine (local stores), else None."""


class LocalStore:
    """Objects as files under ``root``: written to a temporary file, synced, renamed."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def local_path(self, key: str) -> Path | None:
        return self.path(key)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def get(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def put(self, key: str, data: bytes, *, replace: bool = True) -> None:
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        target = self.path(key)
        if not replace and target.is_file():
            return
        write_atomically(target, data)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def entries(self, prefix: str) -> Iterator[Entry]:
        base = self.root / prefix.rstrip("/") if prefix else self.root
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if path.is_file():
                yield Entry(path.relative_to(self.root).as_posix(), st.st_size, st.st_mtime, path)


class S3Store:
    """Objects in a bucket of an S3-compatible store, under ``prefix``. A PUT is atomic in S3: a
    reader sees the old object or the new one, never half of one."""

    def __init__(self, client, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _full(self, key: str) -> str:
        return self.prefix + check_key(key)

    def local_path(self, key: str) -> Path | None:
        return None

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._full(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def get(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._full(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                raise FileNotFoundError(f"s3://{self.bucket}/{self._full(key)}") from None
            raise
        return answer["Body"].read()

    def put(self, key: str, data: bytes, *, replace: bool = True) -> None:
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        if not replace and self.exists(key):
            return
        self.client.put_object(Bucket=self.bucket, Key=self._full(key), Body=data)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._full(key))

    def entries(self, prefix: str) -> Iterator[Entry]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                key = obj["Key"][len(self.prefix):]
                yield Entry(key, obj["Size"], obj["LastModified"].timestamp(), f"s3://{self.bucket}/{obj['Key']}")


def write_atomically(target: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, fsync, rename, and
    the folder synced so that the rename itself survives a power cut."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def cached_file(store: ObjectStore, key: str, cache_root: Path) -> Path | None:
    """A file on this machine holding ``key`` (for tools that read files, such as WeasyPrint's
    ``<img>``): the object itself in a local store, else a copy kept under ``cache_root``. Only for
    content-addressed keys, whose bytes never change. None when the object is not there."""
    local = store.local_path(key)
    if local is not None:
        return local if local.is_file() else None
    copy = cache_root / check_key(key)
    if not copy.is_file():
        try:
            data = store.get(key)
        except FileNotFoundError:
            return None
        write_atomically(copy, data)
    return copy


def open_store(spec: str, media_dir: Path, *, endpoint: str = "", region: str = "", access_key: str = "",
               secret_key: str = "", addressing: str = "auto") -> ObjectStore:
    """The store a ``DUCHA_STORAGE`` value names: empty for the media folder, ``s3://bucket/prefix``."""
    if not spec:
        return LocalStore(media_dir)
    m = re.match(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?$", spec)
    if m is None:
        raise ValueError(f"DUCHA_STORAGE 须为空（本机媒体目录）或 s3://存储桶/前缀，而不是 {spec!r}")
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3", endpoint_url=endpoint or None, region_name=region or None,
        aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
        config=Config(s3={"addressing_style": addressing}, retries={"max_attempts": 5, "mode": "standard"},
                      connect_timeout=5, read_timeout=60),
    )
    return S3Store(client, m[1], m[2] or "")


_lock = threading.Lock()
_stores: dict[tuple, ObjectStore] = {}


def media_store() -> ObjectStore:
    """The store the settings name (one per process and setting; boto3 clients are thread-safe)."""
    from server.settings import get_settings

    s = get_settings()
    spec = (s.storage, s.media_dir, s.s3_endpoint, s.s3_region, s.s3_access_key, s.s3_secret_key, s.s3_addressing)
    with _lock:
        if spec not in _stores:
            _stores[spec] = open_store(s.storage, s.media_dir, endpoint=s.s3_endpoint, region=s.s3_region,
                                       access_key=s.s3_access_key, secret_key=s.s3_secret_key, addressing=s.s3_addressing)
        return _stores[spec]
