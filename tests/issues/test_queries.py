"""Lists, counts, repeat findings, deadlines, escalation and the inbox."""

from datetime import UTC, date, datetime, timedelta

import pytest

from server.issues.deadlines import escalation
from server.issues.deadlines import is_overdue as overdue
from server.lib import clock
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import body, check_items, new_uuid

A1 = (35.03, 111.01)
B1 = (35.14, 110.77)


async def _visit(world, site="a1", pos=A1, n=2):
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites[site], *pos, fail=check_items(n=n),
                                                                         site_attrs={"registered_people": 90 if site == "b1" else 650}))
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["issues"]]


@pytest.mark.own_clock
@pytest.mark.parametrize("late, level, name", [(-1, 0, ""), (0, 1, "到期"), (2, 1, "到期"), (3, 2, "催办"), (6, 2, "催办"), (7, 3, "报市办")])
def test_escalation_ladder_at_its_boundaries(late, level, name):
    deadline = date(2026, 3, 10)
    assert escalation(deadline, deadline + timedelta(days=late), "open") == (level, name)
    assert escalation(deadline, deadline + timedelta(days=late), "closed") == (0, "")


@pytest.mark.own_clock
def test_overdue_is_the_day_after_the_deadline():
    d = date(2026, 3, 10)
    assert not overdue(d, d, "open") and overdue(d, d + timedelta(days=1), "rectifying") and not overdue(d, d + timedelta(days=9), "closed")


@pytest.mark.own_clock
async def test_lists_stay_in_scope_and_filter(world):
    clock.freeze(datetime(2026, 6, 30, 16, 30, tzinfo=UTC))  # 00:30 on 1 July in Shanghai, 30 June in UTC
    a = await _visit(world, "a1", A1)
    b = await _visit(world, "b1", B1)
    admin = await world.client("admin")
    assert (await admin.get("/api/issues")).json()["total"] == 4
    county_a = await world.client("county_a")
    page = (await county_a.get("/api/issues")).json()
    assert {i["id"] for i in page["items"]} == set(a) and page["total"] == 2
    assert (await county_a.get("/api/issues", params={"county_id": world.counties["临猗县"]})).json()["total"] == 0
    site_b = await world.client("site_b1")
    assert {i["id"] for i in (await site_b.get("/api/issues")).json()["items"]} == set(b)
    page = (await admin.get("/api/issues", params={"state": "open", "area": "消防措施", "limit": 1, "sort": "deadline"})).json()
    assert page["total"] == 4 and len(page["items"]) == 1 and page["items"][0]["county_name"] in ("盐湖区", "临猗县")
    assert (await admin.get("/api/issues", params={"state": "closed"})).json()["total"] == 0
    assert (await admin.get("/api/issues", params={"from": "2026-07-01", "to": "2026-07-01"})).json()["total"] == 4
    assert (await admin.get("/api/issues", params={"to": "2026-06-30"})).json()["total"] == 0
    assert (await admin.get("/api/issues", params={"from": "2026-07-02"})).json()["total"] == 0
    bad = await admin.get("/api/issues", params={"state": "lost"})
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_body"


