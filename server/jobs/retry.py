"""Which failures of background work pass (try again later) and which do not, when to try again,
and how long a piece of work may run.

A passing fault is a service out of reach for a while: the database, the object store or the mail
server refusing or dropping a connection, timing out, or answering "busy, come back later" (5xx,
SlowDown, SMTP 4xx). Anything else (a bug, a bad template, a bucket that does not exist) fails the
same way every time, so it fails at once and says why. A task that ran past its time limit is not
tried again either: it would run as long the next time.
"""

from __future__ import annotations

import asyncio
import smtplib
import sqlite3
from collections.abc import Awaitable
from typing import TypeVar

from server.settings import get_settings

T = TypeVar("T")

#: tries in all of a task that keeps failing on a passing fault (the first and three more)
MAX_TRIES = 4


class TimedOut(Exception):
    """Work that ran past ``DUCHA_JOB_TIMEOUT_SECONDS``, stopped."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        minutes = f"{limit / 60:g} 分钟" if limit >= 60 else f"{limit:g} 秒"
        super().__init__(f"超过 {minutes}仍未完成，已停止")


async def within(limit: float | None, work: Awaitable[T]) -> T:
    """``work``, stopped after ``limit`` seconds (None or 0: no limit) with TimedOut."""
    if not limit or limit <= 0:
        return await work
    try:
        async with asyncio.timeout(limit) as scope:
            return await work
    except TimeoutError:
        if scope.expired():
            raise TimedOut(limit) from None
        raise  # a timeout of its own inside the work (a socket's): a passing fault, not ours


def limit() -> float:
    return float(get_settings().job_timeout_seconds)


def wait(tries_before: int) -> float:
    """Seconds before the next try, after ``tries_before`` failed ones: the setting, then twice and
    four times as long."""
    return get_settings().job_retry_seconds * 2 ** max(0, tries_before - 1)


def again_in(exc: BaseException, tries: int) -> float | None:
    """After ``tries`` tries of which the last failed with ``exc``: seconds until the next, or None
    when there is none (a lasting failure, or the last try)."""
    return wait(tries) if tries < MAX_TRIES and transient(exc) else None


def transient(exc: BaseException) -> bool:
    """Does ``exc`` (or what caused it) say a service was out of reach for a while?"""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, TimedOut):
            return False
        if _passing(e):
            return True
        e = e.__cause__ or e.__context__
    return False


def _passing(e: BaseException) -> bool:
    if isinstance(e, ConnectionError | TimeoutError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(e, smtplib.SMTPResponseException):  # 4xx: "try again later"; 5xx: refused for good
        return 400 <= e.smtp_code < 500
    if isinstance(e, sqlite3.OperationalError):
        return "locked" in str(e) or "busy" in str(e)
    module = type(e).__module__
    if module.startswith("psycopg"):
        import psycopg

        return isinstance(e, psycopg.OperationalError)
    if module.startswith("asyncpg"):
        import asyncpg

        return isinstance(e, asyncpg.PostgresConnectionError | asyncpg.exceptions.CannotConnectNowError
                          | asyncpg.exceptions.TooManyConnectionsError)
    if module.startswith("botocore"):
        from botocore import exceptions as boto

        if isinstance(e, boto.ClientError):
            error = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return status >= 500 or error.get("Code") in {"SlowDown", "Throttling", "RequestTimeout", "ServiceUnavailable"}
        return isinstance(e, boto.ConnectionError | boto.HTTPClientError)  # refused, reset, timed out
    return False
