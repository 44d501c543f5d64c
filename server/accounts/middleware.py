"""Session-cookie authentication and CSRF protection for every /api route.

A route opts out with ``opt={"exclude_from_auth": True}`` (login, health).
Unsafe methods need the session's CSRF token in the ``X-CSRF-Token`` header, and a
request whose ``Origin`` names another host is refused before anything else.
"""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.accounts import sessions
from server.lib.errors import Forbidden
from server.settings import get_settings

SAFE = {"GET", "HEAD", "OPTIONS"}


def check_origin(connection: ASGIConnection) -> None:
    """Refuse a cross-site unsafe request (a forged form or fetch from another origin)."""
    origin = connection.headers.get("origin")
    if not origin or connection.scope.get("method", "GET") in SAFE:
        return
    host = connection.headers.get("host", "")
    if origin.rstrip("/") != f"{connection.url.scheme}://{host}":  # scheme too: http:// is not https://
        raise Forbidden("跨站请求被拒绝", code="csrf_failed")


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        check_origin(connection)
        principal, csrf = await sessions.resolve(get_settings(), connection.cookies.get(sessions.COOKIE))
        unsafe = connection.scope.get("method", "GET") not in SAFE
        if unsafe and not sessions.csrf_ok(csrf, connection.headers.get(sessions.CSRF_HEADER)):
            raise Forbidden("安全校验失败（CSRF），请刷新页面后重试", code="csrf_failed")
        return AuthenticationResult(user=principal, auth=principal.session_id)
