"""县级自查: a county team inspects its own sites; what it finds are self-check issues; it counts
for the county plan and the assessment's self-inspection coverage."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.issues.tables import Issue
from server.lib import clock
from tests.inspections.helpers import body, new_uuid

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


async def test_county_team_inspects_its_own_sites_only(world):
    clock.freeze(datetime(2026, 12, 10, 9, 0, tzinfo=clock.SHANGHAI))
    county = await world.client("county_a")
    plan = await county.post("/api/plans", json={"month": "2026-12", "count": 2, "inspector_ids": [world.users["county_a"]]})
    assert plan.status_code == 200
    uuid = new_uuid()
    r = await county.put(f"/api/inspections/{uuid}", json=body(world.sites["a1"], 35.03, 111.01, fail=["smoke_alarms"]))
    assert r.status_code == 200, r.text
    assert r.json()["unannounced"] is False  # a self-inspection is not an unannounced visit
    issue = await Issue.select().where(Issue.id == r.json()["issues"][0]["id"]).first()
    assert issue["source"] == "self_check"
    assert (await county.get(f"/api/inspections/{uuid}")).status_code == 200
    other = await county.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["b1"], 35.14, 110.77))
    assert other.status_code == 404  # another county's site does not exist for it
    site = await world.client("site_a1")
    assert (await site.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01))).status_code == 403
    visits = (await county.get(f"/api/plans/{plan.json()['uuid']}")).json()["visits"]
    assert [v["state"] for v in visits if v["site"] == world.sites["a1"]] == ["done"]
    admin = await world.client("admin")
    result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2026-12-31"})).json()
    yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
    assert yanhu["self_inspected_sites"] == 1 and yanhu["rates"]["self_coverage"] == 0.5  # a1 of a1, a2
