"""问题台账 at a desk, 1366x768: filters and 批量分派 by a county team; an issue's page with its
photos before and after side by side, and verification (销号) from the desk by the city office."""

from __future__ import annotations

from playwright.async_api import expect

from server.issues.tables import Issue
from tests.inspections.helpers import body, check_items, new_uuid, upload_photo
from tests.pwa.driver import DESK, open_desk

A1 = (35.03, 111.01)


async def _issues(world, n: int) -> list[int]:
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], *A1, fail=check_items(n=n)))
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["issues"]]


async def test_a_county_team_filters_and_assigns_two_issues_at_once(world, phone):
    ids = await _issues(world, 3)
    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "county_a", "问题台账")
    rows = page.locator("tr[data-issue]")
    await expect(rows).to_have_count(3)
    await expect(page.locator(".bulk")).to_be_hidden()

    for issue in ids[:2]:
        await page.locator(f'tr[data-issue="{issue}"] input[type=checkbox]').check()
    bulk = page.locator(".bulk")
    await expect(bulk).to_contain_text("已选 2 个问题")
    await expect(bulk.get_by_label("整改期限")).to_have_count(0)  # the deadline is the city office's
    await bulk.get_by_label("责任部门").select_option(label="住房和城乡建设局")
    await bulk.get_by_label("责任人").fill("王五")
    await bulk.get_by_role("button", name="分派").click()
    await expect(page.locator("#toast")).to_contain_text("已分派 2 个问题")
    for issue in ids[:2]:
        await expect(page.locator(f'tr[data-issue="{issue}"]')).to_contain_text("王五")
        await expect(page.locator(f'tr[data-issue="{issue}"]')).to_contain_text("住房和城乡建设局")
    await expect(page.locator(f'tr[data-issue="{ids[2]}"]')).not_to_contain_text("王五")
    rows_in_db = await Issue.select(Issue.id, Issue.responsible_person).where(Issue.id.is_in(ids))
    assert sorted(r["id"] for r in rows_in_db if r["responsible_person"] == "王五") == sorted(ids[:2])

    # the filter by department now finds exactly those two; clearing it brings all three back
    await page.locator(".desk-filters").get_by_label("责任部门").select_option(label="住房和城乡建设局")
    await expect(rows).to_have_count(2)
    await expect(page.locator(".pager")).to_contain_text("第 1–2 条，共 2 条")
    await page.get_by_role("button", name="清除条件").click()
    await expect(rows).to_have_count(3)


async def test_the_city_office_verifies_an_issue_from_the_desk(world, phone):
    issue = (await _issues(world, 1))[0]
    site = await world.client("site_a1")
    after = await upload_photo(site)
    r = await site.post(f"/api/issues/{issue}/rectifications", json={
        "uuid": new_uuid(), "measures": "更换灭火器并张贴检查记录", "responsible_person": "张三", "photos": [after], "photo_hashes": {}})
    assert r.status_code == 200 and r.json()["state"] == "submitted", r.text
    number = r.json()["number"]

    page = await (await phone(**DESK)).new_page()
    await open_desk(page, "admin", "问题台账")
    await page.locator(".desk-filters").get_by_label("状态").select_option(label="待核查")
    await expect(page.locator("tr[data-issue]")).to_have_count(1)
    await page.get_by_role("link", name=number).click()

    await expect(page.get_by_role("heading", name=f"问题 {number}")).to_be_visible()
    pair = page.locator(".side-by-side figure")
    await expect(pair).to_have_count(2)
    await expect(pair.nth(0)).to_contain_text("整改前（发现时）")
    await expect(pair.nth(1)).to_contain_text("整改后（第 1 轮）")
    await expect(pair.nth(1).locator(".photo-facts")).to_contain_text("拍摄")
    boxes = [await pair.nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"] and abs(boxes[0]["y"] - boxes[1]["y"]) < 2  # side by side
    await expect(page.locator("ol.history")).to_contain_text("第 1 轮整改报送（张三）")

    await page.get_by_label("核查意见").fill("现场核查已整改到位")
    await page.get_by_role("button", name="通过并销号").click()
    await expect(page.locator(".pills")).to_contain_text("已销号")
    await expect(page.locator("ol.history")).to_contain_text("核查通过，销号")
    await expect(page.get_by_role("button", name="通过并销号")).to_have_count(0)
    assert (await Issue.select(Issue.state).where(Issue.id == issue).first())["state"] == "closed"

    # back in the table, the closed issue is no longer offered for 批量分派
    await page.locator(".desk-tabs").get_by_role("link", name="问题台账").click()
    await page.locator(".desk-filters").get_by_label("状态").select_option(label="已销号")
    row = page.locator(f'tr[data-issue="{issue}"]')
    await expect(row.get_by_label(f"选择 {number}")).to_be_disabled()
