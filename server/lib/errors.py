"""The one catalogue of domain errors.

Services raise these; ``server.app`` turns each into the JSON error shape
``{"error": code, "message": 中文说明, "detail": ...}``. Codes are stable: the PWA
keys its behaviour on them and shows the Chinese message.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status_code = 400
    code = "invalid"
    message = "请求无效"

    def __init__(self, message: str | None = None, *, code: str | None = None, detail: Any = None) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        self.detail = detail
        super().__init__(self.message)


class Invalid(DomainError):
    """The input breaks a rule (HTTP 400 or 422)."""

    status_code = 422
    code = "invalid"
    message = "提交的内容不符合要求"

    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(message, code=code, detail=detail)


class NotFound(DomainError):
    """The object does not exist, or the caller may not know it exists (HTTP 404)."""

    status_code = 404
    code = "not_found"
    message = "找不到该对象"


class Forbidden(DomainError):
    """The caller may see the object but not do this to it (HTTP 403)."""

    status_code = 403
    code = "forbidden"
    message = "没有权限执行此操作"


class Conflict(DomainError):
    """The request conflicts with the current state (HTTP 409)."""

    status_code = 409
    code = "conflict"
    message = "与现有数据冲突"


class Unauthenticated(DomainError):
    """No valid session (HTTP 401)."""

    status_code = 401
    code = "auth_required"
    message = "请先登录"


class TooManyAttempts(DomainError):
    """Throttled (HTTP 429); ``retry_after`` seconds."""

    status_code = 429
    code = "too_many_attempts"
    message = "尝试次数过多，请稍后再试"

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(message or f"尝试次数过多，请 {self.retry_after} 秒后再试", detail={"retry_after": self.retry_after})


class UnsupportedMedia(DomainError):
    """The upload is not a type we accept (HTTP 415)."""

    status_code = 415
    code = "unsupported_media"
    message = "不支持的文件类型"


class TooLarge(DomainError):
    """The upload is over a size or pixel limit (HTTP 413)."""

    status_code = 413
    code = "too_large"
    message = "文件过大"
