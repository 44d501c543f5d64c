"""Ingest with real camera photos: GPS, time, orientation, EXIF stripped, bad input refused."""

import hashlib
import io

import pytest
from PIL import Image, ImageChops, ImageOps

from server.lib.errors import Invalid, TooLarge, UnsupportedMedia
from server.photos.ingest import ingest
from tests.photos.fixtures import FIXTURES, png_bomb, zip_bytes

MB = 1024 * 1024


def run(data: bytes, **kw):
    return ingest(data, declared_sha256=hashlib.sha256(data).hexdigest(), max_bytes=kw.get("max_bytes", 20 * MB),
                  max_pixels=kw.get("max_pixels", 64_000_000))


def dms(d, m, s):
    return d + m / 60 + s / 3600


def test_gps_and_time_of_a_nikon_photo():
    out = run((FIXTURES / "gps" / "DSCN0010.jpg").read_bytes())
    assert out.gps_lat == pytest.approx(dms(43, 28, 2.814), abs=1e-5)
    assert out.gps_lon == pytest.approx(dms(11, 53, 6.456), abs=1e-5)
    # DateTimeOriginal (capture); the fixtures README's 2008:11:01 21:15:07 is the file's DateTime (0x0132,
    # last modified in software), which is not when the photo was taken
    assert out.taken_at.isoformat() == "2008-10-22T16:28:39"
    assert (out.width, out.height) == (640, 480) and out.mime == "image/jpeg"


def test_west_longitude_is_negative_on_an_iphone_photo():
    out = run((FIXTURES / "phone" / "iphone_hdr_NO.jpg").read_bytes())
    assert out.gps_lat == pytest.approx(dms(40, 26, 49.1), abs=1e-4)
    assert out.gps_lon == pytest.approx(-dms(3, 43, 29.11), abs=1e-4)
    assert out.taken_at.isoformat() == "2015-04-10T20:12:23"
    assert (out.width, out.height) == (3264, 2448)
    assert max(Image.open(io.BytesIO(out.display)).size) == 1600


def test_gps_ifd_without_coordinates_gives_no_position():
    out = run((FIXTURES / "gps" / "45-gps_ifd.jpg").read_bytes())
    assert out.gps_lat is None and out.gps_lon is None


@pytest.mark.parametrize("path", sorted((FIXTURES / "broken-exif").glob("*.jpg")), ids=lambda p: p.name)
def test_broken_exif_is_accepted(path):
    out = run(path.read_bytes())
    assert out.display and out.thumb


def _grey(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("L").resize((32, 24) if Image.open(io.BytesIO(data)).width > Image.open(io.BytesIO(data)).height else (24, 32))


def _diff(a: Image.Image, b: Image.Image) -> float:
    hist = ImageChops.difference(a, b).histogram()
    return sum(i * n for i, n in enumerate(hist)) / (a.width * a.height)


@pytest.mark.parametrize("shape, size", [("landscape", (600, 450)), ("portrait", (450, 600))])
def test_all_eight_orientations_come_out_upright(shape, size):
    reference = _grey(run((FIXTURES / "orientation" / f"{shape}_1.jpg").read_bytes()).display)
    for n in range(1, 9):
        path = FIXTURES / "orientation" / f"{shape}_{n}.jpg"
        if not path.exists():
            continue
        out = run(path.read_bytes())
        assert (out.width, out.height) == size, path.name
        shown = Image.open(io.BytesIO(out.display))
        assert shown.size == size, path.name
        grey = _grey(out.display)
        right, wrong = _diff(grey, reference), _diff(grey.rotate(180), reference)
        assert right < 20 and right < wrong / 2, (path.name, right, wrong)


def test_served_copies_carry_no_exif():
    out = run((FIXTURES / "phone" / "iphone_hdr_NO.jpg").read_bytes())
    for data in (out.display, out.thumb):
        assert b"Exif\x00\x00" not in data
        assert not Image.open(io.BytesIO(data)).getexif()
    assert max(Image.open(io.BytesIO(out.thumb)).size) == 320
    assert out.original[:3] == b"\xff\xd8\xff" and b"Exif" in out.original[:100]  # original untouched


def test_heic_from_an_iphone_is_accepted():
    import pillow_heif

    buf = io.BytesIO()
    try:
        Image.open(FIXTURES / "gps" / "DSCN0010.jpg").save(buf, format="HEIF", quality=60)
    except (OSError, KeyError, ValueError) as exc:
        pytest.skip(f"this libheif build has no HEVC encoder: {exc}")
    out = run(buf.getvalue())
    assert out.mime == "image/heif" and (out.width, out.height) == (640, 480)


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    return buf.getvalue()


@pytest.mark.parametrize("data", [zip_bytes(), b"<html><body>hi</body></html>", b'<svg xmlns="http://www.w3.org/2000/svg"/>', _gif(), b"hello"],
                         ids=["zip", "html", "svg", "gif", "text"])
def test_not_a_photo_is_415(data):
    with pytest.raises(UnsupportedMedia):
        run(data)


def test_truncated_jpeg_is_corrupt():
    data = (FIXTURES / "phone" / "jolla.jpg").read_bytes()
    with pytest.raises(Invalid) as exc:
        run(data[: len(data) // 2])
    assert exc.value.code == "image_corrupt"


def test_png_bomb_is_refused_before_decoding():
    bomb = png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(TooLarge):
        run(bomb)


def test_oversize_and_hash_mismatch():
    data = (FIXTURES / "gps" / "DSCN0010.jpg").read_bytes()
    with pytest.raises(TooLarge):
        run(data, max_bytes=1000)
    with pytest.raises(Invalid) as exc:
        ingest(data, declared_sha256="0" * 64, max_bytes=20 * MB, max_pixels=64_000_000)
    assert exc.value.code == "sha256_mismatch"
