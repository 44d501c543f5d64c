"""督查计划 at a desk, 1366x768: the city office sees every candidate's weight, draws a month's plan,
moves one visit with a reason, and cancels the plan; a county team draws its own 自查计划 there and
never reaches the city's."""

from __future__ import annotations

from datetime import date

from playwright.async_api import expect

from server.audit.tables import AuditEvent
from server.plans.tables import PlannedVisit, VisitPlan
from tests.pwa.driver import DESK, open_desk


async def test_draw_adjust_and_cancel_a_plan(world, phone):
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "督查计划")
    candidates = page.locator("table.candidates tbody tr")
    await expect(candidates).to_have_count(3)
    await expect(candidates.first).to_contain_text("180（未督查过或更久）")
    await expect(page.get_by_label("计划月份")).to_have_value("2026-12")  # the browser's clock is in November 2026
    await page.get_by_label("抽取安置点数").fill("2")
    await page.get_by_role("button", name="抽取").click()

    await expect(page.get_by_role("heading", name="2026-12 督查计划")).to_be_visible()
    rows = page.locator("tr[data-visit]")
    await expect(rows).to_have_count(2)
    await expect(page.locator(".calendar .visit")).to_have_count(2)
    plan = await VisitPlan.select().first()
    assert plan["month"] == "2026-12" and plan["state"] == "active"

    first = rows.first
    site = (await first.locator("td").nth(1).inner_text()).strip()
    day = "2026-12-15" if await first.locator("input[type=date]").input_value() != "2026-12-15" else "2026-12-16"
    await first.locator("input[type=date]").fill(day)
    await first.get_by_role("button", name="保存").click()
    await expect(page.locator("#toast")).to_contain_text("请填写调整原因")
    await first.get_by_placeholder("调整原因（必填）").fill("与省厅检查撞期")
    await first.get_by_role("button", name="保存").click()
    await expect(page.locator("#toast")).to_contain_text(f"已调整：{site}")
    await expect(page.locator(f'.calendar .day[data-day="{day}"]')).to_contain_text(site)
    moved = await PlannedVisit.select().where(PlannedVisit.planned_on == date.fromisoformat(day)).first()
    assert moved is not None
    assert await AuditEvent.count().where(AuditEvent.action == "plan.adjust") == 1

    await page.get_by_label("撤销或重新抽取的原因").fill("市委巡察期间暂停")
    cancel = page.get_by_role("button", name="撤销计划")
    await cancel.click()
    await expect(page.locator("#toast")).to_contain_text("将从督查人员手机上撤下")
    await page.get_by_role("button", name="再点一次确认").click()
    await expect(page.locator(".card.notice")).to_contain_text("撤销：市委巡察期间暂停")
    await expect(page.locator("tr[data-visit] .pill.cancelled")).to_have_count(2)
    await expect(page.get_by_role("button", name="撤销计划")).to_have_count(0)
    assert (await VisitPlan.select(VisitPlan.state).first())["state"] == "cancelled"
    assert await PlannedVisit.count().where(PlannedVisit.state == "planned") == 0


async def test_a_county_team_draws_its_own_self_inspection_plan_and_never_sees_the_citys(world, phone):
    """自查计划: the county team's own sites as candidates, its own members as the people; the city's
    plan (四不两直) answers it as a missing plan."""
    admin = await world.client("admin")
    city = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "city-seed"})
    assert city.status_code == 200, city.text

    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "county_a", "自查计划")
    await expect(page.locator(".desk-tabs").get_by_role("link", name="督查计划")).to_have_count(0)
    await expect(page.get_by_role("heading", name="县级自查计划（本县安置点）")).to_be_visible()
    candidates = page.locator("table.candidates tbody tr")
    await expect(candidates).to_have_count(2)  # 盐湖区's two sites, not 临猗县's
    await expect(page.locator("table.candidates")).not_to_contain_text("临猗")
    await expect(page.locator("fieldset.inspectors input:checked")).to_have_count(1)
    await expect(page.locator("table.plans-list")).to_have_count(0)  # the city's plan is not listed
    await page.get_by_label("抽取安置点数").fill("2")
    await page.get_by_role("button", name="抽取").click()

    await expect(page.get_by_role("heading", name="2026-12 自查计划")).to_be_visible()
    await expect(page.locator("tr[data-visit]")).to_have_count(2)
    mine = await VisitPlan.select().where(VisitPlan.scope == "county").first()
    assert mine["county"] == world.counties["盐湖区"] and mine["created_by"] == world.users["county_a"]
    assert {v["inspector"] for v in await PlannedVisit.select().where(PlannedVisit.plan == mine["id"])} == {world.users["county_a"]}

    await page.goto(f"/#/desk/plan/{city.json()['uuid']}")
    await expect(page.locator(".card.warn")).to_have_text("计划不存在")
    await expect(page.locator("tr[data-visit]")).to_have_count(0)
