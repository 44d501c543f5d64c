"""The audit chain verifies, then names the first broken event after a direct SQL change."""

import subprocess
import sys

import pytest

from server.audit import service as audit
from server.audit.tables import AuditEvent
from server.lib import db
from tests.audit.helpers import assert_audited


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
    await assert_audited("site.update", world.sites["a1"], actor="admin")


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


# --- what someone with write access to the database but without the audit key cannot do unnoticed


async def _last_seq() -> int:
    return int((await AuditEvent.select(AuditEvent.seq).order_by(AuditEvent.seq, ascending=False).first())["seq"])


async def test_an_event_data_change_is_named(world):
    await _some_events(world)
    target = (await AuditEvent.select(AuditEvent.seq).where(AuditEvent.action == "site.update").first())["seq"]
    await AuditEvent.update({AuditEvent.data: {"households": 1}}).where(AuditEvent.seq == target)
    verdict = await audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == target


async def test_an_emptied_table_fails_while_the_head_remembers(world):
    await _some_events(world)
    await db.execute("DELETE FROM audit_event")
    verdict = await audit.verify()
    assert not verdict.ok and verdict.events == 0 and "全部删除" in verdict.reason


async def test_a_cut_tail_with_the_head_moved_back_fails(world):
    await _some_events(world)
    last = await _last_seq()
    keep = last - 2
    kept = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == keep).first()
    await db.execute(f"DELETE FROM audit_event WHERE seq > {keep}")
    await db.execute(f"UPDATE audit_head SET seq = {keep}, hash = '{kept['hash']}'")
    verdict = await audit.verify()
    assert not verdict.ok and "链头的印章不符" in verdict.reason


async def test_a_chain_recomputed_after_an_edit_fails(world):
    """The forger edits an event, then recomputes every hash after it and the head, as the code
    in this repository does: without the audit key the seals cannot follow."""
    await _some_events(world)
    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    target = next(r for r in rows if r["action"] == "site.update")
    target["actor"] = "mallory"
    prev = audit.GENESIS
    for row in rows:
        if row["seq"] >= target["seq"]:
            h = audit.chain_hash(prev, audit.event_body(row))
            await AuditEvent.update({AuditEvent.actor: row["actor"], AuditEvent.prev_hash: prev, AuditEvent.hash: h}) \
                .where(AuditEvent.seq == row["seq"])
            row["hash"] = h
        prev = row["hash"]
    await db.execute(f"UPDATE audit_head SET hash = '{prev}'")
    verdict = await audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == target["seq"] and "印章" in verdict.reason


async def test_a_different_key_is_told(world):
    from dataclasses import replace

    from server import settings

    await _some_events(world)
    settings.use_settings(replace(settings.get_settings(), audit_key="another key"))
    verdict = await audit.verify()
    assert not verdict.ok and verdict.first_broken_seq == 1 and "审计密钥" in verdict.reason


async def test_an_anchor_catches_a_table_emptied_with_its_head(world, tmp_path):
    """Deleting every event and the head looks like a new installation, unless the office kept an
    anchor: then verify says the chain once reached further."""
    await _some_events(world)
    kept = tmp_path / "anchors.txt"
    run = [sys.executable, "-m", "server.cli", "audit"]
    written = subprocess.run([*run, "anchor", "--append", str(kept)], capture_output=True, text=True)
    assert written.returncode == 0, written.stderr
    anchor = audit.Anchor.parse(kept.read_text())
    assert anchor.seq == await _last_seq()
    ok = subprocess.run([*run, "verify", "--anchor", str(kept)], capture_output=True, text=True)
    assert ok.returncode == 0 and "1 个锚点都在链上" in ok.stdout

    await db.execute("DELETE FROM audit_event")
    await db.execute("DELETE FROM audit_head")
    assert (await audit.verify()).ok  # alone, an empty database cannot tell
    bad = subprocess.run([*run, "verify", "--anchor", str(kept)], capture_output=True, text=True)
    assert bad.returncode == 1 and f"已有 {anchor.seq} 条" in bad.stderr


async def test_an_anchor_catches_a_rewrite_before_it(world):
    await _some_events(world)
    good = await audit.anchor()
    forged = audit.Anchor(good.seq, "f" * 16)
    verdict = await audit.verify([forged])
    assert not verdict.ok and verdict.first_broken_seq == good.seq and "锚点" in verdict.reason
    assert (await audit.verify([audit.Anchor.parse(good.short())])).ok


@pytest.mark.own_clock
def test_anchor_forms_are_read_or_refused_plainly():
    assert audit.Anchor.parse('{"seq": 7, "hash": "ABC", "at": "x"}') == audit.Anchor(7, "abc", "x")
    assert audit.Anchor.parse("12:deadbeef") == audit.Anchor(12, "deadbeef")
    assert audit.Anchor.parse("审计链 3 条 · 0123456789abcdef") == audit.Anchor(3, "0123456789abcdef")
    with pytest.raises(ValueError, match="看不懂的锚点"):
        audit.Anchor.parse("garbage")
