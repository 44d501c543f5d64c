"""The office desk at 1366x768: the city admin exports the site list, imports a sheet with one bad
row (refused, every problem by row, nothing written), then a good one (checked, confirmed, written)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.async_api import expect

from server.sites.tables import Site
from tests.pwa.driver import DESK, log_in, open_desk


def _add(sheet, **values):
    row = {"县区": "临猗县", "乡镇": "猗氏镇", "安置点名称": "猗氏新村安置点", "地址": "猗氏镇南环路8号", "纬度": 35.15, "经度": 110.78,
           "坐标系": "wgs84", "建档立卡搬迁人口": 820, "同步搬迁人口": 40, "户数": 210, "楼栋数": 9, "有车间工坊": "否",
           "有第一书记": "是", "配套产业（大棚）": "是", "有电梯": "否", "有管道燃气": "是"} | values
    sheet.append([row.get(c.value) for c in sheet[1]])


def _save(sheet, path):
    sheet.parent.save(path)
    return str(path)


async def test_import_a_sheet_with_a_bad_row_then_a_good_one(world, phone, tmp_path):
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "安置点")
    await expect(page.get_by_role("heading", name="安置点清单")).to_be_visible()
    await expect(page.locator("tr[data-site]")).to_have_count(3)
    assert (await page.locator("main").bounding_box())["width"] > 1280  # the desk uses the width

    async with page.expect_download() as got:
        await page.get_by_role("link", name="导出 Excel").click()
    exported = await (await got.value).path()
    sheet = load_workbook(io.BytesIO(Path(exported).read_bytes())).active
    assert sheet.max_row == 4

    before = await Site.count()
    _add(sheet)
    _add(sheet, 安置点名称="坏行安置点", 县区="运城县", 有电梯="也许")  # row 6
    await page.get_by_label("选择安置点清单（Excel）").set_input_files(_save(sheet, tmp_path / "bad.xlsx"))
    result = page.locator(".sheet-result")
    await expect(result).to_contain_text("有 1 行有问题，未导入任何数据")
    bad = result.locator('tr[data-row="6"]')
    await expect(bad).to_contain_text("县区：“运城县”不是本市的县区")
    await expect(bad).to_contain_text("有电梯：“也许”应填“是”或“否”")
    await expect(result.get_by_role("button", name="确认导入")).to_have_count(0)
    assert await Site.count() == before

    sheet.delete_rows(6)
    await page.get_by_label("选择安置点清单（Excel）").set_input_files(_save(sheet, tmp_path / "good.xlsx"))
    await expect(result).to_contain_text("检查通过：共 4 行，将新增 1 个、修改 0 个，3 个无变化。尚未写入。")
    await expect(result.locator('tr[data-row="5"]')).to_contain_text("新增")
    assert await Site.count() == before  # a check writes nothing
    await result.get_by_role("button", name="确认导入").click()
    await expect(result).to_contain_text("已导入：新增 1 个，修改 0 个。")
    await expect(page.locator("tr[data-site]")).to_have_count(4)
    await expect(page.locator("tr[data-site]", has_text="猗氏新村安置点")).to_contain_text("820")
    assert await Site.count() == before + 1


async def test_a_county_team_exports_its_own_sites_and_cannot_import(world, phone):
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "county_a", "安置点")
    await expect(page.locator("tr[data-site]")).to_have_count(2)
    await expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
    await expect(page.get_by_label("选择安置点清单（Excel）")).to_have_count(0)


async def test_a_merged_site_is_disabled_with_a_reason_and_leaves_the_inspectors_phone(world, phone):
    """Disabled at the desk (reason, second tap): gone from the default list, shown with its reason
    when asked for; on an inspector's phone (360x740) it is no longer a site to start a visit at."""
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "安置点")
    row = page.locator(f'tr[data-site="{world.sites["a2"]}"]')
    await row.get_by_role("button", name="停用").click()
    await expect(page.locator("#toast")).to_contain_text("请先填写原因")
    await row.get_by_label("停用或启用原因：盐湖测试安置点二").fill("2026年12月整体并入盐湖测试安置点一")
    await row.get_by_role("button", name="停用").click()
    await row.get_by_role("button", name="再点一次确认").click()
    await expect(page.locator("#toast")).to_contain_text("已停用：盐湖测试安置点二")
    await expect(page.locator("tr[data-site]")).to_have_count(2)
    assert (await Site.select(Site.active).where(Site.id == world.sites["a2"]).first())["active"] is False

    await page.get_by_label("显示已停用的安置点").check()
    await expect(page.locator("tr[data-site]")).to_have_count(3)
    await expect(row).to_contain_text("已停用：2026年12月整体并入盐湖测试安置点一")
    await expect(row.get_by_role("button", name="启用")).to_be_visible()

    mobile = await (await phone()).new_page()
    await log_in(mobile, "inspector")
    await mobile.get_by_role("link", name="开始督查").click()
    await expect(mobile.get_by_role("link", name="盐湖测试安置点一")).to_be_visible()
    await expect(mobile.get_by_role("link", name="盐湖测试安置点二")).to_have_count(0)
    await mobile.goto(f"/#/new/{world.sites['a2']}")  # an old link to it leads back to the list
    await expect(mobile).to_have_url(re.compile(r"#/new$"))


