"""Photo ingest: verify, identify by content, read EXIF, orient, make the served copies.

Pure function over bytes (no database, no files): the service stores what this returns.
Checks run cheapest first: size, then SHA-256, then magic bytes, then the image header
(pixel count, so a decompression bomb is refused before a byte of it is decoded), then a
full decode (a truncated file fails here: ``LOAD_TRUNCATED_IMAGES`` is set False at every ingest).

Speed (see PITFALLS): a JPEG is decoded in draft mode at the smallest DCT scale that still
covers the display size, and the thumbnail is made from the display copy.

EXIF times are camera local time without a zone; ``taken_offset`` carries OffsetTimeOriginal
when the camera wrote one (``server.photos.evidence.camera_time`` makes them aware).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pillow_heif
from PIL import Image, ImageFile, ImageOps

from server.lib.errors import Invalid, TooLarge, UnsupportedMedia
from server.photos.decode_budget import DECODES

pillow_heif.register_heif_opener()
# Pillow only warns between MAX_IMAGE_PIXELS and twice that. The pixel check in ``ingest`` is
# the real guard; this makes Pillow's own check an error too wherever it fires.
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)

DISPLAY_EDGE = 1600
THUMB_EDGE = 320
JPEG_QUALITY = 82
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
HEIF_BRANDS = {b"mif1", b"msf1", b"heif"}
# Pillow format -> (mime, ext)
TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp"),
         "HEIC": ("image/heic", "heic"), "HEIF": ("image/heif", "heif")}

ORIENTATION, MAKE, MODEL = 0x0112, 0x010F, 0x0110
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME_DIGITIZED, OFFSET_TIME_ORIGINAL = 0x9003, 0x9004, 0x9011
OFFSET = re.compile(r"^[+-](0\d|1[0-4]):[0-5]\d$")

MSG_TOO_BIG = "照片超过 {mb} MB，请在手机上压缩（或选择较小尺寸）后重新上传"
MSG_SHA = "照片校验值不符，上传可能不完整，请重新上传"
MSG_TYPE = "只接受 JPEG、PNG、WebP 或 HEIC 格式的照片，请用相机拍照或选择照片文件后重新上传"
MSG_PIXELS = "照片像素过多（超过 {mp} 百万像素），已拒绝，请缩小后重新上传"
MSG_DECODED = "照片解码后需要 {need} MB 内存，超过上限 {mb} MB（像素过多或为带透明通道的大图），已拒绝，请缩小后重新上传"
#: a decode holds its pixels, an upright copy and a flattened copy at most
PEAK_COPIES = 3
MSG_CORRUPT = "照片文件已损坏或不完整，请重新拍摄或重新上传"


@dataclass(frozen=True, slots=True)
class Ingested:
    sha256: str
    mime: str  # image/jpeg | image/png | image/webp | image/heic | image/heif
    ext: str  # jpg | png | webp | heic | heif
    width: int  # full size, upright (after EXIF orientation)
    height: int
    original: bytes  # the upload, unchanged (keeps its EXIF: evidence)
    display: bytes  # JPEG, long edge <= 1600, upright, no EXIF/XMP/comment
    thumb: bytes  # JPEG, long edge <= 320, upright, no metadata
    gps_lat: float | None  # WGS-84 (phone GPS writes WGS-84 even in China)
    gps_lon: float | None
    gps_alt: float | None  # metres above sea level
    taken_at: datetime | None  # naive: DateTimeOriginal, camera local time
    taken_offset: str | None  # OffsetTimeOriginal such as "+08:00", when the camera wrote one
    exif_ok: bool  # EXIF present and readable (False: none, or broken and ignored)
    make: str | None
    model: str | None


def sniff(data: bytes) -> str | None:
    """The format by magic bytes ("JPEG", "PNG", "WEBP", "HEIC", "HEIF"), or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        if data[8:12] in HEIC_BRANDS:
            return "HEIC"
        if data[8:12] in HEIF_BRANDS:
            return "HEIF"
    return None


