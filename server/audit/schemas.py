"""What the audit routes answer: events as recorded, and the chain's verification."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class EventOut(msgspec.Struct):
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    #: what the event says beyond who, what and which (reasons, changes, counts…)
    data: dict[str, Any]
    hash: str


class EventPage(msgspec.Struct):
    items: list[EventOut]
    total: int
    offset: int
    limit: int


class ChainStatus(msgspec.Struct):
    """The whole chain walked now: intact or the first event that does not hold, and why."""

    ok: bool
    events: int
    first_broken_seq: int | None
    reason: str
    head_seq: int
    head_hash: str
    checked_at: datetime
