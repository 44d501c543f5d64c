"""The audit chain verifies, then names the first broken event after a direct SQL change."""

import subprocess
import sys

from server.audit import service as audit
from server.audit.tables import AuditEvent
from server.lib import db


async def _some_events(world):
    client = await world.client("admin")
    for i in range(3):
        r = await client.patch(f"/api/sites/{world.sites['a1']}", json={"households": 100 + i})
        assert r.status_code == 200


async def test_every_change_is_recorded_with_before_and_after(world):
    await _some_events(world)
    rows = await AuditEvent.select().where(AuditEvent.action == "site.update").order_by(AuditEvent.seq)
    assert len(rows) == 3
    assert all(r["before_digest"] and r["after_digest"] and r["before_digest"] != r["after_digest"] for r in rows)
    assert rows[0]["actor"] == "admin"


async def test_chain_verifies_then_names_the_updated_event(world):
    await _some_events(world)
    verdict = await audit.verify()
    assert verdict.ok and verdict.events >= 6
    target = (await AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "site.update").order_by(AuditEvent.seq).first())["seq"]
    await db.execute(f"UPDATE audit_event SET actor = 'mallory' WHERE seq = {int(target)}")
    verdict = await audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == target and "修改" in verdict.reason


async def test_deleted_event_is_named(world):
    await _some_events(world)
    await db.execute("DELETE FROM audit_event WHERE seq = 4")
    verdict = await audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == 4


async def test_deleted_last_event_is_named(world):
    await _some_events(world)
    last = (await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first())["seq"]
    await db.execute(f"DELETE FROM audit_event WHERE seq = {int(last)}")
    verdict = await audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == last


async def test_cli_audit_verify_exit_code_names_event(world):
    await _some_events(world)
    ok = subprocess.run([sys.executable, "-m", "server.cli", "audit", "verify"], capture_output=True, text=True)
    assert ok.returncode == 0 and "审计链完整" in ok.stdout
    await db.execute("UPDATE audit_event SET actor_id = 999 WHERE seq = 2")
    bad = subprocess.run([sys.executable, "-m", "server.cli", "audit", "verify"], capture_output=True, text=True)
    assert bad.returncode == 1 and "事件 2" in bad.stderr
