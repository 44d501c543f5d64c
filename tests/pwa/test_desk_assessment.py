"""年度考核 at a desk, 1366x768: the ranking with its scoring table, a county's figures, and from
there the issue behind a figure, opened on its desk page."""

from __future__ import annotations

from playwright.async_api import expect

from tests.inspections.helpers import body, check_items, new_uuid
from tests.pwa.driver import DESK, open_desk


async def test_drill_from_the_ranking_to_an_issue(world, phone):
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, fail=check_items(n=2)))
    assert r.status_code == 200, r.text
    numbers = sorted(i["number"] for i in r.json()["issues"])

    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "年度考核")
    await expect(page.locator("table.ranking tbody tr")).to_have_count(len(world.counties))
    await expect(page.locator(".scoring")).to_contain_text("按期销号率")  # the scoring table is shown
    await page.locator("table.ranking").get_by_role("link", name="盐湖区").click()

    await expect(page.get_by_role("heading", name="考核明细")).to_be_visible()
    await expect(page.locator(".indicator[data-key=overdue_rate]")).to_contain_text("逾期/发现 0 / 2")
    found = page.get_by_role("button", name="本期发现（2）")
    await expect(found).to_have_class("on")
    rows = page.locator("table.behind tbody tr")
    await expect(rows).to_have_count(2)
    await page.get_by_role("button", name="逾期未整改（0）").click()
    await expect(rows).to_have_count(0)
    await found.click()
    await page.get_by_role("link", name=numbers[0]).click()
    await expect(page.get_by_role("heading", name=f"问题 {numbers[0]}")).to_be_visible()
    await expect(page.locator(".side-by-side")).to_be_visible()
