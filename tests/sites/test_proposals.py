"""The inspected side does not shape its own inspection: a county team proposes changes to what
decides a site's checklists (people, facilities) and to its position; the site, its checklists
and the distance an inspector is measured against stay as approved until the city office decides."""

from __future__ import annotations

import asyncio

import pytest

from tests.audit.helpers import assert_audited


async def _items(client, site_id: int) -> list[str]:
    """The checklist items that do not apply at the site (they follow its attributes)."""
    templates = (await client.get("/api/templates", params={"site_id": site_id})).json()
    return sorted(key for t in templates for key in t["not_applicable"])


async def test_a_proposal_changes_nothing_until_the_city_approves_it(world):
    county, admin = await world.client("county_a"), await world.client("admin")
    site = world.sites["a1"]
    before = (await admin.get(f"/api/sites/{site}")).json()
    items_before = await _items(admin, site)
    r = await county.post(f"/api/sites/{site}/proposals", json={
        "registered_people": 50, "has_workshop": False, "lat": 35.08, "lon": 111.2, "reason": "人口核减，车间已停办"})
    assert r.status_code == 201, r.text
    proposal = r.json()
    assert proposal["state"] == "pending" and proposal["state_name"] == "待审核"
    assert proposal["changes"]["registered_people"] == 50 and proposal["current"]["registered_people"] == 650
    await assert_audited("site.propose", site, actor="county_a", reason="人口核减，车间已停办")
    # nothing moved: the site, its checklists, where the inspector must stand
    assert (await admin.get(f"/api/sites/{site}")).json() == before
    assert await _items(admin, site) == items_before
    assert [p["id"] for p in (await county.get(f"/api/sites/{site}/proposals")).json()] == [proposal["id"]]

    r = await admin.post(f"/api/sites/{site}/proposals/{proposal['id']}/decision", json={"approve": True, "note": "经核实"})
    assert r.status_code == 200 and r.json()["state"] == "approved" and r.json()["decided_by"] == world.users["admin"]
    after = (await admin.get(f"/api/sites/{site}")).json()
    assert (after["registered_people"], after["has_workshop"]) == (50, False)
    assert (after["lat"], after["lon"]) == (pytest.approx(35.08, abs=1e-5), pytest.approx(111.2, abs=1e-5))  # REAL on PostgreSQL
    assert await _items(admin, site) != items_before  # a smaller site without a workshop: other items apply
    await assert_audited("site.approve", site, actor="admin", proposal=proposal["id"])
    again = await admin.post(f"/api/sites/{site}/proposals/{proposal['id']}/decision", json={"approve": False, "note": "x"})
    assert again.status_code == 409 and again.json()["error"] == "already_decided"


async def test_a_rejection_needs_a_reason_and_leaves_the_site_alone(world):
    county, admin = await world.client("county_a"), await world.client("admin")
    site = world.sites["a1"]
    pid = (await county.post(f"/api/sites/{site}/proposals", json={"households": 1})).json()["id"]
    bad = await admin.post(f"/api/sites/{site}/proposals/{pid}/decision", json={"approve": False})
    assert bad.status_code == 422 and bad.json()["error"] == "reason_required"
    r = await admin.post(f"/api/sites/{site}/proposals/{pid}/decision", json={"approve": False, "note": "户数与台账不符"})
    assert r.status_code == 200 and r.json()["state"] == "rejected" and r.json()["decision_note"] == "户数与台账不符"
    assert (await admin.get(f"/api/sites/{site}")).json()["households"] == 0
    await assert_audited("site.reject", site, actor="admin", note="户数与台账不符")


async def test_two_decisions_at_once_one_wins(world):
    county, admin = await world.client("county_a"), await world.client("admin")
    site = world.sites["a1"]
    pid = (await county.post(f"/api/sites/{site}/proposals", json={"households": 300})).json()["id"]
    url = f"/api/sites/{site}/proposals/{pid}/decision"
    answers = await asyncio.gather(admin.post(url, json={"approve": True}), admin.post(url, json={"approve": False, "note": "不同意"}))
    assert sorted(r.status_code for r in answers) == [200, 409]
    state = next(r.json()["state"] for r in answers if r.status_code == 200)
    households = (await admin.get(f"/api/sites/{site}")).json()["households"]
    assert households == (300 if state == "approved" else 0)


@pytest.mark.parametrize(("user", "status"), [("county_b", 404), ("site_a1", 403), ("fire_a", 403), ("inspector", 403)])
async def test_only_the_sites_county_team_proposes_and_only_the_city_office_decides(world, user, status):
    client = await world.client(user)
    site = world.sites["a1"]
    assert (await client.post(f"/api/sites/{site}/proposals", json={"households": 5})).status_code == status
    pid = (await (await world.client("county_a")).post(f"/api/sites/{site}/proposals", json={"households": 5})).json()["id"]
    r = await client.post(f"/api/sites/{site}/proposals/{pid}/decision", json={"approve": True})
    assert r.status_code in (403, 404)
    county = await world.client("county_a")
    assert (await county.post(f"/api/sites/{site}/proposals/{pid}/decision", json={"approve": True})).status_code == 403


async def test_an_empty_proposal_is_refused(world):
    r = await (await world.client("county_a")).post(f"/api/sites/{world.sites['a1']}/proposals", json={"reason": "无"})
    assert r.status_code == 422 and r.json()["error"] == "no_changes"
