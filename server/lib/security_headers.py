"""Headers on every response: no content sniffing (an uploaded file is never run as a page), no
framing, no referrer to other sites, and a strict Content Security Policy: the app's own scripts,
styles, images (and blob: for photos on the phone) only; the API's answers may run nothing."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
           "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
           "form-action 'self'; frame-ancestors 'none'")
API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Litestar ``before_send`` hook."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    path = scope.get("path", "")
    if path.startswith("/schema"):
        return  # Swagger and ReDoc load their own scripts; they are developer pages
    headers["Content-Security-Policy"] = API_CSP if path.startswith("/api/") else APP_CSP
