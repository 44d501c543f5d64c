"""The 水印相机 stamp: a dark band bottom left, white CJK text, no metadata."""

import io
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops

from server.photos import watermark as wm
from tests.photos.fixtures import FIXTURES

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


LINES = ["盐湖区 · 幸福家园安置点", "2026-03-01 10:20:30", "N 35.02650  E 111.00700  距安置点 38 米", "督查人：王督导"]


def display_copy(name: str = "gps/DSCN0010.jpg") -> bytes:
    buf = io.BytesIO()
    Image.open(FIXTURES / name).convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.fixture(autouse=True)
def fresh_font_cache():
    wm.cjk_font_file.cache_clear()
    wm._font.cache_clear()
    yield
    wm.cjk_font_file.cache_clear()
    wm._font.cache_clear()


def test_the_font_found_is_a_simplified_chinese_face():
    path, index = wm.cjk_font_file()
    family = wm.ImageFont.truetype(path, 12, index=index).getname()[0]
    assert family in wm.PREFERRED and family.endswith(" SC")


def test_the_band_is_bottom_left_and_the_rest_untouched():
    src = display_copy()
    out = Image.open(io.BytesIO(wm.watermark(src, LINES)))
    base = Image.open(io.BytesIO(src)).convert("L")
    assert out.size == base.size and out.format == "JPEG"
    diff = ImageChops.difference(out.convert("L"), base)
    w, h = out.size
    assert diff.crop((0, h * 3 // 4, w // 4, h)).getbbox() is not None
    assert diff.crop((w * 3 // 4, 0, w, h // 2)).getextrema()[1] < 30  # only JPEG noise up there
    band = out.convert("L").crop((2, h - 8, 40, h - 2))  # below the last line: band only
    assert sum(band.tobytes()) / (38 * 6) < sum(base.crop((2, h - 8, 40, h - 2)).tobytes()) / (38 * 6)


def test_the_text_is_white_and_drawn_with_real_glyphs():
    """Tofu (empty boxes) would light up few pixels in a thin outline; real hanzi fill their cells."""
    black = io.BytesIO()
    Image.new("RGB", (1600, 1200), (0, 0, 0)).save(black, "JPEG")
    out = Image.open(io.BytesIO(wm.watermark(black.getvalue(), ["督查整改销号"]))).convert("L")
    bright = out.point(lambda v: 255 if v > 200 else 0)
    box = bright.getbbox()
    assert box is not None and box[0] < 100 and box[3] > 1100
    glyphs = [wm._font(46).getmask(ch).getbbox() for ch in "督查"]
    tofu = wm._font(46).getmask("\uffff").getbbox()
    assert all(g != tofu for g in glyphs)


def test_the_stamped_copy_carries_no_exif():
    src = (FIXTURES / "phone" / "iphone_hdr_NO.jpg").read_bytes()
    stamped = wm.watermark(src, LINES)
    assert b"Exif\x00\x00" not in stamped and not Image.open(io.BytesIO(stamped)).getexif()


def test_long_lines_shrink_to_fit_the_picture():
    small = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 120, 90)).save(small, "JPEG")
    out = Image.open(io.BytesIO(wm.watermark(small.getvalue(), ["很长的一行：" + "安置点" * 30])))
    assert out.size == (320, 240)


def test_fontconfig_agrees_on_the_face():
    if not shutil.which("fc-match"):
        pytest.skip("no fontconfig")
    found = subprocess.run(["fc-match", "-f", "%{file}:%{index}", "Noto Sans CJK SC"], capture_output=True, text=True).stdout
    if "CJK" not in found:
        pytest.skip("Noto Sans CJK not installed")
    path, index = wm.cjk_font_file()
    assert found == f"{path}:{index}"


def test_the_configured_font_wins_and_a_missing_one_is_a_clear_error(monkeypatch, tmp_path):
    path, index = wm.cjk_font_file()
    wm.cjk_font_file.cache_clear()
    monkeypatch.setenv("DUCHA_CJK_FONT", path)
    assert wm.cjk_font_file() == (path, index)  # the SC face found inside the collection
    wm.cjk_font_file.cache_clear()
    monkeypatch.setenv("DUCHA_CJK_FONT", f"{path}:0")
    assert wm.cjk_font_file() == (path, 0)
    wm.cjk_font_file.cache_clear()
    monkeypatch.setenv("DUCHA_CJK_FONT", str(tmp_path / "nope.ttc"))
    with pytest.raises(wm.CjkFontMissing, match="fonts-noto-cjk"):
        wm.cjk_font_file()


def test_no_cjk_font_anywhere_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.delenv("DUCHA_CJK_FONT", raising=False)
    monkeypatch.setattr(wm, "_fc_match", lambda: None)
    monkeypatch.setattr(wm, "FONT_DIRS", (tmp_path,))
    with pytest.raises(wm.CjkFontMissing):
        wm.watermark(display_copy(), LINES)
