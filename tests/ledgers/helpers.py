"""Issues and visits to put in ledgers, and waiting for a ledger job."""

from __future__ import annotations

import asyncio
import hashlib

from tests.inspections.helpers import body, new_uuid
from tests.photos.fixtures import FIXTURES

A1 = (35.03, 111.01)
B1 = (35.14, 110.77)


async def upload_photo(client, site_id: int, name: str = "gps/DSCN0012.jpg") -> str:
    data = (FIXTURES / name).read_bytes()
    uuid = new_uuid()
    r = await client.put(f"/api/photos/{uuid}", content=data, params={"sha256": hashlib.sha256(data).hexdigest(), "site_id": site_id,
                                                                      "lat": A1[0], "lon": A1[1], "accuracy": 10})
    assert r.status_code == 200, r.text
    return uuid


async def visit_with_issues(world, site: str = "a1", fail=("extinguishers_present", "hydrants_pressure"), photo: str | None = None) -> dict:
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
