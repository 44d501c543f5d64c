"""Who sees which sites: county A never sees county B (BOLA), listings stay in scope."""

import pytest


async def _site_ids(client):
    r = await client.get("/api/sites")
    assert r.status_code == 200, r.text
    return {s["id"] for s in r.json()["items"]}


async def test_city_roles_see_every_site(world):
    for user in ("admin", "inspector"):
        client = await world.client(user)
        assert await _site_ids(client) == set(world.sites.values())


async def test_county_team_lists_only_its_county(world):
    client = await world.client("county_a")
    assert await _site_ids(client) == {world.sites["a1"], world.sites["a2"]}
    r = await client.get("/api/sites", params={"county_id": world.counties["临猗县"]})
    assert r.json()["items"] == [] and r.json()["total"] == 0


async def test_county_a_user_gets_404_for_county_b_site(world):
    client = await world.client("county_a")
    r = await client.get(f"/api/sites/{world.sites['b1']}")
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    missing = await client.get("/api/sites/999999")
    assert missing.status_code == 404 and missing.json() == r.json()


async def test_county_team_cannot_edit_other_county_site(world):
    client = await world.client("county_a")
    r = await client.patch(f"/api/sites/{world.sites['b1']}", json={"households": 5})
    assert r.status_code == 404
    admin = await world.client("admin")
    assert (await admin.get(f"/api/sites/{world.sites['b1']}")).json()["households"] == 0


async def test_county_team_edits_its_own_sites_name_and_address_only(world):
    client = await world.client("county_a")
    r = await client.patch(f"/api/sites/{world.sites['a1']}", json={"address": "盐湖区解州镇新区路1号", "township": "解州镇"})
    assert r.status_code == 200 and r.json()["address"] == "盐湖区解州镇新区路1号"
    r = await client.patch(f"/api/sites/{world.sites['a1']}", json={"households": 210})
    assert r.status_code == 403 and r.json()["error"] == "needs_approval" and "households" in r.json()["message"]


async def test_site_manager_sees_only_its_site(world):
    client = await world.client("site_a1")
    assert await _site_ids(client) == {world.sites["a1"]}
    assert (await client.get(f"/api/sites/{world.sites['a2']}")).status_code == 404


async def test_department_user_bound_to_county_sees_that_county(world):
    client = await world.client("fire_a")
    assert await _site_ids(client) == {world.sites["a1"], world.sites["a2"]}
    assert (await client.get(f"/api/sites/{world.sites['b1']}")).status_code == 404


@pytest.mark.parametrize("user", ["inspector", "county_a", "site_a1", "fire_a"])
async def test_only_city_admin_creates_sites(world, user):
    client = await world.client(user)
    r = await client.post("/api/sites", json={"county_id": world.counties["盐湖区"], "name": "新点", "lat": 35.0, "lon": 111.0})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


@pytest.mark.parametrize("user", ["inspector", "county_a", "site_a1", "fire_a"])
async def test_only_city_admin_manages_users(world, user):
    client = await world.client(user)
    assert (await client.get("/api/users")).status_code == 403
    r = await client.post("/api/users", json={"username": "x1", "display_name": "x", "password": "0123456789", "role": "city_admin"})
    assert r.status_code == 403
