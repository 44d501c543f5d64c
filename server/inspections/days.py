"""The day a visit happened, in Shanghai: what date rules (``days_since``) count to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.inspections.schemas import InspectionPut
from server.lib import clock


def visit_day(data: InspectionPut | dict[str, Any]) -> str:
    """The visit's day in Shanghai (``YYYY-MM-DD``), which date rules count to: the arrival, else the
    start, else now (a draft saved before arriving)."""
    if isinstance(data, dict):
        at = data.get("arrival_at") or data.get("started_at") or data.get("submitted_at")
    else:
        at = (data.arrival.at if data.arrival else None) or data.started_at
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=clock.SHANGHAI)
    return clock.local(at or clock.now()).date().isoformat()
