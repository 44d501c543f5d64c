"""Checklists v2 on the phone: the template's note and a section's help are shown once; 不适用 on a
mandatory item asks for the reason (and a photo) before submit; an answer decides whether other items
are asked; a site without a recorded population says so."""

from __future__ import annotations

from playwright.async_api import expect

from server.issues.tables import Issue
from tests.pwa.driver import SHOTS, all_synced, fill_everything, log_in, start_visit

SITE = "盐湖测试安置点一"
FACILITIES = "“十有”设施和“十到位”服务督查表"
REASON = "与相邻的城关幼儿园共用，步行8分钟"


def item(page, key: str):
    return page.locator(f'.item[data-key="{key}"]')


async def test_note_help_and_not_applicable_with_a_reason_and_a_photo(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, [FACILITIES])
    await expect(page.locator(".template-note")).to_contain_text("选“不适用”须写明理由")
    services = page.locator("section.section", has_text="“十到位”公共服务")
    await expect(services.locator(".section-help")).to_have_text("原文称“十到位”，但只列出九项；本表按原文列出九项。")
    await expect(services.locator(".help", has_text="只列出九项")).to_have_count(0)  # said once

    await fill_everything(page, fail=0)
    kindergarten = item(page, "facilities-services/has_kindergarten")
    await expect(kindergarten.locator(".na-reason")).to_be_hidden()
    await kindergarten.get_by_role("radio", name="不适用").click()
    await expect(kindergarten.locator(".na-reason")).to_be_visible()
    await page.get_by_role("button", name="提交").click()
    sheet = page.get_by_role("dialog")
    missing = sheet.locator(".review-missing li")
    await expect(missing).to_have_text(["「有幼儿园」选“不适用”须写明理由", "「有幼儿园」选“不适用”须拍照说明"])
    await expect(sheet.get_by_role("button", name="确认提交")).to_be_disabled()
    await sheet.get_by_role("button", name="返回修改").click()

    await kindergarten.get_by_label("不适用的理由（必填）").fill(REASON)
    photos = await kindergarten.locator("figure.thumb").count()
    if photos == 0:
        await kindergarten.locator("input[type=file]").set_input_files(str(SHOTS[2]))
        await expect(kindergarten.locator("figure.thumb")).to_have_count(1, timeout=20000)
    await page.get_by_role("button", name="提交").click()
    await expect(sheet.locator(".review-missing")).to_have_count(0)
    await expect(sheet.locator(".review-issue")).to_have_count(0)  # 不适用 raises nothing
    await sheet.get_by_role("button", name="确认提交").click()
    await page.wait_for_url("**/#/")
    await all_synced(page)
    assert await Issue.count() == 0


async def test_no_workshop_asks_no_more_workshop_items_and_minutes_say_what_was_found(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, ["产业就业督查表"])
    exists = item(page, "industry-employment/workshop_exists")
    minutes = item(page, "industry-employment/workshop_minutes")
    await expect(minutes).not_to_have_class("item na")
    await exists.get_by_role("radio", name="不符合").click()
    for key in ("workshop_minutes", "workshop_capacity", "workshop_jobs", "workshop_operating"):
        assert "na" in (await item(page, f"industry-employment/{key}").get_attribute("class")).split()
    assert "na" not in (await item(page, "industry-employment/willing_workers_register").get_attribute("class")).split()
    await exists.get_by_role("radio", name="符合", exact=True).click()
    assert "na" not in (await minutes.get_attribute("class")).split()
    await minutes.locator("input[type=number]").fill("26")
    await expect(minutes.locator(".finding-preview")).to_have_text("车间工坊到安置点约26分钟，超出20分钟生活圈（多6分钟）")


async def test_a_site_without_population_says_so_and_asks_both_team_rules(world, phone):
    admin = await world.client("admin")
    r = await admin.patch(f"/api/sites/{world.sites['a1']}", json={"registered_people": 0})
    assert r.status_code == 200, r.text
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await start_visit(page, SITE, ["社区治理与社会融入督查表"])
    await expect(page.locator(".population-unknown")).to_contain_text("尚未登记搬迁人口")
    for key in ("first_secretary_assigned", "county_unified_management"):
        assert "na" not in (await item(page, f"governance-integration/{key}").get_attribute("class")).split()
