"""Templates over HTTP: applicable by site, scoped, cacheable for good."""


async def test_templates_for_a_small_site_drop_team_items(world):
    client = await world.client("inspector")
    r = await client.get("/api/templates", params={"site_id": world.sites["b1"]})  # 90 people
    assert r.status_code == 200
    by_id = {t["id"]: t for t in r.json()}
    assert len(by_id) == 7
    assert "work_team_size" in by_id["governance-integration"]["not_applicable"]
    assert "workshop_jobs" not in by_id["industry-employment"]["not_applicable"]
    assert by_id["fire-safety"]["version"] == 3


async def test_templates_for_a_large_site_drop_workshop_items(world):
    client = await world.client("inspector")
    r = await client.get("/api/templates", params={"site_id": world.sites["a2"]})  # 1200 people
    by_id = {t["id"]: t for t in r.json()}
    assert "workshop_jobs" in by_id["industry-employment"]["not_applicable"]
    assert "work_team_size" not in by_id["governance-integration"]["not_applicable"]


async def test_site_outside_scope_is_404(world):
    client = await world.client("county_a")
    r = await client.get("/api/templates", params={"site_id": world.sites["b1"]})
    assert r.status_code == 404


async def test_version_is_cacheable_with_etag(world):
    client = await world.client("site_a1")
    r = await client.get("/api/templates/fire-safety/versions/1")
    assert r.status_code == 200
    assert r.json()["id"] == "fire-safety" and r.json()["version"] == 1
    assert "immutable" in r.headers["cache-control"]
    etag = r.headers["etag"]
    again = await client.get("/api/templates/fire-safety/versions/1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    v2 = await client.get("/api/templates/fire-safety/versions/2")
    assert v2.headers["etag"] != etag


async def test_unknown_version_is_404_with_message(world):
    client = await world.client("inspector")
    r = await client.get("/api/templates/fire-safety/versions/99")
    assert r.status_code == 404 and r.json()["error"] == "unknown_template" and "不存在" in r.json()["message"]


async def test_a_site_without_population_asks_both_team_rules_and_says_why(world):
    admin = await world.client("admin")
    r = await admin.patch(f"/api/sites/{world.sites['b1']}", json={"registered_people": 0})
    assert r.status_code == 200, r.text
    client = await world.client("inspector")
    r = await client.get("/api/templates", params={"site_id": world.sites["b1"]})
    by_id = {t["id"]: t for t in r.json()}
    governance = by_id["governance-integration"]
    assert "work_team_size" not in governance["not_applicable"]
    assert "county_unified_management" not in governance["not_applicable"]  # unknown: both are asked
    assert governance["unknown_attributes"] == ["registered_people"]
    assert "workshop_exists" not in by_id["industry-employment"]["not_applicable"]
    r = await client.get("/api/templates", params={"site_id": world.sites["a2"]})  # 1200 people recorded
    assert {t["id"]: t for t in r.json()}["governance-integration"]["unknown_attributes"] == []
