"""Creating and editing sites; bad input is a clear 4xx and writes nothing."""

import pytest

from tests.audit.helpers import assert_audited


def _site(world, **over):
    body = {"county_id": world.counties["万荣县"], "name": "万荣测试新区", "lat": 35.41, "lon": 110.84,
            "registered_people": 799, "other_people": 20, "households": 200, "has_workshop": True}
    body.update(over)
    return body


async def _count(client):
    return (await client.get("/api/sites")).json()["total"]


async def test_admin_creates_site_and_reads_it_back(world):
    client = await world.client("admin")
    r = await client.post("/api/sites", json=_site(world))
    assert r.status_code == 201, r.text
    site = r.json()
    assert site["county_name"] == "万荣县" and site["total_people"] == 819 and site["coord_source"] == "wgs84"
    assert (await client.get(f"/api/sites/{site['id']}")).json() == site
    await assert_audited("site.create", site["id"], actor="admin")


async def test_gcj02_position_is_stored_as_wgs84(world):
    client = await world.client("admin")
    r = await client.post("/api/sites", json=_site(world, lat=35.41, lon=110.84, coord_system="gcj02"))
    site = r.json()
    assert site["coord_source"] == "gcj02"
    # GCJ-02 is offset from WGS-84 by some hundreds of metres in Yuncheng
    assert 0.0005 < abs(site["lat"] - 35.41) + abs(site["lon"] - 110.84) < 0.02


@pytest.mark.parametrize(
    "body_change",
    [
        {"lat": 91},
        {"lon": -181},
        {"lat": "north"},
        {"registered_people": -1},
        {"unknown_field": 1},
        {"name": ""},
    ],
)
async def test_bad_site_input_is_400_and_nothing_written(world, body_change):
    client = await world.client("admin")
    before = await _count(client)
    r = await client.post("/api/sites", json=_site(world, **body_change))
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "invalid_body" and body["message"].startswith("提交的内容格式不正确")
    assert await _count(client) == before


async def test_nan_coordinates_are_refused(world):
    client = await world.client("admin")
    before = await _count(client)
    raw = '{"county_id": %d, "name": "x", "lat": NaN, "lon": 111}' % world.counties["万荣县"]
    r = await client.post("/api/sites", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert await _count(client) == before


async def test_malformed_json_is_400(world):
    client = await world.client("admin")
    r = await client.post("/api/sites", content=b'{"name": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_body"


async def test_oversize_body_is_413(world):
    client = await world.client("admin")
    before = await _count(client)
    big = _site(world, address="x" * (3 * 1024 * 1024))
    r = await client.post("/api/sites", json=big)
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert await _count(client) == before


async def test_unknown_county_is_422_and_nothing_written(world):
    client = await world.client("admin")
    before = await _count(client)
    r = await client.post("/api/sites", json=_site(world, county_id=99999))
    assert r.status_code == 422 and r.json()["error"] == "unknown_county"
    assert await _count(client) == before


async def test_counties_are_the_13_of_yuncheng(world):
    client = await world.client("site_a1")
    names = {c["name"] for c in (await client.get("/api/counties")).json()}
    assert len(names) == 13 and {"盐湖区", "永济市", "河津市", "芮城县", "绛县"} <= names


async def test_user_scope_must_match_role(world):
    client = await world.client("admin")
    r = await client.post("/api/users", json={"username": "c1", "display_name": "县", "password": "0123456789ab", "role": "county_team"})
    assert r.status_code == 422 and r.json()["error"] == "bad_scope"
    r = await client.post("/api/users", json={"username": "c1", "display_name": "县", "password": "short", "role": "county_team",
                                              "county_id": world.counties["夏县"]})
    assert r.status_code == 422 and r.json()["error"] == "weak_password"
    r = await client.post("/api/users", json={"username": "c1", "display_name": "县", "password": "0123456789ab", "role": "county_team",
                                              "county_id": world.counties["夏县"]})
    assert r.status_code == 201
    event = await assert_audited("user.create", r.json()["id"], actor="admin")
    assert "0123456789ab" not in str(event)  # the password is never in the log
    r = await client.post("/api/users", json={"username": "c1", "display_name": "县", "password": "0123456789ab", "role": "city_admin"})
    assert r.status_code == 422 and r.json()["error"] == "username_taken"
