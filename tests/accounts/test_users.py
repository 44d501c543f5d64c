"""Accounts managed by the city admin: nobody can lock themselves out."""


async def test_the_city_admin_cannot_disable_their_own_account(world):
    admin = await world.client("admin")
    r = await admin.patch(f"/api/users/{world.users['admin']}", json={"active": False})
    assert r.status_code == 422 and r.json()["error"] == "self_disable" and "不能停用自己的账号" in r.json()["message"]
    assert (await admin.get("/api/auth/me")).status_code == 200  # still logged in
    r = await admin.patch(f"/api/users/{world.users['inspector']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
