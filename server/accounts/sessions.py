"""Login, logout and resolving a session cookie to a Principal."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from server.accounts import throttle
from server.accounts.guards import Principal, principal_of
from server.accounts.passwords import check_password
from server.accounts.tables import Session, User
from server.audit import service as audit
from server.lib import clock, db
from server.lib.errors import Invalid, Unauthenticated
from server.settings import Settings

COOKIE = "ducha_session"
CSRF_HEADER = "x-csrf-token"
#: last_seen_at is written at most this often (a write on every request would serialise reads)
TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def login(settings: Settings, username: str, password: str, address: str, user_agent: str) -> tuple[str, str, Principal]:
    """Check the password (throttled); returns (cookie token, csrf token, principal)."""
    await throttle.reserve(settings, username, address)  # counted as a failure until it succeeds
    user = await User.select().where(User.username == username).first()
    ok = await check_password(user["password_hash"] if user else None, password)
    if not ok or not user["active"]:
        raise Invalid("login_failed", "用户名或密码错误")
    await throttle.succeeded(username, address)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    now = clock.now()
    async with db.write():
        row = Session(token_hash=_hash(token), user=user["id"], csrf_token=csrf, created_at=now, last_seen_at=now, user_agent=user_agent[:256])
        await row.save()
        principal = principal_of(user, row.id)
        await audit.record(principal.actor, "login", "user", user["id"], data={"address": address})
    return token, csrf, principal


async def resolve(settings: Settings, token: str | None) -> tuple[Principal, str]:
    """The caller of a cookie token and the session's CSRF token; Unauthenticated when none is valid."""
    if not token:
        raise Unauthenticated()
    rows = await Session.select(
        Session.id, Session.csrf_token, Session.created_at, Session.last_seen_at, *Session.user.all_columns()
    ).where(Session.token_hash == _hash(token))
    if not rows:
        raise Unauthenticated("登录已失效，请重新登录")
    row = rows[0]
    user = {k.split(".", 1)[1]: v for k, v in row.items() if k.startswith("user.")}
    now = clock.now()
    idle = now - clock.aware(row["last_seen_at"]) > timedelta(minutes=settings.session_idle_minutes)
    old = now - clock.aware(row["created_at"]) > timedelta(hours=settings.session_absolute_hours)
    if idle or old or not user["active"]:
        async with db.write():
            await Session.delete().where(Session.id == row["id"])
        raise Unauthenticated("登录已超时，请重新登录" if user["active"] else "账号已停用")
    if now - clock.aware(row["last_seen_at"]) > TOUCH_EVERY:
        async with db.write():
            await Session.update({Session.last_seen_at: now}).where(Session.id == row["id"])
    return principal_of(user, row["id"]), row["csrf_token"]


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")


async def logout(principal: Principal) -> None:
    async with db.write():
        await Session.delete().where(Session.id == principal.session_id)
        await audit.record(principal.actor, "logout", "user", principal.id)


async def csrf_token(session_id: int) -> str:
    row = await Session.select(Session.csrf_token).where(Session.id == session_id).first()
    return row["csrf_token"] if row else ""
