"""Time: stored in UTC with zone, shown in Asia/Shanghai. Tests may freeze it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def now() -> datetime:
    """The current time, aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(at: datetime | None) -> None:
    """Fix the clock at ``at`` (None lets it run again)."""
    global _frozen
    _frozen = at.astimezone(timezone.utc) if at is not None else None


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    assert _frozen is not None, "clock is not frozen"
    _frozen = _frozen + delta


def local(dt: datetime) -> datetime:
    """``dt`` in Asia/Shanghai."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(SHANGHAI)


def aware(dt: datetime) -> datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)
