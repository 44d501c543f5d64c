"""A planned visit does not exist for the inspected side: every read path answers the same with
and without a plan for their own site; the planners and the assigned inspector see it; reads are audited."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.audit.tables import AuditEvent
from server.lib import clock
from tests.audit.helpers import assert_audited

READS = [
    "/api/plans", "/api/plans/mine", "/api/plans/candidates", "/api/plans/inspectors", "/api/plans/{plan}", "/api/plans/{visit}", "/api/sites", "/api/sites/{a1}",
    "/api/issues", "/api/issues/counts", "/api/issues/inbox", "/api/issues/repeats", "/api/templates?site_id={a1}",
    "/api/ledgers", "/api/inspections/{visit}", "/api/auth/me", "/api/counties", "/api/departments",
]
INSPECTED = ["county_a", "site_a1", "fire_a"]


async def _snapshot(world, username: str, ids: dict) -> dict:
    client = await world.client(username)
    out = {}
    for path in READS:
        r = await client.get(path.format(**ids))
        body = r.json()
        if isinstance(body, dict):
            body.pop("csrf_token", None)
        out[path] = (r.status_code, body, r.headers.get("etag"))
    return out


async def _plan(world) -> dict:
    admin = await world.client("admin")
    r = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "fixed-seed"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.own_clock
@pytest.mark.parametrize("username", INSPECTED)
async def test_nothing_reveals_a_plan_to_the_inspected_side(world, username):
    clock.freeze(datetime(2026, 12, 10, 9, 0, tzinfo=clock.SHANGHAI))
    ids = {"a1": world.sites["a1"], "plan": "0b8c4d3e-1f2a-4b5c-8d9e-0f1a2b3c4d5e", "visit": "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}
    before = await _snapshot(world, username, ids)
    plan = await _plan(world)
    assert {v["site"] for v in plan["visits"]} == {world.sites["a1"], world.sites["a2"], world.sites["b1"]}  # every site drawn
    mine = next(v for v in plan["visits"] if v["site"] == world.sites["a1"])
    after_same_ids = await _snapshot(world, username, ids)
    assert after_same_ids == before
    # the real ids of the plan and of the planned visit get the answer of ids that do not exist
    real = await _snapshot(world, username, {**ids, "plan": plan["uuid"], "visit": mine["uuid"]})
    fake = await _snapshot(world, username, ids)
    assert real == fake
    assert real["/api/plans/{plan}"][0] == 404 and real["/api/plans/{plan}"][1]["message"] == "计划不存在"


@pytest.mark.own_clock
async def test_planners_and_the_assigned_inspector_see_it_and_every_read_is_audited(world):
    clock.freeze(datetime(2026, 11, 20, 9, 0, tzinfo=clock.SHANGHAI))
    plan = await _plan(world)
    admin = await world.client("admin")
    await assert_audited("plan.create", plan["uuid"], actor="admin")
    assert (await admin.get(f"/api/plans/{plan['uuid']}")).status_code == 200
    await assert_audited("plan.read", plan["uuid"], actor="admin")
    assert [p["uuid"] for p in (await admin.get("/api/plans")).json()] == [plan["uuid"]]
    await assert_audited("plan.list", actor="admin", plans=1)
    inspector = await world.client("inspector")
    assert (await inspector.get(f"/api/plans/{plan['uuid']}")).status_code == 404  # not a planner
    assert (await inspector.get("/api/plans/mine")).json() == []  # nothing released in November
    first = min(v["planned_on"] for v in plan["visits"])
    clock.freeze(datetime.fromisoformat(f"{first}T08:00:00+08:00"))
    inspector = await world.client("inspector")
    released = (await inspector.get("/api/plans/mine")).json()
    assert released and all(v["planned_on"] <= first or v["planned_on"] == first for v in released)
    reads = await AuditEvent.count().where(AuditEvent.action == "plan.read")
    assert reads == 4  # the plan as created and as read by the admin, the inspector's two reads of mine


@pytest.mark.own_clock
async def test_a_submitted_visit_completes_its_planned_visit(world):
    from tests.inspections.helpers import body, new_uuid

    clock.freeze(datetime(2026, 12, 10, 9, 0, tzinfo=clock.SHANGHAI))
    plan = await _plan(world)
    inspector = await world.client("inspector")
    uuid = new_uuid()
    r = await inspector.put(f"/api/inspections/{uuid}", json=body(world.sites["a1"], 35.03, 111.01))
    assert r.status_code == 200, r.text
    admin = await world.client("admin")
    visits = (await admin.get(f"/api/plans/{plan['uuid']}")).json()["visits"]
    done = [v for v in visits if v["state"] == "done"]
    assert len(done) == 1 and done[0]["site"] == world.sites["a1"] and str(done[0]["inspection_uuid"]) == uuid
    await assert_audited("plan.visit_done", done[0]["id"], actor="inspector", inspection=uuid)


async def test_bad_plans_are_refused(world):
    admin = await world.client("admin")
    r = await admin.post("/api/plans", json={"month": "2026-13", "count": 3, "inspector_ids": [world.users["inspector"]]})
    assert r.status_code == 422 and r.json()["error"] == "bad_month"
    r = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["county_a"]]})
    assert r.status_code == 422 and r.json()["error"] == "bad_inspectors"
    county = await world.client("county_a")
    r = await county.post("/api/plans", json={"month": "2026-12", "count": 1, "inspector_ids": [world.users["county_a"]]})
    assert r.status_code == 200 and {v["county"] for v in r.json()["visits"]} == {world.counties["盐湖区"]}
    site = await world.client("site_a1")
    r = await site.post("/api/plans", json={"month": "2026-12", "count": 1, "inspector_ids": [world.users["inspector"]]})
    assert r.status_code == 403
