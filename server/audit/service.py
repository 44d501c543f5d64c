"""Append to the audit chain and verify it.

Every write in a service calls :func:`record` inside its own transaction, so the
event and the change commit together or not at all. The single ``audit_head`` row
is updated first: on PostgreSQL that row lock serialises appends, on SQLite the
IMMEDIATE write transaction already does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from server.audit.tables import AuditEvent, AuditHead
from server.lib import clock
from server.lib.canonical import canonical_json, digest

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did it: a user id and name, or the system."""

    id: int | None
    name: str


SYSTEM = Actor(None, "system")


def event_body(row: dict[str, Any]) -> dict[str, Any]:
    """The part of an event the hash covers."""
    at = clock.aware(row["at"])
    return {
        "seq": int(row["seq"]),
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": row["actor_id"],
        "actor": row["actor"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": str(row["object_id"]),
        "before_digest": row["before_digest"],
        "after_digest": row["after_digest"],
        "data": row["data"] or {},
    }


def chain_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode()).hexdigest()


async def _advance_head() -> tuple[int, str]:
    """Take the next sequence number; returns (seq, prev_hash). Must run inside a transaction."""
    rows = await AuditHead.raw("UPDATE audit_head SET seq = seq + 1 RETURNING seq, hash")
    if not rows:
        await AuditHead.insert(AuditHead(seq=0, hash=GENESIS))
        rows = await AuditHead.raw("UPDATE audit_head SET seq = seq + 1 RETURNING seq, hash")
    return int(rows[0]["seq"]), rows[0]["hash"]


async def record(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any,
    *,
    before: Any = None,
    after: Any = None,
    data: dict[str, Any] | None = None,
) -> str:
    """Append one event; returns its hash. Call inside the write's transaction."""
    seq, prev_hash = await _advance_head()
    row = {
        "seq": seq,
        "at": clock.now(),
        "actor_id": actor.id,
        "actor": actor.name,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before_digest": digest(before) if before is not None else "",
        "after_digest": digest(after) if after is not None else "",
        "data": data or {},
    }
    h = chain_hash(prev_hash, event_body(row))
    await AuditEvent.insert(AuditEvent(**row, prev_hash=prev_hash, hash=h))
    await AuditHead.update({AuditHead.hash: h}, force=True)
    return h


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    first_broken_seq: int | None = None
    reason: str = ""


async def verify(batch: int = 2000) -> Verdict:
    """Walk the chain in order; name the first event that does not hold."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    last = 0
    while True:
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.seq > last)
            .order_by(AuditEvent.seq)
            .limit(batch)
            .output(load_json=True)
        )
        if not rows:
            break
        for row in rows:
            seq = int(row["seq"])
            if seq != expected_seq:
                return Verdict(False, count, expected_seq, f"事件 {expected_seq} 缺失（被删除）")
            if row["prev_hash"] != prev_hash:
                return Verdict(False, count, seq, f"事件 {seq} 的前一哈希与链不符")
            if chain_hash(prev_hash, event_body(row)) != row["hash"]:
                return Verdict(False, count, seq, f"事件 {seq} 的内容已被修改")
            prev_hash = row["hash"]
            expected_seq += 1
            count += 1
            last = seq
    head = await AuditHead.select().first()
    if head and count and (int(head["seq"]) != count or head["hash"] != prev_hash):
        return Verdict(False, count, count + 1, f"链尾在事件 {count} 之后被截断或改写")
    return Verdict(True, count)
