"""The content-addressed store and the watermark."""

import hashlib
import io

import pytest
from PIL import Image, ImageChops

from server.photos.storage import PhotoStore
from server.photos.watermark import watermark
from tests.photos.fixtures import FIXTURES


def test_store_is_atomic_idempotent_and_refuses_odd_names(tmp_path):
    store = PhotoStore(tmp_path)
    name = hashlib.sha256(b"x").hexdigest()
    path = store.put("display", name, b"x")
    assert path == tmp_path / "display" / name[:2] / name[2:4] / name and store.get("display", name) == b"x"
    store.put("display", name, b"y")  # the same name is the same content: kept
    assert store.get("display", name) == b"x"
    assert not list(path.parent.glob(".tmp-*"))
    with pytest.raises(ValueError):
        store.put("display", "../../etc/passwd", b"")


def test_watermark_stamps_the_bottom_left_only():
    src = Image.open(FIXTURES / "gps" / "DSCN0010.jpg").convert("RGB")
    buf = io.BytesIO()
    src.save(buf, "JPEG", quality=90)
    stamped = watermark(buf.getvalue(), ["盐湖区 · 幸福安置点", "2026-03-01 10:20:30", "N 35.03000  E 111.01000", "督查人：王督导"])
    out = Image.open(io.BytesIO(stamped))
    assert out.size == src.size and b"Exif" not in stamped
    base = Image.open(buf).convert("L")
    diff = ImageChops.difference(out.convert("L"), base)
    w, h = out.size
    assert diff.crop((0, h // 2, w // 2, h)).getbbox() is not None
    top_right = diff.crop((w * 3 // 4, 0, w, h // 4))
    assert top_right.getextrema()[1] < 30  # only JPEG noise there
