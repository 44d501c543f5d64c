"""Login, logout, session expiry, CSRF and disabled users."""

from datetime import UTC, datetime, timedelta

import pytest

from server.lib import clock
from tests.audit.helpers import assert_audited
from tests.world import PASSWORD


async def test_login_sets_httponly_lax_cookie_and_returns_me(world):
    client = await world.client()
    r = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "city_inspector" and body["role_name"] == "市级督导员"
    assert body["csrf_token"]
    cookie = r.headers["set-cookie"]
    assert "ducha_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain HTTP in tests
    me = await client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "inspector"
    await assert_audited("login", body["id"], actor="inspector")


async def test_cookie_is_secure_under_https(world):
    client = await world.client()
    client.base_url = "https://testserver.local"
    r = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
    assert "Secure" in r.headers["set-cookie"]


async def test_wrong_password_is_clear_error_and_no_cookie(world):
    client = await world.client()
    r = await client.post("/api/auth/login", json={"username": "inspector", "password": "nope"})
    assert r.status_code == 422
    assert r.json()["error"] == "login_failed" and r.json()["message"] == "用户名或密码错误"
    assert "set-cookie" not in r.headers
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_unknown_user_answers_like_wrong_password(world):
    client = await world.client()
    r = await client.post("/api/auth/login", json={"username": "nobody", "password": "x"})
    assert r.status_code == 422 and r.json()["error"] == "login_failed"


@pytest.mark.own_clock
async def test_no_session_is_401_with_error_shape(world):
    client = await world.client()
    r = await client.get("/api/sites")
    assert r.status_code == 401
    assert r.json() == {"error": "auth_required", "message": "请先登录", "detail": None}


async def test_logout_ends_the_session(world):
    client = await world.client("inspector")
    assert (await client.post("/api/auth/logout")).status_code == 200
    await assert_audited("logout", world.users["inspector"], actor="inspector")
    assert (await client.get("/api/auth/me")).status_code == 401


@pytest.mark.own_clock
async def test_idle_session_expires(world):
    clock.freeze(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    client = await world.client("inspector")
    clock.advance(timedelta(hours=71))
    assert (await client.get("/api/auth/me")).status_code == 200  # use renews the idle timer
    clock.advance(timedelta(hours=72, minutes=1))
    r = await client.get("/api/auth/me")
    assert r.status_code == 401 and "超时" in r.json()["message"]


@pytest.mark.own_clock
async def test_absolute_session_timeout_even_when_used(world):
    clock.freeze(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))
    client = await world.client("inspector")
    for _ in range(14):
        clock.advance(timedelta(hours=24))
        assert (await client.get("/api/auth/me")).status_code == 200
    clock.advance(timedelta(hours=1))
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_forged_post_without_csrf_token_is_rejected(world):
    client = await world.client("admin")
    del client.headers["X-CSRF-Token"]
    r = await client.post("/api/departments", json={"code": "tongji", "name": "统计局"})
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"
    client.headers["X-CSRF-Token"] = "guessed"
    assert (await client.post("/api/departments", json={"code": "tongji", "name": "统计局"})).status_code == 403
    departments = (await client.get("/api/departments")).json()
    assert "tongji" not in [d["code"] for d in departments]


async def test_cross_origin_post_is_rejected_even_with_token(world):
    client = await world.client("admin")
    r = await client.post("/api/departments", json={"code": "tongji", "name": "统计局"},
                          headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"] == "csrf_failed"


async def test_same_origin_post_with_token_works(world):
    client = await world.client("admin")
    r = await client.post("/api/departments", json={"code": "tongji", "name": "统计局"},
                          headers={"Origin": "http://testserver.local"})
    assert r.status_code == 201, r.text
    await assert_audited("department.create", r.json()["id"], actor="admin")


async def test_disabled_user_loses_sessions_at_once(world):
    inspector = await world.client("inspector")
    admin = await world.client("admin")
    r = await admin.patch(f"/api/users/{world.users['inspector']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    await assert_audited("user.update", world.users["inspector"], actor="admin")
    assert (await inspector.get("/api/auth/me")).status_code == 401
    again = await world.client()
    r = await again.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
    assert r.status_code == 422
