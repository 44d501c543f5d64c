"""提醒 on the phone (360x740): a county team's home shows the day's 报市办 notice for an issue long
past its deadline; it opens the issue; 知道了 marks it read on the server."""

from __future__ import annotations

from datetime import date, datetime

from playwright.async_api import expect

from server.lib import clock
from server.notices.service import escalation_notices
from server.notices.tables import Notice
from tests.inspections.helpers import new_uuid
from tests.pwa.driver import log_in


async def test_a_county_team_sees_its_notice_opens_the_issue_and_marks_it_read(world, phone):
    clock.freeze(datetime(2026, 11, 1, 9, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    r = await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites["a1"], "area": "消防措施",
                                              "description": "3号楼楼道堆放杂物堵塞消防通道", "deadline": "2026-11-10"})
    assert r.status_code == 200, r.text
    number = r.json()["number"]
    assert (await escalation_notices(date(2026, 11, 18)))["notices"] >= 1  # the browser's day: 8 days past the deadline

    page = await (await phone()).new_page()
    await log_in(page, "county_a")
    card = page.locator(".notices")
    await expect(card.get_by_role("heading")).to_have_text("提醒（1 条未读）")
    await expect(card).to_contain_text(f"【报市办】{number} 已逾期 8 天")
    await expect(card).to_contain_text("3号楼楼道堆放杂物堵塞消防通道")
    await card.get_by_role("link").first.click()
    await expect(page).to_have_url(f"{page.url.split('#')[0]}#/issue/{r.json()['id']}")
    await expect(page.get_by_role("heading", name="问题详情")).to_be_visible()
    await expect(page.locator(".issue")).to_contain_text("3号楼楼道堆放杂物堵塞消防通道")

    await page.locator("#nav").get_by_role("link", name="首页").click()
    await page.locator(".notices").get_by_role("button", name="知道了").click()
    await expect(page.locator(".notices")).to_have_count(0)
    mine = await Notice.select(Notice.read_at).where(Notice.user == world.users["county_a"])
    assert mine and all(n["read_at"] is not None for n in mine)
