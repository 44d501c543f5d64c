"""检查表 at a desk, 1366x768: every version of a template, one previewed at the phone's width, and
what changed from the version before."""

from __future__ import annotations

from playwright.async_api import expect

from server.checklists.loader import registry
from tests.pwa.driver import DESK, open_desk


async def test_browse_preview_and_compare_versions(world, phone):
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "county_a", "检查表")
    fire = page.locator('.template-entry[data-template="fire-safety"]')
    await expect(fire.get_by_role("button")).to_have_text(["第 1 版", "第 2 版", "第 3 版（现行）"])
    await fire.get_by_role("button", name="第 3 版（现行）").click()

    preview = page.locator(".phone-preview")
    v3 = registry().get("fire-safety", 3)
    await expect(preview.locator(".preview-item")).to_have_count(len(v3.items()))
    await expect(preview.locator('.preview-item[data-item="mini_station_photo"]')).to_contain_text("拍照")
    assert (await preview.bounding_box())["width"] <= 380  # the phone's width (360 and its frame)

    diff = page.locator(".template-diff")
    await expect(diff.get_by_label("与此版本比较")).to_have_value("2")
    await expect(diff.locator('.diff-added li[data-item="mini_station_photo"]')).to_be_visible()
    await expect(diff).to_contain_text("第 2 版 → 第 3 版：新增")
    await diff.get_by_label("与此版本比较").select_option("")
    await expect(diff).to_contain_text("选择另一版本")
