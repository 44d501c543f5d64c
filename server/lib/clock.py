"""Time: stored in UTC with zone, shown in Asia/Shanghai. Tests set the clock they need.

Two ways to set it, both for tests only:
- ``freeze(at)``: the clock stands still at ``at`` (in-process tests);
- ``start_at(at)``: the clock reads ``at`` now and runs on from there, as a real clock does. A
  server process started with ``DUCHA_TEST_CLOCK`` runs on such a clock (the browser tests), and
  the test process sets the same one, so the phone, the server and the test agree on the date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None
_offset = timedelta(0)
#: the test suite only: told of each read of the real time (no clock set), so a test that says it
#: sets every clock it reads is held to it (tests/clock_rule.py)
on_real_read: Callable[[], None] | None = None


def now() -> datetime:
    """The current time, aware, in UTC."""
    if _frozen is not None:
        return _frozen
    if on_real_read is not None and _offset == timedelta(0):
        on_real_read()
    return datetime.now(UTC) + _offset


def is_set() -> bool:
    """A test has set this process's clock (frozen or started elsewhere)."""
    return _frozen is not None or _offset != timedelta(0)


def today() -> date:
    """Today's date in Asia/Shanghai (not the UTC date: they differ from 00:00 to 08:00)."""
    return local(now()).date()


def freeze(at: datetime | None) -> None:
    """Fix the clock at ``at`` (None lets it run again, on the real time)."""
    global _frozen, _offset
    _frozen = at.astimezone(UTC) if at is not None else None
    if at is None:
        _offset = timedelta(0)


def start_at(at: datetime) -> None:
    """Set a running clock: it reads ``at`` now and goes on from there."""
    global _frozen, _offset
    _frozen = None
    _offset = at.astimezone(UTC) - datetime.now(UTC)


def use_test_clock(value: str) -> None:
    """``DUCHA_TEST_CLOCK``: a process (the browser tests' server, a shell command a test runs)
    starts on the instant a test chose. Refused unless it is an ISO 8601 instant with its zone."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"DUCHA_TEST_CLOCK 不是 ISO 8601 时刻（例 2026-11-18T10:00:00+08:00）: {value!r}") from None
    if at.tzinfo is None:
        raise SystemExit(f"DUCHA_TEST_CLOCK 须带时区（例 +08:00）: {value!r}")
    start_at(at)
    logging.getLogger("ducha").warning(
        "!!! DUCHA_TEST_CLOCK is set: this process's clock starts at %s, not at the real time. For tests only. !!!",
        at.isoformat())



def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    assert _frozen is not None, "clock is not frozen"
    _frozen = _frozen + delta


def local(dt: datetime) -> datetime:
    """``dt`` in Asia/Shanghai."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(SHANGHAI)


def aware(dt: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
