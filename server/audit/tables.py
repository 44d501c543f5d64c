"""The audit chain: one row an event, each hashing the one before."""

from typing import Any

from piccolo.columns import JSON, BigInt, Integer, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """hash = sha256(prev_hash || canonical_event)."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    seq = BigInt(unique=True)
    at = Timestamptz()
    actor_id = Integer(null=True, default=None)
    actor = Varchar(length=64, default="")
    action = Varchar(length=64)
    object_type = Varchar(length=32)
    object_id = Varchar(length=64)
    before_digest = Varchar(length=64, default="")
    after_digest = Varchar(length=64, default="")
    data = JSON(default={})
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64, unique=True)
    #: HMAC of ``hash`` under the audit key (kept outside the database).
    mac = Varchar(length=64, default="")


class AuditHead(Table, tablename="audit_head"):
    """One row: the chain's last sequence number and hash. Updating it serialises appends."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    seq = BigInt(default=0)
    hash = Varchar(length=64, default="0" * 64)
    #: HMAC of ``seq`` and ``hash`` under the audit key.
    mac = Varchar(length=64, default="")
