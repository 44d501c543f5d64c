"""A job is rendered once, whoever else tries to run it (a retried request, server workers resuming)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import timedelta

import pytest

from server.audit.tables import AuditEvent
from server.ledgers import service, worker
from server.ledgers.tables import LedgerJob
from server.lib import clock
from tests.audit.helpers import assert_audited
from tests.ledgers.helpers import visit_with_issues


async def test_a_second_runner_leaves_a_claimed_job_alone(world):
    await visit_with_issues(world, "a1")
    job = await service.request(None, "issues", "pdf", {})
    await assert_audited("ledger.request", job["uuid"], actor="shell", kind="issues")
    done = await worker.run(job["uuid"])
    assert done["state"] == "done"
    await assert_audited("ledger.running", job["uuid"], actor="system")
    await assert_audited("ledger.done", job["uuid"], actor="system")
    again = await worker.run(job["uuid"])  # no longer queued: nothing is rendered or rewritten
    assert again["finished_at"] == done["finished_at"] and again["sha256"] == done["sha256"]


async def test_jobs_whose_lease_lapsed_are_queued_again_and_finish_once(world):
    """A server killed mid-render leaves its job "running" with a lease nobody renews: once it
    lapses, any server queues it again and renders it (once); a job whose lease is alive is left alone."""
    await visit_with_issues(world, "a1")
    alive = await service.request(None, "work", "xlsx", {})
    dead = await service.request(None, "issues", "pdf", {})
    now = clock.now()
    await LedgerJob.update({LedgerJob.state: "running", LedgerJob.started_at: now,
                            LedgerJob.lease_until: now + timedelta(seconds=30)}).where(LedgerJob.uuid == alive["uuid"])
    await LedgerJob.update({LedgerJob.state: "running", LedgerJob.started_at: now - timedelta(minutes=2), LedgerJob.rows_done: 7,
                            LedgerJob.lease_until: now - timedelta(seconds=1)}).where(LedgerJob.uuid == dead["uuid"])
    assert await service.requeue_lapsed() == [dead["uuid"]]
    await assert_audited("ledger.queued", dead["uuid"], actor="system", reason="lease lapsed: its worker stopped")
    assert await service.requeue_lapsed() == []  # the second server to look finds nothing to take
    for _ in range(1200):
        row = await service.get_row(dead["uuid"])
        if row["state"] in ("done", "failed"):
            break
        await asyncio.sleep(0.05)
    assert row["state"] == "done" and row["pages"] >= 1
    assert await AuditEvent.count().where((AuditEvent.action == "ledger.done") & (AuditEvent.object_id == str(dead["uuid"]))) == 1
    assert (await service.get_row(alive["uuid"]))["state"] == "running"


@pytest.mark.own_clock
async def test_a_worker_holds_its_job_on_a_lease_it_renews(world):
    from datetime import datetime

    clock.freeze(datetime(2026, 12, 2, 9, 0, tzinfo=clock.SHANGHAI))
    job = await service.request(None, "work", "xlsx", {})
    assert await service.move_job(job["uuid"], "running", ("queued",), {LedgerJob.lease_until: clock.now() + service.lease()})
    clock.freeze(datetime(2026, 12, 2, 9, 0, 50, tzinfo=clock.SHANGHAI))
    assert await worker.beat(job["uuid"])
    row = await service.get_row(job["uuid"])
    assert clock.aware(row["lease_until"]) == clock.now() + service.lease()
    clock.freeze(datetime(2026, 12, 2, 9, 1, 30, tzinfo=clock.SHANGHAI))  # renewed: not lapsed 90 s after the claim
    assert await service.requeue_lapsed() == []
    await service.move_job(job["uuid"], "failed", ("running",))
    assert not await worker.beat(job["uuid"])  # a finished job's heartbeat stops


async def test_a_server_stopping_mid_render_queues_the_job_again_and_leaves_no_worker(world):
    await visit_with_issues(world, "a1")
    job = await service.request(None, "issues", "pdf", {})
    service.start(job["uuid"])
    for _ in range(400):  # until its worker has claimed it
        if (await service.get_row(job["uuid"]))["state"] == "running":
            break
        await asyncio.sleep(0.025)
    workers = list(service._procs.values())
    assert workers, "the job should be rendering"
    await service.stop(grace=0)
    assert all(w.returncode is not None for w in workers)
    row = await service.get_row(job["uuid"])
    assert (row["state"], row["rows_done"], row["started_at"]) == ("queued", 0, None)
    await assert_audited("ledger.queued", job["uuid"], actor="system", reason="server shutting down")

    await service.resume_unfinished()  # the next start renders it
    for _ in range(1200):
        row = await service.get_row(job["uuid"])
        if row["state"] != "queued" and row["state"] != "running":
            break
        await asyncio.sleep(0.05)
    assert row["state"] == "done" and row["pages"] >= 1


async def test_a_job_that_fails_says_why_and_the_failure_is_audited(world, monkeypatch):
    from server.ledgers import rows

    async def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    job = await service.request(None, "work", "pdf", {})
    monkeypatch.setattr(rows, "build", full_disk)
    failed = await worker.run(job["uuid"])
    assert failed["state"] == "failed" and "No space left on device" in failed["error"]
    await assert_audited("ledger.failed", job["uuid"], actor="system", reason="[Errno 28] No space left on device")


async def test_a_ledger_past_its_time_limit_is_stopped_and_says_to_narrow_it(world):
    """The embedded default: the server stops the worker process of a ledger that runs too long
    (here: a limit no render can meet) and the job fails saying so; nothing is left running."""
    from server.settings import Settings, use_settings
    from tests.ledgers.helpers import wait_done

    await visit_with_issues(world, "a1")
    use_settings(Settings.from_env({**os.environ, "DUCHA_JOB_TIMEOUT_SECONDS": "0.05"}))
    admin = await world.client("admin")
    r = await admin.post("/api/ledgers", json={"kind": "issues"})
    assert r.status_code == 202, r.text
    failed = await wait_done(admin, r.json(), timeout=30)
    assert failed["state"] == "failed" and failed["error"] == "生成超时：超过 0.05 秒仍未完成，已停止。台账太大，请按县或按月缩小范围后重试"
    assert failed["file_url"] is None
    alive = subprocess.run(["pgrep", "-f", f"server.ledgers.worker {failed['uuid']}"], capture_output=True, text=True).stdout
    assert alive == "" and not service._procs  # its worker process was killed and waited for
    await assert_audited("ledger.failed", failed["uuid"], actor="system", reason=failed["error"])
