"""The inspected side on the phone: a site manager rectifies an issue offline with an after-photo;
the inspector sees it awaiting verification and closes it (销号)."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

from server.issues.tables import Issue, Rectification
from tests.inspections.helpers import body, new_uuid, upload_photo, visit_naming
from tests.pwa.driver import SHOTS, all_synced, go_offline, go_online, log_in, sync_now


async def _raise_issue(world) -> int:
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, fail=["extinguishers_present"]))
    assert r.status_code == 200, r.text
    return r.json()["issues"][0]["id"]


async def test_site_manager_rectifies_offline_and_inspector_closes(world, phone):
    issue_id = await _raise_issue(world)

    manager = await (await phone()).new_page()
    await log_in(manager, "site_a1")
    await manager.locator("#nav").get_by_role("link", name="问题").click()
    await expect(manager.get_by_text("待整改（1）")).to_be_visible()
    await manager.locator(f"a[href='#/issue/{issue_id}']").click()
    await expect(manager.get_by_role("heading", name="提交整改")).to_be_visible()

    await go_offline(manager.context)
    await manager.get_by_placeholder("整改措施").fill("已补配灭火器 4 具，并张贴检查记录。")
    await manager.get_by_placeholder("责任人").fill("张站长")
    await manager.locator(".rectify input[type=file]").set_input_files(str(SHOTS[1]))
    await expect(manager.locator(".rectify figure.thumb")).to_have_count(1, timeout=20000)
    await manager.get_by_role("button", name="提交整改").click()
    await expect(manager.get_by_text("整改已保存，联网后自动上传").first).to_be_visible()
    await expect(manager.locator("#pending-count")).to_have_text("待同步 2 项")  # the photo and the round
    assert await Rectification.count().where(Rectification.issue == issue_id) == 0

    await go_online(manager.context)
    await sync_now(manager)
    await all_synced(manager, timeout=30000)
    rounds = await Rectification.select().where(Rectification.issue == issue_id)
    assert len(rounds) == 1 and rounds[0]["responsible_person"] == "张站长"
    assert (await Issue.select(Issue.state).where(Issue.id == issue_id).first())["state"] == "submitted"

    inspector = await (await phone()).new_page()
    await log_in(inspector, "inspector")
    await expect(inspector.get_by_text("待核查 1")).to_be_visible()
    await inspector.goto(f"/#/issue/{issue_id}")
    await expect(inspector.get_by_text("已补配灭火器 4 具")).to_be_visible()
    await inspector.get_by_placeholder("核查意见").fill("现场复查，灭火器已补齐。")
    await inspector.get_by_role("button", name="通过，销号").click()
    await expect(inspector.locator(".pill.closed")).to_be_visible()
    closed = await Issue.select().where(Issue.id == issue_id).first()
    assert closed["state"] == "closed" and closed["verification_comment"] == "现场复查，灭火器已补齐。"


async def test_the_inspected_side_cannot_start_a_visit(world, phone):
    page = await (await phone()).new_page()
    await log_in(page, "site_a1")
    await expect(page.get_by_role("link", name="开始督查")).to_have_count(0)
    await page.goto("/#/new")
    await expect(page.get_by_text("只有市级督查人员和县级专班可以开展督查")).to_be_visible()
    assert await page.locator("a.row").count() == 0


async def test_a_site_manager_rectifies_offline_an_issue_never_opened_online(world, phone):
    inspector = await world.client("inspector")
    visit = new_uuid()
    evidence = await upload_photo(inspector, world.sites["a1"], name="phone/jolla.jpg", inspection=visit)
    r = await inspector.put(f"/api/inspections/{visit}", json=visit_naming(world.sites["a1"], 35.03, 111.01, evidence))
    assert r.status_code == 200, r.text
    issue_id = r.json()["issues"][0]["id"]
    manager = await (await phone()).new_page()
    await log_in(manager, "site_a1")  # the log-in refreshes the inbox and keeps each issue's details
    await expect(manager.locator("#nav")).to_be_visible()
    await expect(manager.locator("#main a[href='#/issues']")).to_have_count(1)  # one way into the inbox, not two
    await manager.locator("#nav").get_by_role("link", name="问题").click()
    await expect(manager.get_by_text("待整改（1）")).to_be_visible()
    await go_offline(manager.context)  # in the valley: the issue was never opened
    await manager.locator(f"a[href='#/issue/{issue_id}']").click()
    await expect(manager.get_by_role("heading", name="提交整改")).to_be_visible()
    await expect(manager.get_by_text("离线且本机没有此问题的详情")).to_have_count(0)
    # what was found, seen offline: the evidence thumbnail kept on the phone by the inbox refresh
    shown = manager.locator(f"a[href='/api/photos/{evidence}/display'] img")
    await expect(shown).to_have_attribute("src", re.compile("^blob:"))
    assert await shown.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    await manager.get_by_placeholder("整改措施").fill("已补配灭火器 4 具。")
    await manager.get_by_placeholder("责任人").fill("张站长")
    await manager.locator(".rectify input[type=file]").set_input_files(str(SHOTS[1]))
    await expect(manager.locator(".rectify figure.thumb")).to_have_count(1, timeout=20000)
    await manager.get_by_role("button", name="提交整改").click()
    await expect(manager.get_by_text("整改已保存，联网后自动上传").first).to_be_visible()
    await go_online(manager.context)
    await all_synced(manager, timeout=30000)
    assert (await Issue.select(Issue.state).where(Issue.id == issue_id).first())["state"] == "submitted"


async def test_leaving_an_issue_before_it_loaded_does_not_draw_it_over_the_next_screen(world, phone):
    """A slow link: the issue is still being read when the user goes back home; when the answer comes
    the home screen stays (it was drawn over it before)."""

    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, fail=["extinguishers_present"]))
    issue = r.json()["issues"][0]["id"]
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "site_a1")
    home = asyncio.Event()

    async def slow(route):  # the answer is held until the user has gone home
        await home.wait()
        await route.continue_()

    await ctx.route(f"**/api/issues/{issue}", slow)
    await page.evaluate("() => { delete document.documentElement.dataset.issueScreen; }")
    await page.evaluate(f"location.hash = '#/issue/{issue}'")
    await page.locator("#nav").get_by_role("link", name="首页").click()
    await expect(page.locator(".home")).to_be_visible()
    home.set()
    # the issue screen has had its answer and decided (drawn or not): it says so on <html>
    await expect(page.locator("html")).to_have_attribute("data-issue-screen", str(issue), timeout=10000)
    await expect(page.locator(".home")).to_be_visible()
    await expect(page.get_by_role("heading", name="问题详情")).to_have_count(0)
