"""The OpenAPI document names the errors each route really answers, in their real shape.

Every error leaves the server as ``{"error": code, "message": 中文说明, "detail": ...}``
(``server.lib.http_errors``), not Litestar's default 400 shape; this module puts that shape
and the statuses a route can answer into the document, so that a client generated from it,
or a fuzzer checking responses against it, reads the same API the server speaks."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec


class ErrorBody(msgspec.Struct):
    """An error: a stable code the app keys on, a message to show, details where useful."""

    error: str
    message: str
    detail: Any = None


#: status: what it means on this API
MEANINGS = {
    400: "请求格式不正确（JSON、参数类型、数值或日期超出范围）",
    401: "未登录或会话已过期",
    403: "无权执行此操作，或 CSRF 校验失败",
    404: "对象不存在，或不在调用者的范围内（两者回答相同）",
    409: "与当前状态冲突（例如问题已被他人处理、编号已被占用）",
    413: "内容过大（请求体、照片大小或像素）",
    415: "不支持的内容类型",
    422: "内容不符合业务规则（错误码说明原因）",
    429: "尝试过于频繁（见 Retry-After）",
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    """The error statuses a route can answer: every route may meet a malformed request (400);
    a route behind the session also 401, 403, 404 and 422; writes 409 and 413; the photo upload
    and login 415; login 422 and 429."""
    methods = set(handler.http_methods)
    if not path.startswith("/api/") or path == "/api/health":
        return set()
    if path == "/api/auth/login":
        return {400, 413, 415, 422, 429}
    out = {400, 401, 403, 404, 422}
    if methods & WRITES:
        out |= {409, 413}
    if path.startswith(("/api/photos", "/api/photo-uploads", "/api/ledgers/verification")):
        out |= {413, 415}
    # a read that can meet a state conflict says so: ``@get(..., opt={"errors": {409}})``
    return out | set(handler.opt.get("errors", ()))


def document_errors(app: Litestar) -> None:
    """Attach the error responses to every API route of ``app`` (before the document is built)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler):
                continue
            codes = statuses(handler, route.path)
            if not codes:
                continue
            extra = dict(handler.responses or {})
            for code in sorted(codes):
                extra.setdefault(code, ResponseSpec(data_container=ErrorBody, description=MEANINGS[code], generate_examples=False))
            handler.responses = extra
