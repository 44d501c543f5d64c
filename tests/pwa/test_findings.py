"""The inspector says what exactly is wrong, offline; the site manager reads the finding, its number
and its severity on their own phone."""

from __future__ import annotations

import re

from playwright.async_api import expect

from server.issues.tables import Issue
from tests.pwa.driver import (
    all_synced,
    fill_everything,
    go_offline,
    go_online,
    log_in,
    start_visit,
    submit,
    sync_now,
    wait_for_service_worker,
)

SITE = "盐湖测试安置点一"
NOTE = "3号楼2单元楼道堆放杂物，安全出口被锁"


async def test_a_note_written_offline_reaches_the_site_manager_with_number_and_severity(world, phone):
    ctx = await phone()
    page = await ctx.new_page()
    await log_in(page, "inspector")
    await wait_for_service_worker(page)
    await go_offline(ctx)
    await start_visit(page, SITE, ["消防措施督查表"])
    assert (await fill_everything(page, fail=1))["failed"] == 1

    failed = page.locator(".item.failed").first
    await expect(failed.locator(".finding")).to_be_visible()  # asked only where the item fails
    await expect(page.locator(".item:not(.failed) .finding").first).to_be_hidden()
    await failed.get_by_label("问题说明（在哪里、什么情况）").fill(NOTE)
    await failed.get_by_role("radio", name="严重").click()
    await expect(failed.get_by_role("radio", name="严重")).to_have_attribute("aria-checked", "true")
    await submit(page)

    await go_online(ctx)
    await sync_now(page)
    await all_synced(page, timeout=30000)
    issue = await Issue.select().where(Issue.note == NOTE).first()
    assert issue is not None and issue["severity"] == "critical" and issue["description"].endswith(f"现场：{NOTE}")

    manager = await (await phone()).new_page()
    await log_in(manager, "site_a1")
    await manager.locator("#nav").get_by_role("link", name="问题").click()
    row = manager.locator("a.row", has_text=NOTE)
    await expect(row).to_contain_text(issue["number"])
    await expect(row.locator(".pill.sev-critical")).to_have_text("严重")
    await row.click()
    await expect(manager.locator(".issue h2").first).to_have_text(issue["description"])
    await expect(manager.locator("dd.issue-number")).to_have_text(issue["number"])
    assert re.match(r"^盐湖-\d{4}-\d{4}$", issue["number"])
    await expect(manager.locator(".issue")).to_contain_text("严重程度：严重")
