"""Ingest with real camera photos: GPS, time, orientation, EXIF stripped, bad input refused."""

from __future__ import annotations

import io
import struct
from datetime import datetime

import pytest
from PIL import Image, ImageOps

from server.lib.errors import Invalid, TooLarge, UnsupportedMedia
from server.photos.ingest import ingest
from tests.photos.fixtures import FIXTURES, photo, png_bomb, sha256, zip_bytes

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


MB = 1024 * 1024


def run(data: bytes, *, max_bytes: int = 20 * MB, max_pixels: int = 64_000_000):
    return ingest(data, declared_sha256=sha256(data), max_bytes=max_bytes, max_pixels=max_pixels)


def dms(d: float, m: float, s: float) -> float:
    return d + m / 60 + s / 3600


def opened(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    im.load()
    return im


# --- what a real photo tells us -----------------------------------------------------------------


def test_gps_of_a_nikon_photo_is_read_to_the_hundredth_of_a_second_of_arc():
    out = run(photo("gps/DSCN0010.jpg"))
    assert out.gps_lat == pytest.approx(dms(43, 28, 2.814), abs=1e-5)
    assert out.gps_lon == pytest.approx(dms(11, 53, 6.456), abs=1e-5)
    assert (out.make, out.model) == ("NIKON", "COOLPIX P6000")
    assert (out.width, out.height, out.mime, out.ext) == (640, 480, "image/jpeg", "jpg")
    assert out.exif_ok


def test_taken_at_is_date_time_original_not_the_file_modified_time():
    # The fixtures README gives 2008:11:01 21:15:07 for DSCN0010: that is its DateTime (0x0132),
    # when software last wrote the file. DateTimeOriginal (0x9003), when it was taken, is
    # 2008:10:22 16:28:39 - the value ingest must return.
    original = Image.open(FIXTURES / "gps" / "DSCN0010.jpg").getexif()
    assert original[0x0132] == "2008:11:01 21:15:07"
    out = run(photo("gps/DSCN0010.jpg"))
    assert out.taken_at == datetime(2008, 10, 22, 16, 28, 39)
    assert out.taken_at.tzinfo is None and out.taken_offset is None  # camera local time, no zone


def test_west_longitude_is_negative_on_an_iphone_photo():
    out = run(photo("phone/iphone_hdr_NO.jpg"))
    assert out.gps_lat == pytest.approx(dms(40, 26, 49.1), abs=1e-5)
    assert out.gps_lon == pytest.approx(-dms(3, 43, 29.11), abs=1e-5)
    assert out.gps_alt == pytest.approx(639.6, abs=0.1)
    assert out.taken_at == datetime(2015, 4, 10, 20, 12, 23)
    assert (out.width, out.height) == (3264, 2448)
    assert (out.make, out.model) == ("Apple", "iPhone 6")


def test_a_phone_photo_without_gps_has_no_position():
    out = run(photo("phone/jolla.jpg"))
    assert (out.gps_lat, out.gps_lon, out.gps_alt) == (None, None, None)
    assert out.taken_at == datetime(2014, 9, 21, 16, 0, 56)


def test_a_gps_ifd_without_coordinates_gives_no_position():
    out = run(photo("gps/45-gps_ifd.jpg"))
    assert (out.gps_lat, out.gps_lon) == (None, None)
    assert (out.width, out.height) == (1600, 900)


@pytest.mark.parametrize("path", sorted((FIXTURES / "broken-exif").glob("*.jpg")), ids=lambda p: p.name)
def test_photo_with_broken_metadata_is_accepted_and_its_metadata_ignored(path):
    out = run(path.read_bytes())
    assert opened(out.display).size == (out.width, out.height) or max(out.width, out.height) > 1600
    assert out.thumb and not out.exif_ok and out.gps_lat is None and out.taken_at is None


def _with_app1(jpeg: bytes, payload: bytes) -> bytes:
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _ifd(entries: list[tuple[int, int, int, int]]) -> bytes:
    body = struct.pack("<H", len(entries)) + b"".join(struct.pack("<HHII", *e) for e in entries)
    return b"Exif\x00\x00II*\x00" + struct.pack("<I", 8) + body + b"\x00\x00\x00\x00"


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
@pytest.mark.parametrize("payload, readable", [
    (b"Exif\x00\x00\x13\x37 garbage, not TIFF", False),
    (b"Exif\x00\x00II*\x00" + struct.pack("<I", 99_999), False),  # first IFD past the end
    (b"Exif\x00\x00II*\x00" + struct.pack("<IH", 8, 5000) + b"\x00" * 20, False),  # 5000 entries promised
    (_ifd([(0x8825, 4, 1, 0xFFFFFF)]), True),  # GPS IFD pointer into nowhere
    (_ifd([(0x0112, 3, 1, 99)]), True),  # orientation 99
], ids=["not-tiff", "bad-offset", "bad-count", "gps-pointer", "orientation-99"])
def test_broken_exif_never_rejects_the_photo(payload, readable):
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buf, "JPEG")
    out = run(_with_app1(buf.getvalue(), payload))
    assert (out.width, out.height) == (64, 48) and out.gps_lat is None
    assert opened(out.display).size == (64, 48)
    assert out.exif_ok is readable


