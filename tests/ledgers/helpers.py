"""Issues and visits to put in ledgers, and waiting for a ledger job."""

from __future__ import annotations

import asyncio

from tests.inspections import helpers as inspection_helpers
from tests.inspections.helpers import body, new_uuid

A1 = (35.03, 111.01)
B1 = (35.14, 110.77)


async def upload_photo(client, site_id: int, name: str = "gps/DSCN0012.jpg") -> str:
    """A real photo taken near site a1."""
    return await inspection_helpers.upload_photo(client, site_id, name, lat=A1[0], lon=A1[1], accuracy=10)


async def many_issues(world, n: int, site: str = "a1") -> None:
    """``n`` distinct open issues at a site (complaints: one cause each, so none is a re-finding)."""
    admin = await world.client("admin")
    for i in range(n):
        r = await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites[site],
                                                  "area": "消防措施", "description": f"群众反映：{i + 1}号楼楼道堆放杂物"})
        assert r.status_code == 200, r.text


async def visit_with_issues(world, site: str = "a1", fail=("extinguishers_present", "outdoor_hydrants"), photo: str | None = None) -> dict:
    inspector = await world.client("inspector")
    lat, lon = A1 if site.startswith("a") else B1
    data = body(world.sites[site], lat, lon, fail=list(fail))
    if photo:
        data["photos"] = {"fire-safety": {key: [photo] for key in fail}}
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 200, r.text
    return r.json()


async def wait_done(client, job: dict, timeout: float = 120) -> dict:
    """Poll the job as the user's screen would; every answer's progress is recorded."""
    seen = []
    for _ in range(int(timeout * 10)):
        r = await client.get(f"/api/ledgers/{job['uuid']}")
        assert r.status_code == 200, r.text
        job = r.json()
        seen.append((job["state"], job["rows_done"], job["rows_total"]))
        if job["state"] in ("done", "failed"):
            job["seen"] = seen
            return job
        await asyncio.sleep(0.1)
    raise AssertionError(f"ledger job not finished: {seen[-3:]}")
