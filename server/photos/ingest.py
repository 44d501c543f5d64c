"""Photo ingest: verify, identify by content, read EXIF, orient, make the served copies.

Pure functions over bytes (no database, no files): the service stores what this returns.
Checks run cheapest first, and the pixel count is read from the header before any
decoding, so a decompression bomb costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime

import pillow_heif
from PIL import Image, ImageFile, ImageOps

from server.lib.errors import Invalid, TooLarge, UnsupportedMedia

pillow_heif.register_heif_opener()
ImageFile.LOAD_TRUNCATED_IMAGES = False

DISPLAY_EDGE = 1600
THUMB_EDGE = 320
JPEG_QUALITY = 82
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp"), "HEIF": ("image/heif", "heic")}
GPS_IFD = 0x8825
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 0x9003
DATETIME = 0x0132


@dataclass(frozen=True)
class Ingested:
    sha256: str
    mime: str
    ext: str
    width: int
    height: int
    original: bytes
    display: bytes
    thumb: bytes
    gps_lat: float | None
    gps_lon: float | None
    taken_at: datetime | None
    exif_ok: bool


def sniff(data: bytes) -> str | None:
    """The format by magic bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heif", b"hevc", b"heim", b"heis"):
        return "HEIF"
    return None


def _rational(value) -> float:
    if isinstance(value, tuple):
        num, den = value
        return float(num) / float(den)
    return float(value)


def _gps(exif: Image.Exif) -> tuple[float | None, float | None]:
    try:
        gps = exif.get_ifd(GPS_IFD)
        lat, lat_ref, lon, lon_ref = gps.get(2), gps.get(1), gps.get(4), gps.get(3)
        if not (lat and lon and lat_ref and lon_ref):
            return None, None
        to_deg = lambda dms: _rational(dms[0]) + _rational(dms[1]) / 60 + _rational(dms[2]) / 3600  # noqa: E731
        la, lo = to_deg(lat), to_deg(lon)
        la = -la if str(lat_ref).upper().startswith("S") else la
        lo = -lo if str(lon_ref).upper().startswith("W") else lo
        if not (-90 <= la <= 90 and -180 <= lo <= 180) or (la == 0 and lo == 0):
            return None, None
        return la, lo
    except (ZeroDivisionError, TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None, None


def _taken_at(exif: Image.Exif) -> datetime | None:
    try:
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
        return datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S") if raw else None
    except (ValueError, TypeError, AttributeError, KeyError):
        return None


def _jpeg(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY)  # no exif= argument: nothing of the original's metadata
    return buf.getvalue()


def ingest(data: bytes, *, declared_sha256: str, max_bytes: int, max_pixels: int) -> Ingested:
    if len(data) > max_bytes:
        raise TooLarge(f"照片超过 {max_bytes // (1024 * 1024)} MB，请压缩后重新上传")
    sha = hashlib.sha256(data).hexdigest()
    if sha != declared_sha256.lower():
        raise Invalid("sha256_mismatch", "照片校验值不符，可能上传不完整，请重试")
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMedia("只接受 JPEG、PNG、WebP 或 HEIC 照片")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data), formats=[kind])
            w, h = im.size
            if w * h > max_pixels:
                raise TooLarge("照片像素过多（疑似解压炸弹），已拒绝")
            exif_ok, lat, lon, taken, orientation = True, None, None, None, 1
            try:
                exif = im.getexif()
                orientation = int(exif.get(0x0112, 1) or 1)
                lat, lon = _gps(exif)
                taken = _taken_at(exif)
            except Exception:  # broken EXIF: keep the image, drop its metadata
                exif_ok = False
            if kind == "JPEG":
                scale = DISPLAY_EDGE / max(w, h)
                if scale < 1:
                    im.draft("RGB", (int(w * scale), int(h * scale)))
            im.load()
            try:
                upright = ImageOps.exif_transpose(im) if exif_ok else im
            except Exception:
                upright, exif_ok = im, False
    except (TooLarge, Invalid):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge("照片像素过多（疑似解压炸弹），已拒绝") from None
    except Exception:
        raise Invalid("image_corrupt", "照片文件已损坏或不完整，请重新拍摄或上传") from None
    if upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    display = upright.copy()
    display.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb = display.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    mime, ext = FORMATS[kind]
    # the full size, upright (draft mode may have decoded at a reduced scale)
    ow, oh = (h, w) if exif_ok and orientation in (5, 6, 7, 8) else (w, h)
    return Ingested(sha256=sha, mime=mime, ext=ext, width=ow, height=oh, original=data, display=_jpeg(display),
                    thumb=_jpeg(thumb), gps_lat=lat, gps_lon=lon, taken_at=taken, exif_ok=exif_ok)
