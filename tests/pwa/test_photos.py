"""Photos on the phone: an iPhone HEIC the browser cannot decode goes as it is (the server converts
it), and a photo can be taken out of an unsent visit even after it was uploaded."""

from __future__ import annotations

import io

import pytest
from playwright.async_api import expect

from server.inspections.tables import Inspection
from server.photos.tables import Photo
from tests.photos.fixtures import FIXTURES
from tests.pwa.driver import all_synced, fill_everything, log_in, start_visit, submit

SITE = "盐湖测试安置点一"
TEMPLATE = "社区治理与社会融入督查表"


def _heic(path) -> bytes:
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("this libheif build has no HEVC encoder")
    pillow_heif.register_heif_opener()
    from PIL import Image

    src = Image.open(FIXTURES / "gps" / "DSCN0012.jpg")
    buf = io.BytesIO()
    src.save(buf, format="HEIF", quality=60, exif=src.info["exif"])
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


async def test_a_heic_the_browser_cannot_decode_is_sent_as_it_is(world, phone, tmp_path):
    heic = tmp_path / "IMG_0001.HEIC"
    _heic(heic)
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, [TEMPLATE])
    item = page.locator(".item[data-type=check]").first
    await item.locator("input[type=file]").set_input_files(str(heic))
    await expect(page.locator("#toast")).to_contain_text("HEIC 照片本机无法转换，将原样上传（")
    await expect(page.locator("#toast")).to_contain_text("慢网（4 KB/s）约")  # its size and how long, before it goes
    label = item.locator("figure.thumb .no-preview")
    await expect(label).to_have_text("HEIC 照片，无法预览")
    remove = item.locator("figure.thumb button.remove")
    text_top = await label.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el); return r.getBoundingClientRect().top; }")
    assert text_top >= (await remove.bounding_box())["y"] + (await remove.bounding_box())["height"] - 1, "the × does not cover the label"
    await page.locator("#sync-now").click()
    photo = (await _uploaded(1))[0]
    assert photo["mime"] == "image/heic" and photo["width"] == 640  # decoded and converted by the server


async def _uploaded(count: int) -> list[dict]:
    """The photos on the server, once ``count`` of them have arrived."""
    import asyncio

    for _ in range(150):
        rows = await Photo.select(Photo.uuid, Photo.mime, Photo.width).order_by(Photo.id)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.2)
    raise AssertionError(f"{count} photos expected on the server, {len(rows)} arrived")


async def test_a_photo_is_taken_out_of_an_unsent_visit_even_after_its_upload(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    uuid = await start_visit(page, SITE, [TEMPLATE])
    item = page.locator(".item[data-type=check]").first
    await item.locator("input[type=file]").set_input_files(str(FIXTURES / "gps" / "DSCN0010.jpg"))
    await expect(item.locator("figure.thumb")).to_have_count(1, timeout=20000)
    await page.locator("#sync-now").click()
    removed = str((await _uploaded(1))[0]["uuid"])  # on the server already
    await item.get_by_role("button", name="删除照片").click()
    await expect(item.locator("figure.thumb")).to_have_count(0)
    await fill_everything(page, fail=0)
    await submit(page)
    await all_synced(page, timeout=30000)
    visit = await Inspection.select().where(Inspection.uuid == uuid).output(load_json=True).first()
    named = [u for by_item in (visit["photos"] or {}).values() for ids in by_item.values() for u in ids]
    assert named and removed not in named  # the removed photo is no evidence of the visit
