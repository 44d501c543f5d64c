"""Login, logout, who am I, and user management."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import JSONBody

from server.accounts import service, sessions
from server.accounts.guards import Principal
from server.accounts.middleware import check_origin
from server.accounts.roles import ROLE_NAMES
from server.accounts.schemas import LoginIn, Me, UserCreate, UserOut, UserUpdate
from server.lib.bounds import PathId
from server.lib.errors import UnsupportedMedia
from server.settings import get_settings


def _me(p: Principal, csrf: str) -> Me:
    return Me(id=p.id, username=p.username, display_name=p.display_name, role=p.role, role_name=ROLE_NAMES[p.role],
              county_id=p.county_id, site_id=p.site_id, department_id=p.department_id, csrf_token=csrf)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/login", operation_id="login", opt={"exclude_from_auth": True}, status_code=200)
    async def login(self, request: Request, data: JSONBody[LoginIn]) -> Response[Me]:
        check_origin(request)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            # a cross-site form can send text/plain or a form without a preflight; the app sends JSON
            raise UnsupportedMedia("登录请求须为 JSON（Content-Type: application/json）")
        settings = get_settings()
        token, csrf, p = await sessions.login(settings, data.username, data.password, client_address(request),
                                              request.headers.get("user-agent", ""))
        response = Response(_me(p, csrf))
        response.set_cookie(
            sessions.COOKIE, token, httponly=True, samesite="lax", path="/",
            secure=settings.secure_cookies or request.url.scheme == "https",
            max_age=settings.session_absolute_hours * 3600,
        )
        return response

    @post("/logout", operation_id="logout", status_code=200)
    async def logout(self, request: Request) -> Response[dict]:
        await sessions.logout(request.user)
        response = Response({"ok": True})
        response.delete_cookie(sessions.COOKIE, path="/")
        return response

    @get("/me", operation_id="me")
    async def me(self, request: Request) -> Me:
        p: Principal = request.user
        return _me(p, await sessions.csrf_token(p.session_id or 0))


class UsersController(Controller):
    path = "/api/users"
    tags = ["accounts"]

    @get("/", operation_id="listUsers")
    async def list_users(self, request: Request) -> list[UserOut]:
        return await service.list_users(request.user)

    @post("/", operation_id="createUser")
    async def create_user(self, request: Request, data: JSONBody[UserCreate]) -> UserOut:
        return await service.create_user(request.user, data)

    @patch("/{user_id:int}", operation_id="updateUser")
    async def update_user(self, request: Request, user_id: PathId, data: JSONBody[UserUpdate]) -> UserOut:
        return await service.update_user(request.user, user_id, data)
