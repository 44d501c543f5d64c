"""A site closed or merged (撤并) is disabled by the city office, with a reason: it leaves the phone's
list and the draw, its planned visits not yet made are cancelled, and everything already recorded at
it (visits, issues, ledgers) stays. A department can be renamed or disabled the same way."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from server.audit.tables import AuditEvent
from server.lib import clock
from server.plans.tables import PlannedVisit
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import body, new_uuid

DAY = datetime(2026, 12, 10, 9, 0, tzinfo=clock.SHANGHAI)
CLOSED = {"active": False, "reason": "已整体并入盐湖测试安置点一"}


async def _site_ids(client, **params) -> set[int]:
    r = await client.get("/api/sites", params={"limit": 500, **params})
    assert r.status_code == 200, r.text
    return {s["id"] for s in r.json()["items"]}


@pytest.mark.own_clock
async def test_a_disabled_site_leaves_the_phone_list_and_the_draw_and_its_planned_visits_are_cancelled(world):
    clock.freeze(DAY)
    admin, inspector = await world.client("admin"), await world.client("inspector")
    a2 = world.sites["a2"]
    plan = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "seed-s"})
    assert plan.status_code == 200, plan.text
    to_a2 = [v["uuid"] for v in plan.json()["visits"] if v["site"] == a2]
    assert len(to_a2) == 1

    r = await admin.post(f"/api/sites/{a2}/status", json=CLOSED)
    assert r.status_code == 200, r.text
    assert r.json()["site"]["active"] is False and r.json()["site"]["status_reason"] == CLOSED["reason"]
    assert r.json()["planned_visits_cancelled"] == 1
    assert (await PlannedVisit.select(PlannedVisit.state).where(PlannedVisit.uuid == to_a2[0]).first())["state"] == "cancelled"
    await assert_audited("site.disable", a2, actor="admin", reason=CLOSED["reason"], planned_visits_cancelled=to_a2)

    assert a2 not in await _site_ids(inspector)  # the phone's list of sites to visit
    assert a2 not in await _site_ids(admin)
    assert a2 in await _site_ids(admin, include_inactive="true")  # the office's list
    one = await inspector.get(f"/api/sites/{a2}")  # the site itself still reads, for its old records
    assert one.status_code == 200 and one.json()["active"] is False
    assert a2 not in {c["site_id"] for c in (await admin.get("/api/plans/candidates")).json()}
    again = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]],
                                                 "seed": "seed-s2", "replaces": plan.json()["uuid"], "reason": "安置点撤并后重新抽取"})
    assert again.status_code == 200, again.text
    assert a2 not in {v["site"] for v in again.json()["visits"]} and len(again.json()["visits"]) == 2

    back = await admin.post(f"/api/sites/{a2}/status", json={"active": True, "reason": "撤并决定已撤回"})
    assert back.status_code == 200 and back.json()["site"]["active"] is True and back.json()["planned_visits_cancelled"] == 0
    await assert_audited("site.enable", a2, actor="admin", reason="撤并决定已撤回")
    assert a2 in await _site_ids(inspector)


@pytest.mark.own_clock
async def test_what_was_recorded_at_a_disabled_site_stays_and_a_visit_made_offline_still_arrives(world):
    clock.freeze(DAY)
    admin, inspector, county = await world.client("admin"), await world.client("inspector"), await world.client("county_a")
    a2 = world.sites["a2"]
    first = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(a2, 35.05, 111.05, fail=["extinguishers_present"]))
    assert first.status_code == 200, first.text
    issue = first.json()["issues"][0]["id"]
    assert (await admin.post(f"/api/sites/{a2}/status", json=CLOSED)).status_code == 200

    assert issue in {i["id"] for i in (await county.get("/api/issues", params={"limit": 500})).json()["items"]}
    assert (await county.get(f"/api/issues/{issue}")).status_code == 200
    # a visit made on a phone before it learnt of the closure is what was seen there: it is kept
    late = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(a2, 35.05, 111.05))
    assert late.status_code == 200, late.text
    # nothing new is raised or assigned there from a desk
    r = await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": a2, "area": "消防措施",
                                              "description": "群众反映楼道堆放杂物"})
    assert r.status_code == 422 and r.json()["error"] == "site_inactive" and "已停用" in r.json()["message"]
    other = await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites["a1"],
                                                  "area": "消防措施", "description": "群众反映楼道堆放杂物"})
    moved = await county.patch(f"/api/issues/{other.json()['id']}", json={"site_id": a2})
    assert moved.status_code == 422 and moved.json()["error"] == "site_inactive"


@pytest.mark.own_clock
async def test_the_assessment_counts_sites_in_use(world):
    clock.freeze(DAY)
    admin = await world.client("admin")

    async def yanhu_sites() -> int:
        result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2026-12-31"})).json()
        return next(c for c in result["counties"] if c["county_name"] == "盐湖区")["sites"]

    assert await yanhu_sites() == 2
    assert (await admin.post(f"/api/sites/{world.sites['a2']}/status", json=CLOSED)).status_code == 200
    assert await yanhu_sites() == 1


@pytest.mark.parametrize(("payload", "status", "error"), [
    ({"active": False}, 400, None),
    ({"active": False, "reason": " "}, 400, None),
    ({"active": False, "reason": "   "}, 422, "reason_required"),
    ({"active": True, "reason": "再次启用"}, 409, "no_change"),
])
async def test_a_status_change_needs_a_reason_and_a_change(world, payload, status, error):
    admin = await world.client("admin")
    r = await admin.post(f"/api/sites/{world.sites['a1']}/status", json=payload)
    assert r.status_code == status, r.text
    if error:
        assert r.json()["error"] == error and ("未停用" in r.json()["message"] or "原因" in r.json()["message"])
    assert world.sites["a1"] in await _site_ids(admin)


@pytest.mark.parametrize("user", ["inspector", "county_a", "site_a1", "fire_a"])
async def test_only_the_city_admin_disables_a_site(world, user):
    client = await world.client(user)
    r = await client.post(f"/api/sites/{world.sites['a1']}/status", json=CLOSED)
    assert r.status_code == 403, r.text
    assert world.sites["a1"] in await _site_ids(await world.client("admin"))


async def test_a_department_renamed_and_disabled_keeps_its_issues_and_takes_no_new_one(world):
    admin, county = await world.client("admin"), await world.client("county_a")
    fire = world.departments["xiaofang"]
    issue = (await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites["a1"],
                                                   "area": "消防措施", "description": "灭火器过期", "department_id": fire})).json()["id"]
    r = await admin.patch(f"/api/departments/{fire}", json={"name": "市消防救援支队（合并后）"})
    assert r.status_code == 200 and r.json()["name"] == "市消防救援支队（合并后）" and r.json()["active"] is True
    await assert_audited("department.update", fire, actor="admin")
    r = await admin.patch(f"/api/departments/{fire}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False

    assert fire not in {d["id"] for d in (await county.get("/api/departments")).json()}
    listed = {d["id"]: d for d in (await admin.get("/api/departments", params={"include_inactive": "true"})).json()}
    assert listed[fire]["name"] == "市消防救援支队（合并后）" and listed[fire]["active"] is False
    assert (await county.get(f"/api/issues/{issue}")).json()["department_id"] == fire
    other = (await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites["a1"],
                                                   "area": "消防措施", "description": "消防通道堵塞"})).json()["id"]
    r = await county.patch(f"/api/issues/{other}", json={"department_id": fire})
    assert r.status_code == 422 and r.json()["error"] == "department_inactive" and "已停用" in r.json()["message"]
    r = await county.post("/api/issues/assignment", json={"issue_ids": [other], "department_id": fire})
    assert r.status_code == 422, r.text
    # its own issue keeps it through other edits
    assert (await county.patch(f"/api/issues/{issue}", json={"department_id": fire, "responsible_person": "李四"})).status_code == 200


@pytest.mark.parametrize(("user", "status"), [("county_a", 403), ("fire_a", 403), ("inspector", 403)])
async def test_only_the_city_admin_changes_a_department(world, user, status):
    r = await (await world.client(user)).patch(f"/api/departments/{world.departments['xiaofang']}", json={"active": False})
    assert r.status_code == status
    admin = await world.client("admin")
    assert (await admin.patch("/api/departments/999999", json={"name": "无"})).status_code == 404
    assert (await admin.patch(f"/api/departments/{world.departments['xiaofang']}", json={"name": ""})).status_code == 400


@pytest.mark.own_clock
async def test_two_disables_at_once_one_wins_and_the_visits_are_cancelled_once(world):
    clock.freeze(DAY)
    a, b = await world.client("admin"), await world.client("admin")
    answers = await asyncio.gather(*(c.post(f"/api/sites/{world.sites['a2']}/status", json=CLOSED) for c in (a, b)))
    assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
    assert await AuditEvent.count().where(AuditEvent.action == "site.disable") == 1
    renames = await asyncio.gather(*(c.patch(f"/api/departments/{world.departments['xiaofang']}", json={"active": False}) for c in (a, b)))
    assert sorted(r.status_code for r in renames) in ([200, 200], [200, 409]), [r.text for r in renames]
    assert await AuditEvent.count().where(AuditEvent.action == "department.update") == 1
