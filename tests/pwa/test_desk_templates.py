"""检查表 at a desk, 1366x768: every version of a template, one previewed at the phone's width, and
what changed from the version before."""

from __future__ import annotations

import re

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


async def test_create_and_publish_a_version_then_see_it_on_the_phone(world, phone):
    from server.checklists.tables import PublishedTemplate
    from tests.pwa.driver import log_in, open_visit

    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "检查表")
    await page.locator('.template-entry[data-template="monitoring"]').get_by_role("button", name="第 2 版（现行）").click()
    editor = page.locator(".template-editor")
    await expect(editor.get_by_role("heading", name="新版本：防返贫动态监测督查表")).to_be_visible()  # the page redrawn for it
    await editor.get_by_role("button", name="以现行第 2 版为基础，新建第 3 版").click()
    yaml = editor.get_by_label("新版本内容（YAML）")
    await expect(yaml).to_have_value(re.compile(r"^version: 3$", re.MULTILINE))
    draft = (await yaml.input_value()).replace("text: 已采用的监测方式", "text: 已采用的监测方式（含网格员走访）", 1)

    await yaml.fill(draft.replace("basis: 三(一)一", "basis: 三(九)七", 1))  # a paragraph the policy does not have
    await editor.get_by_role("button", name="检查").click()
    await expect(editor.locator(".draft-result")).to_contain_text("三(九)七")
    await expect(editor.get_by_role("button", name="发布")).to_be_disabled()

    await yaml.fill(draft)
    await editor.get_by_label("修订说明").fill("监测方式加网格员走访")
    await editor.get_by_role("button", name="检查").click()
    await expect(editor.locator(".draft-result")).to_contain_text("检查通过：monitoring 第 3 版")
    await editor.get_by_role("button", name="发布").click()
    await expect(page.locator("#toast")).to_contain_text("已发布：防返贫动态监测督查表 第 3 版")
    monitoring = page.locator('.template-entry[data-template="monitoring"]')
    await expect(monitoring.get_by_role("button", name="第 3 版（现行）")).to_be_visible()
    await expect(page.locator(".template-diff")).to_contain_text("已采用的监测方式（含网格员走访）")
    assert await PublishedTemplate.count() == 1

    inspector = await (await phone()).new_page()
    await log_in(inspector, "inspector")
    await open_visit(inspector, "盐湖测试安置点一", ["防返贫动态监测督查表"])
    await expect(inspector.get_by_text("已采用的监测方式（含网格员走访）")).to_be_visible()
