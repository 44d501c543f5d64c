"""Who may read a visit: drafts exist only for the city side; the inspected side sees submitted visits in scope."""

from tests.inspections.helpers import body, new_uuid

A1 = (35.03, 111.01)


async def test_draft_is_invisible_to_the_inspected_side(world):
    inspector = await world.client("inspector")
    uuid = new_uuid()
    assert (await inspector.put(f"/api/inspections/{uuid}", json=body(world.sites["a1"], *A1, state="draft"))).status_code == 200
    missing = new_uuid()
    for user in ("county_a", "site_a1", "fire_a"):
        client = await world.client(user)
        r = await client.get(f"/api/inspections/{uuid}")
        nothing = await client.get(f"/api/inspections/{missing}")
        assert r.status_code == 404 and r.json() == nothing.json()


async def test_submitted_visit_is_visible_in_scope_only(world):
    inspector = await world.client("inspector")
    uuid = new_uuid()
    await inspector.put(f"/api/inspections/{uuid}", json=body(world.sites["a1"], *A1))
    assert (await (await world.client("county_a")).get(f"/api/inspections/{uuid}")).status_code == 200
    assert (await (await world.client("site_a1")).get(f"/api/inspections/{uuid}")).status_code == 200
    assert (await (await world.client("county_b")).get(f"/api/inspections/{uuid}")).status_code == 404
    assert (await (await world.client("site_b1")).get(f"/api/inspections/{uuid}")).status_code == 404


async def test_another_inspector_cannot_overwrite(world):
    from server.accounts.tables import User
    from server.lib import clock

    first = await world.client("inspector")
    uuid = new_uuid()
    await first.put(f"/api/inspections/{uuid}", json=body(world.sites["a1"], *A1, state="draft"))
    u = await User.select().where(User.username == "inspector").first()
    await User.insert(User(username="inspector_b", display_name="乙", password_hash=u["password_hash"], role="city_inspector",
                           created_at=clock.now()))
    second = await world.client("inspector_b")
    r = await second.put(f"/api/inspections/{uuid}", json=body(world.sites["a1"], *A1, state="draft", notes="x"))
    assert r.status_code == 404