# --- orientation ----------------------------------------------------------------------------------


def _grey(data: bytes) -> Image.Image:
    """A 32x24 (or 24x32) greyscale sketch with its centre blanked: each fixture prints its own
    number N big in the middle, which would differ even when the picture is the right way up."""
    im = opened(data).convert("L")
    small = im.resize((32, 24) if im.width > im.height else (24, 32), Image.Resampling.BOX)
    w, h = small.size
    small.paste(0, (w // 3, h // 3, w - w // 3, h - h // 3))
    return small


def _diff(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference of two sketches, each less its own mean brightness (landscape_1 and
    portrait_1 are encoded ~11 levels brighter than the other seven)."""
    pa, pb = list(a.tobytes()), list(b.tobytes())
    ma, mb = sum(pa) / len(pa), sum(pb) / len(pb)
    return sum(abs((x - ma) - (y - mb)) for x, y in zip(pa, pb)) / len(pa)


WRONG_WAYS = {"rotated 180": Image.Transpose.ROTATE_180, "mirrored": Image.Transpose.FLIP_LEFT_RIGHT,
              "upside down": Image.Transpose.FLIP_TOP_BOTTOM}


@pytest.mark.parametrize("shape, size", [("landscape", (600, 450)), ("portrait", (450, 600))])
@pytest.mark.parametrize("n", range(1, 9))
def test_every_exif_orientation_comes_out_the_same_way_up(shape, size, n):
    reference = _grey(run(photo(f"orientation/{shape}_1.jpg")).display)
    out = run(photo(f"orientation/{shape}_{n}.jpg"))
    assert (out.width, out.height) == size
    assert opened(out.display).size == size
    assert opened(out.thumb).size == ((320, 240) if shape == "landscape" else (240, 320))
    grey = _grey(out.display)
    right = _diff(grey, reference)
    wrong = {name: _diff(grey.transpose(t), reference) for name, t in WRONG_WAYS.items()}
    assert right < 8, (right, wrong)
    assert all(right < w / 3 for w in wrong.values()), (right, wrong)


# --- the served copies ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["phone/iphone_hdr_NO.jpg", "gps/DSCN0010.jpg", "orientation/portrait_6.jpg"])
def test_display_and_thumb_carry_no_exif_and_the_original_is_untouched(name):
    data = photo(name)
    out = run(data)
    assert out.original == data and out.sha256 == sha256(data)
    for copy in (out.display, out.thumb):
        im = opened(copy)
        assert im.format == "JPEG" and "exif" not in im.info and not im.getexif()
        assert b"Exif\x00\x00" not in copy and b"http://ns.adobe.com/xap" not in copy
    assert max(opened(out.display).size) <= 1600 and max(opened(out.thumb).size) <= 320


def test_a_12_megapixel_photo_is_shrunk_to_1600_and_320_pixels():
    out = run(photo("phone/iphone_hdr_NO.jpg"))
    assert opened(out.display).size == (1600, 1200)
    assert opened(out.thumb).size == (320, 240)


def test_png_and_webp_are_accepted_and_transparency_becomes_white():
    im = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        buf = io.BytesIO()
        im.save(buf, fmt, **({"lossless": True} if fmt == "WEBP" else {}))
        out = run(buf.getvalue())
        assert out.mime == mime and (out.width, out.height) == (200, 100) and not out.exif_ok
        assert opened(out.display).convert("RGB").getpixel((100, 50)) >= (250, 250, 250)


def test_heic_is_accepted_with_its_gps():
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build has no HEVC encoder")
    src = Image.open(FIXTURES / "gps" / "DSCN0010.jpg")
    buf = io.BytesIO()
    src.save(buf, format="HEIF", quality=60, exif=src.info["exif"])
    out = run(buf.getvalue())
    assert (out.mime, out.ext, out.width, out.height) == ("image/heic", "heic", 640, 480)
    assert out.gps_lat == pytest.approx(dms(43, 28, 2.814), abs=1e-5)
    assert opened(out.display).format == "JPEG" and b"Exif\x00\x00" not in out.display


# --- bad input, each its own error ----------------------------------------------------------------


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    return buf.getvalue()


@pytest.mark.parametrize("data", [
    zip_bytes(),
    b"<!DOCTYPE html><html><body><img src=x onerror=alert(1)></body></html>",
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    _gif(),
    "这不是照片".encode(),
    b"",
], ids=["zip", "html", "svg", "gif", "text", "empty"])
def test_what_is_not_a_photo_is_unsupported_media_whatever_its_name(data):
    with pytest.raises(UnsupportedMedia) as exc:
        run(data)
    assert exc.value.status_code == 415 and "JPEG" in exc.value.message


def test_a_truncated_jpeg_is_corrupt_even_when_pillow_was_told_to_pad_truncated_files():
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as importing WeasyPrint leaves it (conftest restores it)
    data = photo("phone/jolla.jpg")
    with pytest.raises(Invalid) as exc:
        run(data[: len(data) // 2])
    assert exc.value.code == "image_corrupt"


def test_jpeg_magic_followed_by_junk_is_corrupt():
    with pytest.raises(Invalid) as exc:
        run(b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    assert exc.value.code == "image_corrupt"


def test_a_png_bomb_is_refused_from_its_header():
    bomb = png_bomb()
    assert len(bomb) < 10_000
    with pytest.raises(TooLarge):  # decoding it would have said corrupt (its IDAT is short): no decode ran
        run(bomb)  # how fast: bench/photos_ingest.py


def test_a_small_png_that_would_unpack_to_244_mb_is_refused_before_decoding():
    bomb = png_bomb(7999, 8000, color_type=6)  # 64 MP RGBA: under the pixel limit, 256,000,000 bytes decoded
    assert len(bomb) < 300_000
    with pytest.raises(TooLarge, match="解码后需要 244 MB 内存，超过上限 128 MB"):
        run(bomb)  # refused from its header: its IDAT is short, a decode would have said corrupt
    buf = io.BytesIO()
    Image.new("RGBA", (1200, 900), (10, 20, 30, 128)).save(buf, "PNG")
    assert run(buf.getvalue()).width == 1200  # an ordinary transparent PNG is fine


def test_large_decodes_wait_their_turn_within_the_memory_budget():
    import threading

    from server.photos.decode_budget import DecodeBudget

    budget = DecodeBudget(100)
    second_ran = threading.Event()

    def second():
        with budget.hold(60):
            second_ran.set()

    with budget.hold(60):
        worker = threading.Thread(target=second)
        worker.start()
        while budget.waiting == 0:  # the second decode has asked and is waiting for memory
            threading.Event().wait(0.001)
        assert budget.used == 60 and not second_ran.is_set()
    worker.join()
    assert second_ran.is_set() and budget.used == 0
    with budget.hold(500):  # larger than the whole budget: runs alone rather than never
        assert budget.used == 100


def test_pixels_over_the_limit_are_refused_below_pillows_own_threshold():
    buf = io.BytesIO()
    Image.new("L", (2000, 1000)).save(buf, "PNG")
    with pytest.raises(TooLarge):
        run(buf.getvalue(), max_pixels=1_000_000)
    assert run(buf.getvalue(), max_pixels=2_000_000).width == 2000


def test_a_body_over_the_size_limit_is_too_large():
    data = photo("gps/DSCN0010.jpg")
    with pytest.raises(TooLarge) as exc:
        run(data, max_bytes=len(data) - 1)
    assert exc.value.status_code == 413


def test_a_wrong_declared_sha256_is_refused():
    data = photo("gps/DSCN0010.jpg")
    with pytest.raises(Invalid) as exc:
        ingest(data, declared_sha256="0" * 64, max_bytes=20 * MB, max_pixels=64_000_000)
    assert exc.value.code == "sha256_mismatch" and "重新上传" in exc.value.message
    assert ingest(data, declared_sha256=sha256(data).upper(), max_bytes=20 * MB, max_pixels=64_000_000)


def test_ingest_keeps_pillow_strict_about_truncated_files():
    from PIL import ImageFile

    run(photo("gps/DSCN0010.jpg"))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_the_display_copy_matches_a_full_decode_turned_by_pillow():
    data = photo("orientation/landscape_6.jpg")
    buf = io.BytesIO()
    ImageOps.exif_transpose(Image.open(io.BytesIO(data))).save(buf, "PNG")
    assert _diff(_grey(run(data).display), _grey(buf.getvalue())) < 2


def _icc_space(data: bytes) -> bytes | None:
    icc = opened(data).info.get("icc_profile")
    return icc[16:20] if icc else None


def test_an_rgb_colour_profile_is_kept_and_a_cmyk_one_dropped():
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(buf, "JPEG", icc_profile=srgb)
    assert _icc_space(run(buf.getvalue()).display) == b"RGB "
    cmyk = bytearray(srgb)
    cmyk[16:20] = b"CMYK"  # a CMYK profile on CMYK pixels: the RGB copy must not carry it
    buf = io.BytesIO()
    Image.new("CMYK", (40, 30), (0, 0, 0, 0)).save(buf, "JPEG", icc_profile=bytes(cmyk))
    out = run(buf.getvalue())
    assert opened(out.display).mode == "RGB" and _icc_space(out.display) is None


def test_a_jpeg_comment_does_not_reach_the_served_copies():
    buf = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buf, "JPEG", comment=b"secret note 35.02,111.00")
    out = run(buf.getvalue())
    assert b"secret note" in out.original
    assert b"secret note" not in out.display and b"secret note" not in out.thumb


def test_cutting_only_the_end_marker_is_still_caught():
    data = photo("phone/jolla.jpg")
    with pytest.raises(Invalid):
        run(data[:-2])
