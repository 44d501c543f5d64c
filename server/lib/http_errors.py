"""Every error leaves the server in one JSON shape:
``{"error": code, "message": 中文说明, "detail": ...}``."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from server.lib.errors import DomainError, TooManyAttempts

log = logging.getLogger("ducha")

#: Litestar's own HTTP errors by status: (code, message)
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求格式不正确"),
    401: ("auth_required", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "找不到该对象"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("too_large", "请求内容过大"),
    415: ("unsupported_media", "不支持的内容类型"),
    429: ("too_many_attempts", "请求过于频繁，请稍后再试"),
}


def _body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": code, "message": message, "detail": detail}


def domain_error(_: Request, exc: DomainError) -> Response:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyAttempts) else None
    return Response(_body(exc.code, exc.message, exc.detail), status_code=exc.status_code, headers=headers)


def http_error(_: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        detail = exc.extra if exc.extra else exc.detail
        return Response(_body("invalid_body", "提交的内容格式不正确：" + _explain(exc), detail), status_code=400)
    code, message = HTTP_CODES.get(status, ("http_error", "请求无法处理"))
    if status == 400:  # Litestar's 400s are all about a body or parameter it could not read
        return Response(_body("invalid_body", "提交的内容格式不正确：" + str(exc.detail), None), status_code=400)
    if status == 500 and exc.detail == "client disconnected prematurely":  # a cut uplink, not a server fault
        log.info("client disconnected during its request body")
        return Response(_body("connection_lost", "连接中断，请求未完整送达，请重试", None), status_code=400)
    if status >= 500:
        log.error("HTTP %s: %s", status, exc.detail)
        code, message = "internal", "服务器内部错误，请稍后重试"
    return Response(_body(code, message, None), status_code=status, headers=exc.headers)


def _explain(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    parts = []
    for item in extra[:3]:
        if isinstance(item, dict):
            parts.append(f"{item.get('key', '')} {item.get('message', '')}".strip())
    return "；".join(parts) or str(exc.detail)


#: a value no column or calendar can hold, that slipped past the checks at the edge
OUT_OF_RANGE = ("out_of_range", "提交的数值或日期超出允许范围")


def _out_of_range(exc: Exception) -> bool:
    """Python's int/date overflow, SQLite's "int too large", PostgreSQL's out-of-range data errors."""
    if isinstance(exc, OverflowError):
        return True
    sqlstate = getattr(exc, "sqlstate", None)  # asyncpg: 22003 numeric, 22008 datetime field overflow
    return sqlstate in {"22003", "22008"}


def internal_error(_: Request, exc: Exception) -> Response:
    if _out_of_range(exc):  # the write's transaction is rolled back as for any error: nothing half written
        log.warning("value out of range reached the database: %s", exc)
        return Response(_body(*OUT_OF_RANGE), status_code=400)
    log.exception("unhandled error", exc_info=exc)
    return Response(_body("internal", "服务器内部错误，请稍后重试"), status_code=500)


HANDLERS: dict[Any, Any] = {DomainError: domain_error, HTTPException: http_error, Exception: internal_error}
