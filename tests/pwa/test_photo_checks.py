"""What the phone reads from a photo's EXIF: a gallery photo from years ago or far away is flagged
the moment it is added (as the server will flag it), and without a position fix a photo taken at the
scene now can record the arrival (its GPS and time), marked as such on the visit."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image
from playwright.async_api import expect

from server.inspections.tables import Inspection
from server.lib import clock
from server.lib.clock import SHANGHAI
from tests.photos.fixtures import FIXTURES
from tests.pwa.driver import (
    all_synced,
    fill_everything,
    log_in,
    open_visit,
    start_visit,
    submit,
)

SITE = "盐湖测试安置点一"
TEMPLATE = "社区治理与社会融入督查表"
OLD_AND_FAR = FIXTURES / "gps" / "DSCN0010.jpg"  # a Nikon photo of 22 Oct 2008 in Italy


def scene_photo(taken, lat=35.0305, lon=111.0105) -> dict:
    """A camera photo with the EXIF a phone camera writes: time (local, no offset) and GPS near site a1."""
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken.astimezone(SHANGHAI).strftime("%Y:%m:%d %H:%M:%S")
    gps = exif.get_ifd(0x8825)

    def dms(v):
        d, rest = divmod(abs(v) * 3600, 3600)
        m, s = divmod(rest, 60)
        return (float(d), float(m), round(s, 2))

    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    out = io.BytesIO()
    Image.open(FIXTURES / "phone" / "jolla.jpg").save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return {"name": "IMG_20261118.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


async def test_a_gallery_photo_from_years_ago_and_far_away_is_flagged_when_added(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, [TEMPLATE])
    item = page.locator(".item[data-type=check]").first
    await item.locator("input[type=file]").set_input_files(str(OLD_AND_FAR))
    await expect(page.locator("#toast")).to_contain_text("这张照片拍摄于 2008年10月22日")
    await expect(page.locator("#toast")).to_contain_text("超出 500 米")
    caption = item.locator("figure.thumb figcaption")
    await expect(caption).to_contain_text("拍摄时间早")
    await expect(caption.locator(".far")).to_have_count(2)  # the distance and the time, both in red

    # a photo just taken at the scene gets neither
    second = page.locator(".item[data-type=check]").nth(1)
    await second.locator("input[type=file]").set_input_files(scene_photo(clock.now() - timedelta(minutes=1)))
    await expect(second.locator("figure.thumb")).to_have_count(1, timeout=20000)
    await expect(second.locator("figure.thumb figcaption")).not_to_contain_text("拍摄时间早")
    await expect(second.locator("figure.thumb figcaption .far")).to_have_count(0)

    # 提交前核对 names the photo the server will flag, as a link back to its item
    await page.get_by_role("button", name="提交").click()
    flagged = page.get_by_role("dialog").locator(".review-flagged")
    await expect(flagged.locator("h3")).to_have_text("1 张照片将被标记（可返回重拍）")
    await expect(flagged.locator("li")).to_contain_text("拍摄时间早、距安置点")


async def test_without_a_fix_the_arrival_comes_from_a_photo_taken_at_the_scene(world, phone):
    ctx = await phone()
    await ctx.clear_permissions()  # location refused
    page = await ctx.new_page()
    await log_in(page, "inspector")
    uuid = await open_visit(page, SITE, [TEMPLATE])
    await page.get_by_role("button", name="到达现场（记录时间和位置）").click()
    await expect(page.locator(".arrival .warn")).to_contain_text("未获准使用定位")
    chooser = page.get_by_label("用现场照片的位置登记到达")

    await chooser.set_input_files(str(OLD_AND_FAR))  # an old gallery photo: refused, said why
    await expect(page.locator("#toast")).to_contain_text("拍摄于 2008年10月22日 16:28，不是刚在现场拍的")
    await expect(page.locator(".arrived")).to_have_count(0)
    await chooser.set_input_files(str(FIXTURES / "orientation" / "landscape_1.jpg"))  # no GPS in it
    await expect(page.locator("#toast")).to_contain_text("没有位置信息")

    taken = clock.now() - timedelta(minutes=3)
    await chooser.set_input_files(scene_photo(taken))
    await expect(page.locator(".arrived")).to_contain_text("到达（按照片EXIF位置），距安置点")
    await fill_everything(page, fail=0)
    await submit(page)
    await all_synced(page, timeout=30000)
    visit = await Inspection.select().where(Inspection.uuid == uuid).first()
    assert visit["arrival_source"] == "exif" and visit["arrival_reason"] == ""
    assert abs(visit["arrival_at"] - taken) < timedelta(seconds=1)
    assert visit["arrival_distance_m"] is not None and visit["arrival_distance_m"] < 100
