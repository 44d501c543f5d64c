"""Where photo bytes live: a content-addressed local folder (an S3-compatible store can take its place)."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

NAME = re.compile(r"^[0-9a-f]{64}(\.[a-z]{3,4})?$")
KINDS = {"originals", "display", "thumbs", "watermarked"}


class PhotoStore:
    """``<root>/<kind>/<ab>/<cd>/<name>``; names are SHA-256 hex digests made by the server."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, kind: str, name: str) -> Path:
        if kind not in KINDS or not NAME.match(name):
            raise ValueError(f"bad photo name {kind}/{name}")
        return self.root / kind / name[:2] / name[2:4] / name

    def exists(self, kind: str, name: str) -> bool:
        return self.path(kind, name).exists()

    def put(self, kind: str, name: str, data: bytes) -> Path:
        """Write atomically (temp file, fsync, rename); an existing file is kept as it is."""
        target = self.path(kind, name)
        if target.exists():
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
        return target

    def get(self, kind: str, name: str) -> bytes:
        return self.path(kind, name).read_bytes()
