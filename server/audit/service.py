"""Append to the audit chain and verify it.

Every write in a service calls :func:`record` inside its own transaction, so the
event and the change commit together or not at all. The single ``audit_head`` row
is updated first: on PostgreSQL that row lock serialises appends, on SQLite the
IMMEDIATE write transaction already does.

Three things make the chain hard to bend by someone who can write the database:
each event's ``hash`` covers the one before (an edit or a gap shows); each event and
the head carry a ``mac``, an HMAC under the audit key kept outside the database (a
chain recomputed after an edit, or a head moved back over a cut tail, shows); and an
*anchor* (the head's count and hash at some moment, printed in every ledger PDF and
in each 报送 mail, or written by ``ducha audit anchor``) kept by the city office
proves how far the chain had reached (a table emptied together with its head shows).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from server.audit.tables import AuditEvent, AuditHead
from server.lib import clock
from server.lib.canonical import canonical_json, digest
from server.settings import get_settings

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


def _mac(message: str) -> str:
    return hmac.new(get_settings().audit_key.encode(), message.encode(), hashlib.sha256).hexdigest()


def event_mac(event_hash: str) -> str:
    """The seal of one event (its hash already covers its content and the chain before it)."""
    return _mac(f"event:{event_hash}")


def head_mac(seq: int, head_hash: str) -> str:
    """The seal of the head: how many events there are and the last one's hash."""
    return _mac(f"head:{int(seq)}:{head_hash}")


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
    row: dict[str, Any] = {
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
    await AuditEvent.insert(AuditEvent(**row, prev_hash=prev_hash, hash=h, mac=event_mac(h)))
    await AuditHead.update({AuditHead.hash: h, AuditHead.mac: head_mac(seq, h)}, force=True)
    return h


@dataclass(frozen=True)
class Anchor:
    """The chain as it stood: ``seq`` events, the last one's ``hash``."""

    seq: int
    hash: str
    at: str = ""

    def line(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at}, ensure_ascii=False)

    def short(self) -> str:
        """For a PDF footer or a mail: enough to check against (count and the first 16 hex)."""
        return f"审计链 {self.seq} 条 · {self.hash[:16]}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """A line written by :meth:`line`, or ``<seq>:<hash>``, or the short form a PDF footer prints
        (``审计链 N 条 · <16 hex>``, a hash prefix). Raises ValueError with a readable reason."""
        text = text.strip()
        try:
            if text.startswith("{"):
                obj = json.loads(text)
                return cls(int(obj["seq"]), str(obj["hash"]).lower(), str(obj.get("at", "")))
            if text.startswith("审计链"):
                parts = text.replace("审计链", "").replace("条", "").split("·")
                return cls(int(parts[0]), parts[1].strip().lower())
            seq, h = text.split(":", 1)
            return cls(int(seq), h.strip().lower())
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ValueError(f"看不懂的锚点: {text[:80]!r}（应为 ducha audit anchor 写出的一行，或 条数:哈希）") from exc


async def anchor() -> Anchor:
    """The head as it stands now (read in one statement, so count and hash belong together)."""
    head = await AuditHead.select().first()
    if not head:
        return Anchor(0, GENESIS, clock.now().isoformat(timespec="seconds"))
    return Anchor(int(head["seq"]), head["hash"], clock.now().isoformat(timespec="seconds"))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    first_broken_seq: int | None = None
    reason: str = ""


async def verify(anchors: list[Anchor] | tuple[Anchor, ...] = (), batch: int = 2000) -> Verdict:
    """Walk the chain in order; name the first event that does not hold. Then the head must
    name exactly the events walked, sealed with the audit key, and every anchor given must lie
    on the chain."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    last = 0
    want = {a.seq: a for a in anchors}
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
            if not hmac.compare_digest(row["mac"] or "", event_mac(row["hash"])):
                return Verdict(False, count, seq, f"事件 {seq} 的印章不符：链被重新计算过，或审计密钥不是写入时的那个")
            if seq in want and not row["hash"].startswith(want[seq].hash):
                return Verdict(False, count, seq, f"事件 {seq} 与锚点记下的哈希不同：链在锚点之前被改写")
            prev_hash = row["hash"]
            expected_seq += 1
            count += 1
            last = seq
    head = await AuditHead.select().first()
    if head is None:
        if count:
            return Verdict(False, count, count + 1, "链头记录缺失")
    else:
        if int(head["seq"]) != count or head["hash"] != prev_hash:
            if count == 0:
                return Verdict(False, 0, 1, f"审计事件被全部删除（链头记录有 {int(head['seq'])} 条）")
            return Verdict(False, count, count + 1, f"链尾在事件 {count} 之后被截断或改写（链头记录有 {int(head['seq'])} 条）")
        if int(head["seq"]) and not hmac.compare_digest(head["mac"] or "", head_mac(count, prev_hash)):
            return Verdict(False, count, count + 1, f"链头的印章不符：链头被改回或改写过（现有 {count} 条）")
    for a in sorted(anchors, key=lambda a: a.seq):
        if a.seq > count:
            return Verdict(False, count, count + 1, f"锚点记下的链已有 {a.seq} 条，现在只有 {count} 条：链尾被截断")
        if a.seq == 0 and a.hash != GENESIS[: len(a.hash)]:
            return Verdict(False, count, 1, "锚点无效")
    return Verdict(True, count)
