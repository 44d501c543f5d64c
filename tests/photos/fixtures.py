"""Test inputs: the real camera photos (DUCHA_FIXTURES, else ../shared/fixtures/photos beside the
repository, as CI checks out /x/main and /x/shared) and hand-made bad uploads."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

FIXTURES = Path(os.environ["DUCHA_FIXTURES"]) if os.environ.get("DUCHA_FIXTURES") else (
    Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "photos"
)


def photo(relative: str) -> bytes:
    """The bytes of a fixture photo, e.g. ``photo("gps/DSCN0010.jpg")``."""
    return (FIXTURES / relative).read_bytes()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def zip_bytes() -> bytes:
    """A ZIP archive, as someone might rename to .jpg."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.txt", "not a photo")
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 20_000, height: int | None = None, color_type: int = 0) -> bytes:
    """A PNG whose header says side x side (or side x height) pixels (400 MP for 20000), greyscale
    (colour type 0) or RGBA (6), in about a kilobyte: the IDAT holds only the first rows of zeros, so
    decoding it would also fail as truncated."""
    height = height or side
    bands = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    ihdr = struct.pack(">IIBBBBB", side, height, 8, color_type, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (side * bands + 1) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