@pytest.mark.own_clock
async def test_counts_per_county_and_state_with_overdue(world):
    clock.freeze(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    await _visit(world, "a1", A1)
    await _visit(world, "b1", B1, n=1)
    clock.freeze(datetime(2026, 4, 30, 2, 0, tzinfo=UTC))  # past every fire-safety deadline
    counts = {c["county_name"]: c for c in (await (await world.client("admin")).get("/api/issues/counts")).json()}
    assert counts["盐湖区"]["open"] == 2 and counts["盐湖区"]["overdue"] == 2 and counts["临猗县"]["open"] == 1
    mine = (await (await world.client("county_a")).get("/api/issues/counts")).json()
    assert [c["county_name"] for c in mine] == ["盐湖区"]
    overdue_page = (await (await world.client("admin")).get("/api/issues", params={"overdue": "true"})).json()
    assert overdue_page["total"] == 3 and all(i["escalation"] == 3 for i in overdue_page["items"])


async def test_repeat_findings_per_site_and_item(world):
    await _visit(world)
    await _visit(world)
    await _visit(world, n=1)
    repeats = (await (await world.client("admin")).get("/api/issues/repeats")).json()
    assert sorted(r["times"] for r in repeats) == [2, 3]
    assert all(r["site_id"] == world.sites["a1"] for r in repeats)


@pytest.mark.own_clock
async def test_inbox_shows_what_waits_for_each_role(world):
    clock.freeze(datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    ids = await _visit(world)
    site = await world.client("site_a1")
    await site.post(f"/api/issues/{ids[0]}/rectifications", json={"uuid": new_uuid(), "measures": "已整改", "responsible_person": "李四"})
    clock.freeze(datetime(2026, 4, 30, 2, 0, tzinfo=UTC))
    site = await world.client("site_a1")  # two months later: a fresh login
    raw = await site.get("/api/issues/inbox")
    assert raw.status_code == 200, raw.text
    box = raw.json()
    assert [i["id"] for i in box["to_rectify"]] == [ids[1]] and box["to_verify"] == []
    box = (await (await world.client("inspector")).get("/api/issues/inbox")).json()
    assert [i["id"] for i in box["to_verify"]] == [ids[0]] and box["to_rectify"] == []
    box = (await (await world.client("admin")).get("/api/issues/inbox")).json()
    assert {i["id"] for i in box["escalated"]} == set(ids)
    assert (await (await world.client("county_b")).get("/api/issues/inbox")).json()["to_rectify"] == []


async def test_county_self_check_issue_is_idempotent_and_scoped(world):
    county = await world.client("county_a")
    data = {"uuid": new_uuid(), "source": "self_check", "site_id": world.sites["a2"], "area": "质量安全",
            "description": "3号楼屋面渗漏", "severity": "major", "deadline_days": 15}
    first = await county.post("/api/issues", json=data)
    assert first.status_code == 200 and first.json()["source"] == "self_check" and first.json()["state"] == "open"
    await assert_audited("issue.create", first.json()["id"], actor="county_a")
    again = await county.post("/api/issues", json=data)
    assert again.json()["id"] == first.json()["id"]
    assert (await county.get("/api/issues", params={"source": "self_check"})).json()["total"] == 1
    other = await county.post("/api/issues", json={**data, "uuid": new_uuid(), "site_id": world.sites["b1"]})
    assert other.status_code == 404
    site = await world.client("site_a1")
    assert (await site.post("/api/issues", json={**data, "uuid": new_uuid(), "site_id": world.sites["a1"]})).status_code == 403
    bad = await county.post("/api/issues", json={**data, "uuid": new_uuid(), "area": "天气"})
    assert bad.status_code == 422 and bad.json()["error"] == "unknown_area"


async def test_department_check_is_assigned_to_its_department(world):
    fire = await world.client("fire_a")
    r = await fire.post("/api/issues", json={"uuid": new_uuid(), "source": "department", "site_id": world.sites["a1"],
                                             "area": "消防措施", "description": "消火栓无水"})
    assert r.status_code == 200 and r.json()["department_id"] == world.departments["xiaofang"]


async def test_county_team_reassigns_within_its_county_and_city_office_edits_deadline(world):
    issue = (await _visit(world))[0]
    county = await world.client("county_a")
    r = await county.patch(f"/api/issues/{issue}", json={"site_id": world.sites["a2"], "responsible_person": "王五",
                                                         "department_id": world.departments["zhujian"]})
    assert r.status_code == 200 and r.json()["site_id"] == world.sites["a2"] and r.json()["responsible_person"] == "王五"
    await assert_audited("issue.update", issue, actor="county_a")
    r = await county.patch(f"/api/issues/{issue}", json={"site_id": world.sites["b1"]})
    assert r.status_code == 404  # a site outside the county does not exist for this user
    r = await county.patch(f"/api/issues/{issue}", json={"deadline": "2026-12-31"})
    assert r.status_code == 403
    admin = await world.client("admin")
    r = await admin.patch(f"/api/issues/{issue}", json={"deadline": "2026-12-31"})
    assert r.status_code == 200 and r.json()["deadline"] == "2026-12-31"
    assert (await (await world.client("county_b")).patch(f"/api/issues/{issue}", json={"responsible_person": "x"})).status_code == 404