async def test_one_site_added_and_edited_in_the_form(world, phone):
    """新增安置点: county, name and a position read off a GCJ-02 map (stored as WGS-84); then 编辑:
    only the households change; a missing name is refused in place."""
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "安置点")
    await page.get_by_role("button", name="新增安置点").click()
    form = page.locator(".site-form")
    await form.get_by_label("安置点名称").fill("猗氏新村安置点")
    await form.get_by_role("button", name="新增").click()
    await expect(form.locator(".bulk-message")).to_contain_text("请选择县区")
    await form.get_by_label("县区").select_option(label="临猗县")
    await form.get_by_label("乡镇").fill("猗氏镇")
    await form.get_by_label("纬度").fill("35.151")
    await form.get_by_label("经度").fill("110.786")
    await form.get_by_label("坐标系").select_option("gcj02")
    await form.get_by_label("建档立卡搬迁人口").fill("820")
    await form.get_by_label("户数").fill("210")
    await form.get_by_label("有电梯").check()
    await form.get_by_role("button", name="新增").click()
    await expect(page.locator("#toast")).to_contain_text("已新增安置点：猗氏新村安置点")
    await expect(page.locator(".site-form")).to_have_count(0)
    row = page.locator("tr[data-site]", has_text="猗氏新村安置点")
    await expect(row).to_contain_text("820")
    made = await Site.select().where(Site.name == "猗氏新村安置点").first()
    assert made["county"] == world.counties["临猗县"] and made["coord_source"] == "gcj02" and made["has_lift"] is True
    assert abs(made["lat"] - 35.151) > 1e-4 or abs(made["lon"] - 110.786) > 1e-4  # converted from GCJ-02, not stored as typed

    await row.get_by_role("button", name="编辑").click()
    form = page.locator(".site-form")
    await expect(form.get_by_role("heading", name="编辑：猗氏新村安置点")).to_be_visible()
    await form.get_by_role("button", name="保存修改").click()
    await expect(form.locator(".bulk-message")).to_contain_text("没有改动")
    await form.get_by_label("户数").fill("215")
    await form.get_by_role("button", name="保存修改").click()
    await expect(page.locator("#toast")).to_contain_text("已保存：猗氏新村安置点")
    await expect(page.locator("tr[data-site]", has_text="猗氏新村安置点")).to_contain_text("215")
    after = await Site.select().where(Site.id == made["id"]).first()
    assert after["households"] == 215 and (after["lat"], after["lon"], after["coord_source"]) == (made["lat"], made["lon"], "gcj02")
