"""A job is rendered once, whoever else tries to run it (a retried request, server workers resuming)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

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


async def test_start_up_requeues_only_jobs_left_running_long_ago(world, monkeypatch):
    fresh = await service.request(None, "work", "pdf", {})
    stale = await service.request(None, "work", "xlsx", {})
    await LedgerJob.update({LedgerJob.state: "running", LedgerJob.started_at: clock.now()}).where(LedgerJob.uuid == fresh["uuid"])
    await LedgerJob.update({LedgerJob.state: "running", LedgerJob.started_at: clock.now() - timedelta(hours=1)}).where(
        LedgerJob.uuid == stale["uuid"])
    started = []
    monkeypatch.setattr(service, "start", started.append)  # record instead of spawning workers
    await service.resume_unfinished()
    assert started == [stale["uuid"]]
    assert (await service.get_row(fresh["uuid"]))["state"] == "running"


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
