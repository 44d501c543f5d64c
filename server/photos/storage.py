"""Where photo bytes live: a content-addressed store behind a small interface.

Keys are made by the server, never taken from a client, and look like
``originals/ab/cd/<sha256>.<ext>``, ``display/ab/cd/<sha256>.jpg``, ``thumbs/ab/cd/<sha256>.jpg``,
``watermarked/ab/cd/<digest>.jpg``. ``PhotoStore`` keeps them in a local folder; an
S3-compatible store can implement the ``PhotoStorage`` protocol with the same keys.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol, overload, runtime_checkable

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
    """What the photo service needs of a store (local folder now, S3-compatible later)."""

    def put(self, key: str, data: bytes) -> object: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...


class PhotoStore:
    """The store as a local folder: ``<root>/<key>``; writes are atomic and idempotent."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    @overload
    def path(self, key: str) -> Path: ...
    @overload
    def path(self, key: str, name: str) -> Path: ...  # deprecated (kind, name) form

    def path(self, key: str, name: str | None = None) -> Path:
        """The file a key lives in (local stores only)."""
        return self.root / self._resolve(key, name)

    @overload
    def exists(self, key: str) -> bool: ...
    @overload
    def exists(self, key: str, name: str) -> bool: ...

    def exists(self, key: str, name: str | None = None) -> bool:
        return self.path(key, name).is_file()

    @overload
    def get(self, key: str) -> bytes: ...
    @overload
    def get(self, key: str, name: str) -> bytes: ...

    def get(self, key: str, name: str | None = None) -> bytes:
        """The bytes under ``key``; FileNotFoundError when there are none."""
        return self.path(key, name).read_bytes()

    @overload
    def put(self, key: str, data: bytes) -> Path: ...
    @overload
    def put(self, key: str, name: str, data: bytes) -> Path: ...

    def put(self, key: str, *args: bytes | str) -> Path:
        """Write atomically (temp file in the same folder, fsync, rename). Keys name their content,
        so a key already present is left as it is."""
        name, data = (None, args[0]) if len(args) == 1 else args
        if not isinstance(data, bytes):
            raise TypeError("data must be bytes")
        target = self.path(key, name if isinstance(name, str) else None)
        if target.is_file():
            return target
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
        return target

    @staticmethod
    def _resolve(key: str, name: str | None) -> str:
        if name is None:
            return check_key(key)
        # The (kind, name) form that server/photos/service.py used before keys: same folders, the
        # name as given. Kept so the service keeps working until it moves to the key helpers.
        if key not in KINDS or not _NAME.match(name):
            raise ValueError(f"bad photo name {key}/{name}")
        return _key(key, name)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
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
