"""The objects the authorization table reads and writes: one of each kind inside county A
(盐湖区, site a1) and one outside it (临猗县, site b1), made through the API as their users do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from server.lib import clock
from tests.inspections.helpers import new_uuid, upload_photo, visit_naming
from tests.ledgers.helpers import wait_done

A1 = (35.03, 111.01)
B1 = (35.14, 110.77)
#: planned visits are drawn for this month; the table runs on this day
DAY = datetime(2026, 12, 10, 9, 0, tzinfo=clock.SHANGHAI)


@dataclass
class Objects:
    """``ids[kind][scope]``: scope "in" (county A, site a1) or "out" (county B, site b1)."""

    ids: dict[str, dict[str, object]] = field(default_factory=dict)

    def put(self, kind: str, inside: object, outside: object) -> None:
        self.ids[kind] = {"in": inside, "out": outside}


async def _visit(world, inspector, site: str, lat_lon) -> tuple[str, int, str]:
    """A submitted visit failing one fire item, with a photo: (visit uuid, issue id, photo uuid)."""
    photo = await upload_photo(inspector, world.sites[site])
    uuid = new_uuid()
    r = await inspector.put(f"/api/inspections/{uuid}", json=visit_naming(world.sites[site], *lat_lon, photo))
    assert r.status_code == 200, r.text
    return uuid, r.json()["issues"][0]["id"], photo


async def make(world) -> Objects:
    """The objects, on the clock frozen at DAY: built by the first test of the run that asks (its
    ledger jobs alone take seconds) and copied back for every other (tests/snapshots.py)."""
    from tests import snapshots

    clock.freeze(DAY)
    return Objects(ids=await snapshots.once("authorization", lambda: _build(world)))


async def _build(world) -> dict:
    o = Objects()
    inspector = await world.client("inspector")
    va, ia, pa = await _visit(world, inspector, "a1", A1)
    vb, ib, pb = await _visit(world, inspector, "b1", B1)
    o.put("site", world.sites["a1"], world.sites["b1"])
    o.put("inspection", va, vb)
    o.put("issue", ia, ib)
    o.put("photo", pa, pb)
    # photos tied only to a site (taken before the visit record arrives)
    o.put("site_photo", await upload_photo(inspector, world.sites["a1"]), await upload_photo(inspector, world.sites["b1"]))
    jobs = {}
    for county in ("county_a", "county_b"):
        client = await world.client(county)
        r = await client.post("/api/ledgers", json={"kind": "issues", "format": "xlsx"})
        assert r.status_code == 202, r.text
        jobs[county] = (await wait_done(client, r.json()))["uuid"]
    o.put("ledger", jobs["county_a"], jobs["county_b"])
    admin = await world.client("admin")
    users = {r["username"]: r["id"] for r in (await admin.get("/api/users")).json()}
    o.put("user", users["county_a"], users["county_b"])
    plans = {}
    for county in ("county_a", "county_b"):  # each county team's self-inspection plan, its team inspecting
        r = await (await world.client(county)).post("/api/plans", json={"month": "2026-12", "count": 1, "inspector_ids": [users[county]],
                                                                          "seed": f"table-{county}"})
        assert r.status_code == 200, r.text
        plans[county] = r.json()
    o.put("plan", plans["county_a"]["uuid"], plans["county_b"]["uuid"])
    o.put("planned_visit", *(f"{plans[c]['uuid']}/visits/{plans[c]['visits'][0]['uuid']}" for c in ("county_a", "county_b")))
    o.put("county", world.counties["盐湖区"], world.counties["临猗县"])
    return o.ids