def ingest(data: bytes, *, declared_sha256: str, max_bytes: int, max_pixels: int,
           max_decoded: int = 128 * 2**20) -> Ingested:
    """Validate an uploaded photo and make its display and thumbnail copies.

    Raises TooLarge (bytes, pixels, or decoded bytes: a small PNG can unpack to hundreds of MB), Invalid("sha256_mismatch"), UnsupportedMedia (not a
    JPEG/PNG/WebP/HEIC by content), Invalid("image_corrupt") (does not fully decode).
    """
    if len(data) > max_bytes:
        raise TooLarge(MSG_TOO_BIG.format(mb=max(1, max_bytes // 2**20)))
    sha = hashlib.sha256(data).hexdigest()
    if sha != declared_sha256.strip().lower():
        raise Invalid("sha256_mismatch", MSG_SHA, detail={"sha256": sha})
    kind = sniff(data)
    if kind is None:
        raise UnsupportedMedia(MSG_TYPE)
    pillow_format = "HEIF" if kind == "HEIC" else kind
    too_many = TooLarge(MSG_PIXELS.format(mp=max_pixels // 1_000_000))
    with _pillow_errors(too_many):
        im = Image.open(io.BytesIO(data), formats=[pillow_format])  # reads the header only
        w, h = im.size
        if w < 1 or h < 1:
            raise Invalid("image_corrupt", MSG_CORRUPT)
        if w * h > max_pixels:
            raise too_many
        if kind == "JPEG":
            scale = DISPLAY_EDGE / max(w, h)
            if scale < 1:  # ask for the scaled size of this image, not a square box (PITFALLS)
                im.draft("RGB", (int(w * scale), int(h * scale)))
        decoded = decoded_bytes(im)  # what the decode will hold: pixels x bands x bytes a band
        if decoded > max_decoded:
            raise TooLarge(MSG_DECODED.format(mb=max_decoded // 2**20, need=decoded // 2**20))
    with DECODES.hold(decoded * PEAK_COPIES):  # a few large decodes at a time, never all at once
        return _decode(im, data, sha, kind, w, h, too_many)


@contextlib.contextmanager
def _pillow_errors(too_many: TooLarge) -> Iterator[None]:
    """What Pillow raises, said as the upload's error: a bomb is too large, anything else corrupt."""
    try:
        yield
    except (TooLarge, Invalid):
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except (Image.UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise Invalid("image_corrupt", MSG_CORRUPT) from None


def decoded_bytes(im: Image.Image) -> int:
    """The bytes of the decoded pixels (after a JPEG draft)."""
    depth = 2 if im.mode.startswith("I;16") else 4 if im.mode in ("I", "F", "RGBX", "RGBa") else 1
    return im.size[0] * im.size[1] * len(im.getbands()) * depth


def _decode(im: Image.Image, data: bytes, sha: str, kind: str, w: int, h: int, too_many: TooLarge) -> Ingested:
    with _pillow_errors(too_many):
        # full decode: a truncated or corrupt file fails here. Pillow's switch is process-wide and
        # WeasyPrint turns it on when imported (weasyprint/images.py), so it is set at every ingest,
        # not once at import: evidence is never silently padded, whatever was imported before
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        im.load()
        meta = _read_exif(im)  # after load: a PNG may keep its eXIf chunk after the pixels
        icc = im.info.get("icc_profile")
        display = _upright(im, meta)
    swapped = display.size != im.size and display.size == im.size[::-1]
    width, height = (h, w) if swapped else (w, h)
    if display.mode in ("RGBA", "LA"):  # scaled down before compositing: no second full-size copy
        display.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    display = _flatten(display)
    display.thumbnail((DISPLAY_EDGE, DISPLAY_EDGE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    thumb = display.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    mime, ext = TYPES[kind]
    return Ingested(
        sha256=sha, mime=mime, ext=ext, width=width, height=height, original=data,
        display=_jpeg(display, icc), thumb=_jpeg(thumb, icc),
        gps_lat=meta["lat"], gps_lon=meta["lon"], gps_alt=meta["alt"], taken_at=meta["taken_at"],
        taken_offset=meta["offset"], exif_ok=meta["ok"], make=meta["make"], model=meta["model"],
    )


def _upright(im: Image.Image, meta: dict[str, Any]) -> Image.Image:
    """The decoded image turned by its orientation tag (all 8 values; EXIF, else XMP)."""
    try:
        orientation = im.getexif().get(ORIENTATION, 1)
        if orientation in (2, 3, 4, 5, 6, 7, 8):
            turned = ImageOps.exif_transpose(im)
            if turned is not None:
                return turned
    except Exception:  # noqa: BLE001 - a broken orientation tag must not reject the photo
        meta["ok"] = False
    return im


def _flatten(im: Image.Image) -> Image.Image:
    """RGB or L, transparency composited on white (a transparent PNG must not turn black)."""
    if im.mode in ("RGB", "L"):
        return im
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA", "RGBa", "La", "PA"):
        if im.mode != "RGBA":
            im = im.convert("RGBA")
        white = Image.new("RGB", im.size, (255, 255, 255))
        white.paste(im, mask=im.getchannel("A"))
        return white
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        return im.convert("I").point(lambda v: v / 256).convert("L")
    return im.convert("RGB")


def _jpeg(im: Image.Image, icc_profile: bytes | None) -> bytes:
    """JPEG with no EXIF, XMP or comment: of the original's metadata only its colour profile is kept
    (an iPhone's Display P3 looks washed out without it), and only when it fits the pixels."""
    space = icc_profile[16:20] if icc_profile and len(icc_profile) >= 128 else b""
    keep = (im.mode, space) in (("RGB", b"RGB "), ("L", b"GRAY"))
    im.info = {}  # Pillow would carry a JPEG comment over from info
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY, icc_profile=icc_profile if keep else None)
    return buf.getvalue()


# --- EXIF ------------------------------------------------------------------------------------


def _read_exif(im: Image.Image) -> dict[str, Any]:
    """GPS, time, camera; every part optional and never fatal (broken EXIF: ok=False, all None)."""
    meta: dict[str, Any] = {"ok": False, "lat": None, "lon": None, "alt": None, "taken_at": None, "offset": None, "make": None, "model": None}
    raw = im.info.get("exif")
    if not raw:
        return meta
    try:
        exif = im.getexif()
        if not len(exif):  # an EXIF block Pillow could make nothing of
            return meta
        meta["make"], meta["model"] = _text(exif.get(MAKE)), _text(exif.get(MODEL))
        meta["ok"] = True
    except Exception:  # noqa: BLE001 - broken EXIF: keep the photo, ignore its metadata
        return meta
    try:
        sub = exif.get_ifd(EXIF_IFD)
        meta["taken_at"] = _datetime(sub.get(DATETIME_ORIGINAL) or sub.get(DATETIME_DIGITIZED))
        offset = _text(sub.get(OFFSET_TIME_ORIGINAL))
        meta["offset"] = offset if offset and OFFSET.match(offset) else None
    except Exception:  # noqa: BLE001
        meta["ok"] = False
    try:
        meta["lat"], meta["lon"], meta["alt"] = _gps(exif.get_ifd(GPS_IFD))
    except Exception:  # noqa: BLE001
        meta["ok"] = False
    return meta


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    value = value.strip("\x00 \t\r\n")[:64]
    return value or None


def _datetime(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:  # "0000:00:00 00:00:00", blanks, other junk
        return None


def _number(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # an old-style (num, den) rational
        return float(value[0]) / float(value[1])
    return float(value)


def _degrees(dms: Any) -> float | None:
    if not isinstance(dms, (tuple, list)) or not 1 <= len(dms) <= 3:
        return None
    parts = [_number(x) for x in dms] + [0.0] * (3 - len(dms))
    value = parts[0] + parts[1] / 60 + parts[2] / 3600
    return value if math.isfinite(value) else None


def _gps(gps: dict[int, Any]) -> tuple[float | None, float | None, float | None]:
    """(lat, lon, alt) from a GPS IFD; (None, None, None) when it has no usable fix."""
    nothing = (None, None, None)
    if not gps or _text(gps.get(9)) == "V":  # GPSStatus V: measurement void
        return nothing
    lat_ref, lon_ref = (_text(gps.get(1)) or "").upper(), (_text(gps.get(3)) or "").upper()
    try:
        lat, lon = _degrees(gps.get(2)), _degrees(gps.get(4))
    except (ZeroDivisionError, TypeError, ValueError):
        return nothing
    if lat is None or lon is None or lat_ref[:1] not in ("N", "S") or lon_ref[:1] not in ("E", "W"):
        return nothing
    lat, lon = (-lat if lat_ref[:1] == "S" else lat), (-lon if lon_ref[:1] == "W" else lon)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return nothing
    alt = None
    try:
        if gps.get(6) is not None:
            alt = _number(gps[6])
            ref = gps.get(5)
            if ref in (1, b"\x01", "\x01"):
                alt = -alt
            alt = alt if math.isfinite(alt) and -1000 < alt < 10000 else None
    except (ZeroDivisionError, TypeError, ValueError):
        alt = None
    return lat, lon, alt
