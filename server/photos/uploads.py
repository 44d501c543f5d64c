"""Resumable photo uploads: the bytes arrive in pieces at stated offsets, over as many requests as
a bad uplink needs, and become a photo (``service.put``) once the last byte is in and its SHA-256
matches.

The partial bytes live in a temporary area, ``<media>/uploads/<user id>/<uuid>.part`` with a small
``.json`` beside it (the SHA-256 and size the upload was begun with). Each user has a folder of
their own, so nobody can see or add to another's partial upload. What a request received before
its connection was cut stays: the phone asks for the offset and goes on from there. Partial
uploads untouched for ``ABANDONED`` are removed (``prune``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from server.lib.errors import Conflict, Invalid, TooLarge

ABANDONED = 24 * 3600  # seconds a partial upload may sit untouched

MSG_OFFSET = "上传位置不一致：服务器已收到 {have} 字节，请从该位置继续"
MSG_BUSY = "这张照片正在另一个连接中上传，请稍后再试"
MSG_TOO_LONG = "上传的字节数超过了声明的大小 {size} 字节"
MSG_HASH = "照片上传完成，但内容与声明的 SHA-256 不一致，请重新上传"
MSG_TOO_BIG = "照片不能超过 {mb} MB"


@dataclass(frozen=True)
class Upload:
    sha256: str
    size: int


class PartialUploads:
    """The temporary area under ``root`` (``<media>/uploads``)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _paths(self, user_id: int, uuid: UUID) -> tuple[Path, Path]:
        folder = self.root / str(int(user_id))
        return folder / f"{uuid}.part", folder / f"{uuid}.json"

    def offset(self, user_id: int, uuid: UUID, upload: Upload) -> int:
        """How many bytes of this upload the server holds. A partial upload begun with another
        SHA-256 or size (the phone replaced the photo) is dropped: it starts again at 0."""
        part, info = self._paths(user_id, uuid)
        try:
            begun = Upload(**json.loads(info.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            begun = None
        if begun != upload:
            self.drop(user_id, uuid)
            return 0
        try:
            return min(part.stat().st_size, upload.size)
        except FileNotFoundError:
            return 0

    async def append(self, user_id: int, uuid: UUID, upload: Upload, offset: int, pieces: AsyncIterator[bytes],
                     max_bytes: int) -> int:
        """Add the request's bytes at ``offset``; the new length. Bytes received before a cut are
        kept (the exception goes on); bytes before what is held are skipped. 409 when ``offset`` is
        past where the upload stands (with the server's offset in ``detail``) or when another
        request is adding to it right now."""
        if upload.size > max_bytes:
            raise TooLarge(MSG_TOO_BIG.format(mb=max(1, max_bytes // 2**20)))
        have = self.offset(user_id, uuid, upload)
        part, info = self._paths(user_id, uuid)
        if offset > have:
            raise Conflict(MSG_OFFSET.format(have=have), code="upload_offset", detail={"offset": have, "size": upload.size})
        part.parent.mkdir(parents=True, exist_ok=True)
        if not info.exists():
            info.write_text(json.dumps({"sha256": upload.sha256, "size": upload.size}))
        with open(part, "ab") as fh:  # noqa: ASYNC230 - an append and a non-blocking flock: no wait to speak of
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Conflict(MSG_BUSY, code="upload_busy", detail={"offset": have, "size": upload.size}) from None
            have = fh.tell()  # the holder of the lock may have moved on meanwhile
            if offset > have:
                raise Conflict(MSG_OFFSET.format(have=have), code="upload_offset", detail={"offset": have, "size": upload.size})
            # a piece that starts before what is held (the browser resent a piece whose connection
            # was cut, from its start) skips what is already here: the SHA-256 at the end vouches
            skip = have - offset
            length = have
            try:
                async for piece in pieces:
                    if skip:
                        dropped = min(skip, len(piece))
                        piece, skip = piece[dropped:], skip - dropped
                    if length + len(piece) > upload.size:
                        fh.truncate(have)
                        raise Invalid("upload_too_long", MSG_TOO_LONG.format(size=upload.size), {"offset": have})
                    if piece:
                        fh.write(piece)
                        fh.flush()
                        length += len(piece)
            finally:
                fh.flush()
                os.fsync(fh.fileno())
        return length

    def complete(self, user_id: int, uuid: UUID, upload: Upload) -> bytes:
        """The whole file once every byte is in, its SHA-256 checked; a file that does not match
        is dropped (422) so the phone sends it again from the start."""
        part, _ = self._paths(user_id, uuid)
        data = part.read_bytes()
        if hashlib.sha256(data).hexdigest() != upload.sha256:
            self.drop(user_id, uuid)
            raise Invalid("sha256_mismatch", MSG_HASH, {"offset": 0})
        return data

    def drop(self, user_id: int, uuid: UUID) -> None:
        for path in self._paths(user_id, uuid):
            path.unlink(missing_ok=True)

    def prune(self, older_than: float = ABANDONED, now: float | None = None) -> int:
        """Remove partial uploads nobody added to for ``older_than`` seconds; how many."""
        now = time.time() if now is None else now
        removed = 0
        for part in self.root.glob("*/*.part"):
            with contextlib.suppress(FileNotFoundError):
                if now - part.stat().st_mtime > older_than:
                    part.unlink()
                    part.with_suffix(".json").unlink(missing_ok=True)
                    removed += 1
        for info in self.root.glob("*/*.json"):  # begun, not a byte received
            with contextlib.suppress(FileNotFoundError):
                if not info.with_suffix(".part").exists() and now - info.stat().st_mtime > older_than:
                    info.unlink()
                    removed += 1
        return removed
