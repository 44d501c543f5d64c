"""Seal the audit chain with the audit key: a ``mac`` column on events and on the head.

Events recorded before this are sealed here, once, and only if their hash chain holds
(a chain already broken is left unsealed, so ``ducha audit verify`` keeps naming it).
"""


from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-02T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit events and head sealed with the audit key (HMAC)"


class AuditEvent(Table, tablename="audit_event"):
    pass


async def add_columns() -> None:
    await AuditEvent.raw("ALTER TABLE audit_event ADD COLUMN mac VARCHAR(64) NOT NULL DEFAULT ''")
    await AuditEvent.raw("ALTER TABLE audit_head ADD COLUMN mac VARCHAR(64) NOT NULL DEFAULT ''")


async def seal_existing() -> None:
    from server.audit import service
    from server.audit.tables import AuditEvent as Event

    rows = await Event.select().order_by(Event.seq).output(load_json=True)
    prev = service.GENESIS
    for i, row in enumerate(rows, start=1):
        if int(row["seq"]) != i or row["prev_hash"] != prev or service.chain_hash(prev, service.event_body(row)) != row["hash"]:
            return
        prev = row["hash"]
    for row in rows:
        await Event.raw("UPDATE audit_event SET mac = {} WHERE seq = {}", service.event_mac(row["hash"]), row["seq"])
    head = await Event.raw("SELECT seq, hash FROM audit_head")
    if rows and head and int(head[0]["seq"]) == len(rows) and head[0]["hash"] == prev:
        await Event.raw("UPDATE audit_head SET mac = {}", service.head_mac(len(rows), prev))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)
    manager.add_raw(add_columns)
    manager.add_raw(seal_existing)
    return manager
