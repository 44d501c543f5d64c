"""Bad input to the sync protocol: a clear 4xx and nothing stored."""

import pytest

from server.inspections.tables import Inspection
from server.issues.tables import Issue
from tests.inspections.helpers import body, check_items, new_uuid

A1 = (35.03, 111.01)


async def _refused(world, client, data, status, code, uuid=None):
    r = await client.put(f"/api/inspections/{uuid or new_uuid()}", json=data)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code and r.json()["message"]
    assert await Inspection.count() == 0 and await Issue.count() == 0
    return r.json()


async def test_answer_of_wrong_type(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    key = check_items(n=1)[0]
    data["answers"]["fire-safety"][key] = "maybe"
    out = await _refused(world, client, data, 422, "answers_invalid")
    assert out["detail"][0]["item"] == key and out["detail"][0]["code"] == "wrong_type"


async def test_unknown_item_key(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    data["answers"]["fire-safety"]["no_such_item"] = "pass"
    out = await _refused(world, client, data, 422, "answers_invalid")
    assert out["detail"][0]["code"] == "unknown_item"


async def test_template_version_that_does_not_exist(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    data["templates"][0]["version"] = 99
    await _refused(world, client, data, 422, "unknown_template")


async def test_missing_required_answers_on_submit(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    data["answers"]["fire-safety"] = {}
    out = await _refused(world, client, data, 422, "answers_invalid")
    assert all(e["code"] == "required" for e in out["detail"])


async def test_failed_item_without_required_photo(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1, fail=check_items(n=1))
    data["photos"] = {}
    out = await _refused(world, client, data, 422, "answers_invalid")
    assert out["detail"][0]["code"] == "photo_required"


async def test_submit_without_arrival(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    data["arrival"] = None
    await _refused(world, client, data, 422, "arrival_required")


async def test_not_a_uuid4(world):
    client = await world.client("inspector")
    await _refused(world, client, body(world.sites["a1"], *A1), 422, "bad_uuid", uuid="00000000-0000-1000-8000-000000000000")


async def test_unknown_field(world):
    client = await world.client("inspector")
    await _refused(world, client, body(world.sites["a1"], *A1, surprise=1), 400, "invalid_body")


async def test_arrival_with_invalid_latitude(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    data["arrival"]["lat"] = 123
    await _refused(world, client, data, 400, "invalid_body")


@pytest.mark.parametrize("user", ["site_a1", "fire_a"])
async def test_only_city_inspectors_and_county_teams_submit(world, user):
    client = await world.client(user)
    await _refused(world, client, body(world.sites["a1"], *A1), 403, "forbidden")


async def test_gcj02_arrival_is_converted(world):
    from server.lib.geo import wgs84_to_gcj02

    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    lat, lon = wgs84_to_gcj02(*A1)
    data["arrival"].update(lat=lat, lon=lon, coord_system="gcj02")
    r = await client.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 200 and r.json()["arrival_distance_m"] < 1


async def test_a_manual_arrival_needs_its_reason_and_may_have_no_position(world):
    client = await world.client("inspector")
    data = body(world.sites["a1"], *A1)
    data["arrival"] = {"at": data["arrival"]["at"], "source": "manual"}
    await _refused(world, client, data, 422, "arrival_reason_required")
    no_fix = {**data, "arrival": {"at": data["arrival"]["at"]}}
    await _refused(world, client, no_fix, 422, "arrival_position_required")
    half = {**data, "arrival": {"at": data["arrival"]["at"], "lat": A1[0], "source": "manual", "reason": "x"}}
    await _refused(world, client, half, 422, "bad_arrival")
    data["arrival"]["reason"] = "拒绝了定位权限，手机无法定位"
    r = await client.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["arrival"]["source"] == "manual" and answer["arrival"]["reason"] == "拒绝了定位权限，手机无法定位"
    assert answer["arrival"]["lat"] is None and answer["arrival_distance_m"] is None

    from server.accounts.guards import SHELL
    from server.ledgers import rows
    from server.ledgers.model import LedgerFilters

    work = await rows.build(SHELL, "work", LedgerFilters())
    assert "（手动登记，未定位：拒绝了定位权限，手机无法定位）" in work.rows[0]["arrival"]
