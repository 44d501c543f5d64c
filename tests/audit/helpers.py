"""``assert_audited``: a test states that a write left its audit event (who, what, on which object)."""

from __future__ import annotations

from typing import Any

from server.audit.tables import AuditEvent


async def assert_audited(action: str, object_id: Any = None, *, actor: str | None = None, **data: Any) -> dict:
    """The latest event of ``action`` (on ``object_id`` when given) exists, was done by ``actor``
    when given, and its data holds ``data``; returns it."""
    query = AuditEvent.select().where(AuditEvent.action == action)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    event = await query.order_by(AuditEvent.seq, ascending=False).output(load_json=True).first()
    assert event is not None, f"no audit event {action} on {object_id}"
    if actor is not None:
        assert event["actor"] == actor, event
    for key, value in data.items():
        assert event["data"].get(key) == value, (key, event["data"])
    return event
