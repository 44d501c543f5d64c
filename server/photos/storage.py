"""Where photo bytes live: a content-addressed store behind a small interface.

Keys are made by the server, never taken from a client, and look like
``originals/ab/cd/<sha256>.<ext>``, ``display/ab/cd/<sha256>.jpg``, ``thumbs/ab/cd/<sha256>.jpg``,
``watermarked/ab/cd/<digest>.jpg``. ``PhotoStore`` keeps them under ``photos/`` of the server's
object store (``server/lib/storage.py``): the media folder, or an S3-compatible bucket.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol, overload, runtime_checkable

from server.lib.storage import LocalStore, ObjectStore, cached_file

KINDS = ("originals", "display", "thumbs", "watermarked")
EXTS = ("jpg", "png", "webp", "heic", "heif")
_KEY = re.compile(
    rf"^(?P<kind>{'|'.join(KINDS)})/(?P<ab>[0-9a-f]{{2}})/(?P<cd>[0-9a-f]{{2}})/"
    rf"(?P<name>[0-9a-f]{{64}})(\.(?:{'|'.join(EXTS)}))?$"
)
_NAME = re.compile(rf"^[0-9a-f]{{64}}(\.(?:{'|'.join(EXTS)}))?$")


def _key(kind: str, name: str) -> str:
    return f"{kind}/{name[:2]}/{name[2:4]}/{name}"


def original_key(sha256: str, ext: str) -> str:
    """The upload as it came: ``originals/ab/cd/<sha256>.<ext>``."""
    return check_key(_key("originals", f"{sha256}.{ext}"))


def display_key(sha256: str) -> str:
    """The 1600 px copy, EXIF stripped."""
    return check_key(_key("display", f"{sha256}.jpg"))


def thumb_key(sha256: str) -> str:
    """The 320 px copy, EXIF stripped."""
    return check_key(_key("thumbs", f"{sha256}.jpg"))


def watermarked_key(digest: str) -> str:
    """A stamped display copy; ``digest`` is a SHA-256 hex of the photo and its stamp lines."""
    return check_key(_key("watermarked", f"{digest}.jpg"))


def check_key(key: str) -> str:
    """``key`` if it is one of ours; ValueError otherwise (no paths from outside get through)."""
    m = _KEY.match(key)
    if m is None or m["name"][:2] != m["ab"] or m["name"][2:4] != m["cd"]:
        raise ValueError(f"bad photo key {key!r}")
    return key


@runtime_checkable
class PhotoStorage(Protocol):
    """What the photo service needs of a store."""

    def put(self, key: str, data: bytes) -> object: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...


class PhotoStore:
    """Photos in an object store under ``prefix``; writes are atomic and idempotent (a key names
    its content, so a key already present is left as it is). A folder given instead of a store
    is a local store rooted there."""

    def __init__(self, backend: ObjectStore | Path | str, prefix: str = "") -> None:
        self.backend: ObjectStore = LocalStore(backend) if isinstance(backend, (Path, str)) else backend
        self.prefix = prefix

    def key(self, key: str, name: str | None = None) -> str:
        """The key in the backing store."""
        return self.prefix + self._resolve(key, name)

    @overload
    def path(self, key: str) -> Path: ...
    @overload
    def path(self, key: str, name: str) -> Path: ...  # deprecated (kind, name) form

    def path(self, key: str, name: str | None = None) -> Path:
        """The file a key lives in (local stores only)."""
        local = self.backend.local_path(self.key(key, name))
        if local is None:
            raise TypeError("photos are not kept in a local folder here; use local_file()")
        return local

    def local_file(self, key: str, name: str | None = None, *, cache_root: Path) -> Path | None:
        """A file on this machine with the photo (the store's own in a local store, else a cached
        copy under ``cache_root``); None when the photo is not stored."""
        return cached_file(self.backend, self.key(key, name), cache_root)

    @overload
    def exists(self, key: str) -> bool: ...
    @overload
    def exists(self, key: str, name: str) -> bool: ...

    def exists(self, key: str, name: str | None = None) -> bool:
        return self.backend.exists(self.key(key, name))

    @overload
    def get(self, key: str) -> bytes: ...
    @overload
    def get(self, key: str, name: str) -> bytes: ...

    def get(self, key: str, name: str | None = None) -> bytes:
        """The bytes under ``key``; FileNotFoundError when there are none."""
        return self.backend.get(self.key(key, name))

    @overload
    def put(self, key: str, data: bytes) -> None: ...
    @overload
    def put(self, key: str, name: str, data: bytes) -> None: ...

    def put(self, key: str, *args: bytes | str) -> None:
        name, data = (None, args[0]) if len(args) == 1 else args
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        self.backend.put(self.key(key, name if isinstance(name, str) else None), data, replace=False)

    @staticmethod
    def _resolve(key: str, name: str | None) -> str:
        if name is None:
            return check_key(key)
        # The (kind, name) form that server/photos/service.py used before keys: same folders, the
        # name as given. Kept so the service keeps working until it moves to the key helpers.
        if key not in KINDS or not _NAME.match(name):
            raise ValueError(f"bad photo name {key}/{name}")
        return _key(key, name)
