"""Nothing answers differently for another county's object than for one that does not exist:
a photo linked to someone else's visit, a plan naming users the planner may not assign, a ledger
filtered by a site outside the caller's county."""

from __future__ import annotations

import hashlib

import pytest

from tests.authorization import objects
from tests.inspections.helpers import new_uuid
from tests.photos.fixtures import photo


@pytest.mark.own_clock
async def test_a_photo_sent_with_someone_elses_visit_is_not_judged_against_it(world):
    o = await objects.make(world)
    county = await world.client("county_b")
    image = photo("gps/DSCN0021.jpg")
    answers = []
    for visit in (o.ids["inspection"]["in"], o.ids["inspection"]["out"], new_uuid()):
        r = await county.put(f"/api/photos/{new_uuid()}", content=image,
                             params={"sha256": hashlib.sha256(image).hexdigest(), "site_id": world.sites["b1"], "inspection": visit},
                             headers={"Content-Type": "application/octet-stream"})
        assert r.status_code == 200, r.text
        answers.append(r.json()["outside_visit"])
    assert answers == [None, None, None]


async def test_a_county_plan_naming_another_countys_user_reads_as_a_missing_user(world):
    county = await world.client("county_a")
    body = {"month": "2026-12", "count": 1, "seed": "oracle"}
    other = await county.post("/api/plans", json={**body, "inspector_ids": [world.users["county_b"]]})
    missing = await county.post("/api/plans", json={**body, "inspector_ids": [999_999]})
    assert other.status_code == missing.status_code == 422
    assert other.json()["error"] == missing.json()["error"] == "bad_inspectors"
    assert other.json()["message"].replace(str(world.users["county_b"]), "N") == missing.json()["message"].replace("999999", "N")
    assert "测试county_b" not in other.text


@pytest.mark.parametrize("role", ["county_a", "fire_a"])
async def test_a_ledger_filtered_by_a_site_outside_the_county_reads_as_a_missing_site(world, role):
    client = await world.client(role)
    other = await client.post("/api/ledgers", json={"kind": "issues", "site_id": world.sites["b1"]})
    missing = await client.post("/api/ledgers", json={"kind": "issues", "site_id": 999_999})
    assert other.status_code == missing.status_code == 404 and other.json() == missing.json()
    assert "临猗" not in other.text
