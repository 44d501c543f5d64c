"""A plan after the draw: the candidates shown before it, a visit moved or given to another
inspector, the plan cancelled or redrawn: each with a reason, audited, never half done, and none of
it visible to the inspected side."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from server.lib import clock
from server.plans.tables import PlannedVisit, VisitPlan
from tests.audit.helpers import assert_audited
from tests.plans.test_secrecy import _plan, _snapshot

DAY = datetime(2026, 11, 25, 9, 0, tzinfo=clock.SHANGHAI)


async def _second_inspector(world) -> int:
    admin = await world.client("admin")
    r = await admin.post("/api/users", json={"username": "inspector2", "display_name": "第二督导", "password": "0123456789ab",
                                             "role": "city_inspector"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


@pytest.mark.own_clock
async def test_the_candidates_are_shown_with_their_weights_before_a_draw(world):
    clock.freeze(DAY)
    admin = await world.client("admin")
    r = await admin.get("/api/plans/candidates")
    assert r.status_code == 200
    rows = r.json()
    assert {c["site_id"] for c in rows} == set(world.sites.values())
    assert [c["weight"] for c in rows] == sorted((c["weight"] for c in rows), reverse=True)
    assert abs(sum(c["share"] for c in rows) - 1) < 0.01
    never = rows[0]
    assert never["days_since_last_visit"] == 180 and never["site_name"] and never["county_name"]
    county = await (await world.client("county_a")).get("/api/plans/candidates")
    assert {c["county_name"] for c in county.json()} == {"盐湖区"}


@pytest.mark.own_clock
async def test_a_visit_is_moved_and_given_to_another_inspector_with_a_reason(world):
    clock.freeze(DAY)
    other = await _second_inspector(world)
    plan = await _plan(world)
    visit = plan["visits"][0]
    admin = await world.client("admin")
    path = f"/api/plans/{plan['uuid']}/visits/{visit['uuid']}"
    r = await admin.patch(path, json={"planned_on": "2026-12-18", "inspector_id": other})
    assert r.status_code == 400 and "reason" in r.text  # no reason, no change
    r = await admin.patch(path, json={"planned_on": "2027-01-02", "reason": "改期"})
    assert r.status_code == 422 and r.json()["error"] == "bad_day"
    r = await admin.patch(path, json={"inspector_id": world.users["county_a"], "reason": "换人"})
    assert r.status_code == 422 and r.json()["error"] == "bad_inspectors"
    r = await admin.patch(path, json={"planned_on": "2026-12-18", "inspector_id": other, "reason": "原督查员借调省厅"})
    assert r.status_code == 200, r.text
    moved = next(v for v in r.json()["visits"] if v["uuid"] == visit["uuid"])
    assert moved["planned_on"] == "2026-12-18" and moved["inspector"] == other and moved["inspector_name"] == "第二督导"
    assert moved["release_on"] < "2026-12-18"
    event = await assert_audited("plan.adjust", visit["uuid"], actor="admin", reason="原督查员借调省厅", plan=plan["uuid"])
    assert event["data"]["to"] == {"inspector": str(other), "planned_on": "2026-12-18"}
    assert event["data"]["from"] == {"inspector": str(world.users["inspector"]), "planned_on": visit["planned_on"]}


@pytest.mark.own_clock
async def test_cancelling_takes_every_visit_off_the_phones_and_only_once(world):
    clock.freeze(DAY)
    plan = await _plan(world)
    admin, again = await world.client("admin"), await world.client("admin")
    r = await admin.post(f"/api/plans/{plan['uuid']}/cancellation", json={"reason": " "})
    assert r.status_code == 422 and r.json()["error"] == "reason_required"
    a, b = await asyncio.gather(admin.post(f"/api/plans/{plan['uuid']}/cancellation", json={"reason": "市委巡察期间暂停"}),
                                again.post(f"/api/plans/{plan['uuid']}/cancellation", json={"reason": "重复点击"}))
    assert sorted([a.status_code, b.status_code]) == [200, 409]
    won = a if a.status_code == 200 else b
    assert won.json()["state"] == "cancelled" and {v["state"] for v in won.json()["visits"]} == {"cancelled"}
    await assert_audited("plan.cancel", plan["uuid"], actor="admin", visits_cancelled=3)
    # on the last planned day every visit would have been released: none reaches the inspector
    last = max(v["planned_on"] for v in plan["visits"])
    clock.freeze(datetime.fromisoformat(f"{last}T08:00:00+08:00"))
    assert (await (await world.client("inspector")).get("/api/plans/mine")).json() == []
    admin = await world.client("admin")
    r = await admin.patch(f"/api/plans/{plan['uuid']}/visits/{plan['visits'][0]['uuid']}", json={"planned_on": last, "reason": "改期"})
    assert r.status_code == 409


@pytest.mark.own_clock
async def test_a_redraw_cancels_the_old_plan_in_the_same_step_or_not_at_all(world):
    clock.freeze(DAY)
    plan = await _plan(world)
    admin = await world.client("admin")
    body = {"month": "2026-12", "count": 2, "inspector_ids": [world.users["inspector"]], "replaces": plan["uuid"]}
    r = await admin.post("/api/plans", json=body)
    assert r.status_code == 422 and r.json()["error"] == "reason_required"
    r = await admin.post("/api/plans", json={**body, "month": "2027-01", "reason": "换月"})
    assert r.status_code == 422 and r.json()["error"] == "bad_month"
    assert await VisitPlan.count() == 1 and (await VisitPlan.select(VisitPlan.state).first())["state"] == "active"
    r = await admin.post("/api/plans", json={**body, "reason": "抽中的安置点正在拆除"})
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["replaces"] == plan["uuid"] and new["state"] == "active" and len(new["visits"]) == 2 and new["seed"] != plan["seed"]
    old = (await admin.get(f"/api/plans/{plan['uuid']}")).json()
    assert old["state"] == "cancelled" and old["cancel_reason"] == "抽中的安置点正在拆除"
    await assert_audited("plan.cancel", plan["uuid"], replaced_by=new["uuid"])
    await assert_audited("plan.create", new["uuid"], replaces=plan["uuid"], seed=new["seed"])
    assert await PlannedVisit.count().where(PlannedVisit.state == "planned") == 2
    listed = (await admin.get("/api/plans")).json()
    assert [(p["uuid"], p["state"]) for p in listed] == [(new["uuid"], "active"), (plan["uuid"], "cancelled")]


@pytest.mark.own_clock
async def test_changes_to_a_plan_stay_invisible_to_the_inspected_side(world):
    clock.freeze(datetime(2026, 12, 10, 9, 0, tzinfo=clock.SHANGHAI))
    ids = {"a1": world.sites["a1"], "plan": "0b8c4d3e-1f2a-4b5c-8d9e-0f1a2b3c4d5e", "visit": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}
    before = {u: await _snapshot(world, u, ids) for u in ("county_a", "site_a1")}
    plan = await _plan(world)
    visit = next(v for v in plan["visits"] if v["site"] == world.sites["a1"])
    for username in ("county_a", "site_a1", "fire_a", "inspector"):
        client = await world.client(username)
        moves = [client.patch(f"/api/plans/{plan['uuid']}/visits/{visit['uuid']}", json={"planned_on": "2026-12-20", "reason": "改期"}),
                 client.post(f"/api/plans/{plan['uuid']}/cancellation", json={"reason": "撤销"})]
        for r in await asyncio.gather(*moves):
            assert r.status_code == 404 and r.json()["message"] == "计划不存在", (username, r.text)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/plans/{plan['uuid']}/visits/{visit['uuid']}",
                              json={"planned_on": "2026-12-20", "reason": "改期"})).status_code == 200
    assert (await admin.post(f"/api/plans/{plan['uuid']}/cancellation", json={"reason": "撤销"})).status_code == 200
    for username, seen in before.items():
        assert await _snapshot(world, username, ids) == seen


async def test_each_planner_is_offered_only_the_people_its_plans_may_take(world):
    """The city admin assigns its inspectors (and admins); a county team its own active members;
    anyone else meets the 404 of a missing plan."""
    second = await _second_inspector(world)
    admin = await world.client("admin")
    city = {u["id"]: u["role"] for u in (await admin.get("/api/plans/inspectors")).json()}
    assert city[world.users["inspector"]] == "city_inspector" and city[second] == "city_inspector"
    assert set(city.values()) <= {"city_inspector", "city_admin"}
    r = await admin.post("/api/users", json={"username": "yanhu_team2", "display_name": "盐湖专班 赵敏", "password": "0123456789ab",
                                             "role": "county_team", "county_id": world.counties["盐湖区"]})
    assert r.status_code == 201, r.text
    county = await world.client("county_a")
    mine = {u["id"] for u in (await county.get("/api/plans/inspectors")).json()}
    assert mine == {world.users["county_a"], r.json()["id"]}
    assert (await admin.patch(f"/api/users/{r.json()['id']}", json={"active": False})).status_code == 200
    assert {u["id"] for u in (await county.get("/api/plans/inspectors")).json()} == {world.users["county_a"]}
    for user in ("inspector", "site_a1", "fire_a"):
        r = await (await world.client(user)).get("/api/plans/inspectors")
        assert r.status_code == 404 and r.json()["message"] == "计划不存在", (user, r.text)
