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
    await editor.get_by_role("button", name="直接编辑 YAML（高级），新建第 3 版").click()
    yaml = editor.get_by_label("新版本内容（YAML）")
    await expect(yaml).to_have_value(re.compile(r"^version: 3$", re.MULTILINE))
    draft = (await yaml.input_value()).replace("text: 已采用的监测方式", "text: 已采用的监测方式（含网格员走访）", 1)

    await yaml.fill(draft.replace("basis: 三(一)一", "basis: 三(九)七", 1))  # a paragraph the policy does not have
    await editor.get_by_role("button", name="检查", exact=True).click()
    await expect(editor.locator(".draft-result")).to_contain_text("三(九)七")
    await expect(editor.get_by_role("button", name="发布")).to_be_disabled()

    await yaml.fill(draft)
    await editor.get_by_label("修订说明").fill("监测方式加网格员走访")
    await editor.get_by_role("button", name="检查", exact=True).click()
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


async def test_a_clerk_revises_a_template_in_the_form_without_yaml_and_the_phone_shows_it(world, phone):
    """The form: one item reworded and made 较重, one removed, one added; the server writes version 3,
    checks it, and once published the phone's next visit asks the new item."""
    from server.checklists.tables import PublishedTemplate
    from tests.pwa.driver import log_in, open_visit

    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "检查表")
    await page.locator('.template-entry[data-template="monitoring"]').get_by_role("button", name="第 2 版（现行）").click()
    editor = page.locator(".template-editor")
    await expect(editor.get_by_role("heading", name="新版本：防返贫动态监测督查表")).to_be_visible()
    await editor.get_by_role("button", name="用表单修订，生成第 3 版").click()
    form = editor.locator(".template-form")
    await expect(form.get_by_label("检查内容：income_spending_tracked")).to_have_value("监测对象收入支出情况有记录")
    await editor.get_by_role("button", name="生成第 3 版并检查").click()
    await expect(form.locator(".form-result")).to_contain_text("没有改动")

    await form.get_by_label("检查内容：income_spending_tracked").fill("监测对象收入支出情况按月记录")
    await form.get_by_label("严重程度：income_spending_tracked").select_option(label="较重")
    await form.get_by_label("删除：motivation_support").check()
    await form.get_by_label("新检查项所在部分").select_option(label="精准帮扶")
    await form.get_by_label("新检查项编号（小写字母、数字、下划线）").fill("Grid")
    await form.get_by_label("新检查项内容").fill("网格员每月入户走访监测对象并有记录")
    await form.get_by_label("新检查项政策依据").fill("三(一)一")
    await form.get_by_role("button", name="添加检查项").click()
    await expect(form.locator(".form-result")).to_contain_text("编号须以小写字母开头")
    await form.get_by_label("新检查项编号（小写字母、数字、下划线）").fill("grid_visits_recorded")
    await form.get_by_role("button", name="添加检查项").click()
    await expect(form.locator('.added-items li[data-item="grid_visits_recorded"]')).to_contain_text("网格员每月入户走访")
    await editor.get_by_role("button", name="生成第 3 版并检查").click()

    await expect(editor.locator(".draft-result")).to_contain_text("检查通过：monitoring 第 3 版")
    await expect(editor.get_by_label("新版本内容（YAML）")).to_have_value(re.compile(r"^version: 3$", re.MULTILINE))
    await editor.get_by_label("修订说明").fill("2026年修订：收支按月记录，新增网格员走访")
    await editor.get_by_role("button", name="发布").click()
    await expect(page.locator("#toast")).to_contain_text("已发布：防返贫动态监测督查表 第 3 版")
    diff = page.locator(".template-diff")
    await expect(diff.locator('.diff-added li[data-item="grid_visits_recorded"]')).to_be_visible()
    await expect(diff.locator('.diff-removed li[data-item="motivation_support"]')).to_be_visible()
    changed = diff.locator('.diff-changed [data-item="income_spending_tracked"]')
    await expect(changed).to_contain_text("监测对象收入支出情况按月记录")
    await expect(changed).to_contain_text("严重程度")
    assert await PublishedTemplate.count() == 1

    inspector = await (await phone()).new_page()
    await log_in(inspector, "inspector")
    await open_visit(inspector, "盐湖测试安置点一", ["防返贫动态监测督查表"])
    await expect(inspector.get_by_text("网格员每月入户走访监测对象并有记录")).to_be_visible()
