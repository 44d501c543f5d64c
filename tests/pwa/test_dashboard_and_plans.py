"""The city office's dashboard, a ledger generated from it, and planned visits on the inspector's
phone (never on an inspected user's phone)."""

from __future__ import annotations

from playwright.async_api import expect

from tests.inspections.helpers import body, new_uuid
from tests.pwa.driver import log_in

META = """async (key) => { const r = indexedDB.open('ducha'); await new Promise(res => r.onsuccess = res);
  const g = r.result.transaction('meta').objectStore('meta').get(key); await new Promise(res => g.onsuccess = res); return g.result ?? null; }"""


async def test_dashboard_shows_counts_ranking_chart_and_makes_a_ledger(world, phone):
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, fail=["extinguishers_present"]))
    assert r.status_code == 200
    page = await (await phone()).new_page()
    await log_in(page, "admin")
    await page.locator("#nav").get_by_role("link", name="总览").click()
    await expect(page.locator(".total").first).to_contain_text("1")  # one open issue
    await expect(page.locator("table.rank tr")).to_have_count(14)  # header + 13 counties
    await expect(page.locator("svg[role=img] rect").first).to_be_visible()
    await expect(page.locator("tr.flagged")).to_have_count(2)
    await page.locator("select").first.select_option("issues")
    await page.get_by_role("button", name="生成").click()
    link = page.get_by_role("link", name="下载")
    await expect(link).to_be_visible(timeout=60000)
    assert (await link.get_attribute("href")).startswith("/api/ledgers/")


async def test_released_plans_reach_the_inspector_and_never_an_inspected_phone(world, phone):
    from datetime import timedelta

    from server.lib import clock
    from server.plans.tables import PlannedVisit

    admin = await world.client("admin")
    r = await admin.post("/api/plans", json={"month": clock.local(clock.now()).strftime("%Y-%m"), "count": 3,
                                             "inspector_ids": [world.users["inspector"]], "seed": "pwa-seed"})
    assert r.status_code == 200
    today = clock.today()
    await PlannedVisit.update({PlannedVisit.release_on: today + timedelta(days=5)}).where(PlannedVisit.id > 0)  # not yet due
    await PlannedVisit.update({PlannedVisit.release_on: today - timedelta(days=1)}).where(PlannedVisit.site == world.sites["a1"])
    page = await (await phone()).new_page()
    await log_in(page, "inspector")
    await expect(page.locator(".planned a.row")).to_have_count(1)
    await expect(page.locator(".planned")).to_contain_text("盐湖测试安置点一")

    site_page = await (await phone()).new_page()
    await log_in(site_page, "site_a1")
    # a positive signal first: the phone has finished loading what this user may see
    await site_page.wait_for_function(f"({META})('refreshedAt')", polling=100)
    await expect(site_page.locator("#nav")).to_be_visible()
    assert await site_page.evaluate(META, "planned") is None
    text = await site_page.locator("body").inner_text()
    assert "计划" not in text and "null" not in text  # (the bottom bar once said "null" to non-city users)


async def test_county_team_submits_its_ledger_and_the_city_sees_it(world, phone):
    county = await (await phone()).new_page()
    await log_in(county, "county_a")
    await county.get_by_role("link", name="台账报送").click()
    row = county.locator(".ledger-row[data-kind=work]")
    await row.get_by_role("button", name="生成").click()
    await row.get_by_role("button", name="报送").click(timeout=60000)
    await expect(row).to_contain_text("已报送")
    await expect(row).to_contain_text("（逾期）")  # last month's ledgers were due on the 5th
    # a second file for the same month is a correction: the phone asks why
    await row.get_by_role("button", name="生成").click()
    await row.get_by_role("button", name="报送").click(timeout=60000)
    reason = row.get_by_placeholder("更正原因（必填）")
    await expect(reason).to_be_visible()
    await reason.fill("补录 10 月 31 日的一次督查")
    await row.get_by_role("button", name="更正报送").click()
    await expect(row).to_contain_text("已更正报送")

    city = await (await phone()).new_page()
    await log_in(city, "admin")
    await city.goto("/#/ledgers")
    yanhu = city.locator("tr", has_text="盐湖区")
    await expect(yanhu.get_by_role("link", name="逾期报送（已更正）")).to_be_visible()
    await expect(city.locator("tr", has_text="临猗县")).to_contain_text("逾期未报")


async def test_the_office_checks_a_received_ledger_file_on_its_phone(world, phone, tmp_path):
    from tests.ledgers.helpers import wait_done

    admin = await world.client("admin")
    job = await wait_done(admin, (await admin.post("/api/ledgers", json={"kind": "work"})).json())
    original = tmp_path / "工作台账.pdf"
    original.write_bytes((await admin.get(job["file_url"])).content)
    altered = tmp_path / "改过的工作台账.pdf"
    altered.write_bytes(original.read_bytes() + b"\n%edited\n")
    page = await (await phone()).new_page()
    await log_in(page, "admin")
    await page.goto("/#/ledgers")
    card = page.locator(".verify-ledger")
    await card.get_by_label("台账文件").set_input_files(str(original))
    await expect(card.locator(".verdict.same")).to_contain_text("一致：是本系统生成的原件")
    await card.get_by_label("台账文件").set_input_files(str(altered))
    await expect(card.locator(".verdict.altered")).to_contain_text("可能被修改过")
    box = await card.bounding_box()
    assert box["width"] <= 360  # fits the phone
