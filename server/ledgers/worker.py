"""``python -m server.ledgers.worker JOB_UUID``: render one ledger job in its own process.

Started by the server for every job (never on its event loop) and by ``ducha ledger``. It reads
the rows as the requester may see them, renders (PDF: parallel chunks), writes the file
atomically, and records progress (rows done / total) and the outcome on the job row.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from uuid import UUID

#: what a job put back in the queue after a passing fault says to the person waiting for it (the
#: fault itself is in the audit event)
PASSING_FAULT = "暂时连不上数据库、文件存储或邮件服务器，稍后自动重试"


async def run(uuid: UUID, spread: Callable[[list[str]], Awaitable[object]] | None = None, *, limit: float | None = None,
              may_retry: bool = False) -> dict:
    """Render the job (once, whoever else tries). ``spread(keys)`` (the queue's workers) queues PDF
    chunks for other workers to render; without it the chunks are rendered here by a process pool.
    Past ``limit`` seconds the job fails as too long. With ``may_retry`` (the queue will try again),
    a passing fault (the database or the object store out of reach) puts the job back in the queue
    and is raised for the queue to retry it later; any other failure fails the job, saying why."""
    from server.checklists import loader
    from server.jobs import retry
    from server.ledgers import service
    from server.ledgers.tables import LedgerJob
    from server.lib import clock

    await loader.refresh()  # the job may render visits on versions published since the last request
    # claim the job: of several runners (a retried request, server workers resuming at start-up)
    # exactly one moves it from queued to running; the others leave it alone
    claimed = await service.move_job(uuid, "running", ("queued",), {LedgerJob.started_at: clock.now(), LedgerJob.error: "",
                                                                      LedgerJob.lease_until: clock.now() + service.lease()})
    job = await service.get_row(uuid)
    if not claimed:
        return job
    heart = asyncio.get_running_loop().create_task(_heartbeat(uuid))
    try:
        await retry.within(limit, _render(uuid, job, spread))
    except Exception as exc:  # the job says what went wrong; the server stays up
        if may_retry and retry.transient(exc):
            traceback.print_exc()
            await service.move_job(uuid, "queued", ("running",), {LedgerJob.rows_done: 0, LedgerJob.lease_until: None,
                                                                  LedgerJob.error: PASSING_FAULT}, reason=f"{PASSING_FAULT}：{exc}")
            raise
        if isinstance(exc, retry.TimedOut):
            error = reason = service.too_long(exc)
        else:
            traceback.print_exc()
            error, reason = f"生成失败：{exc}", str(exc)
        await service.move_job(uuid, "failed", ("running",), {LedgerJob.error: error, LedgerJob.finished_at: clock.now()}, reason=reason)
    finally:
        heart.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heart
    return await service.get_row(uuid)


async def _render(uuid: UUID, job: dict, spread: Callable[[list[str]], Awaitable[object]] | None = None) -> None:
    """The rows, the file, the job done."""
    from server.accounts.guards import SHELL, principal_of
    from server.accounts.tables import User
    from server.audit import service as audit
    from server.ledgers import chunks, files, pdf, rows, service, xlsx
    from server.ledgers.model import KINDS
    from server.ledgers.tables import LedgerJob
    from server.lib import clock, crash
    from server.settings import get_settings

    where = LedgerJob.uuid == uuid
    if job["requested_by"] is not None:
        p = principal_of(await User.select().where(User.id == job["requested_by"]).first())
    else:
        p = SHELL
    ledger = await rows.build(p, job["kind"], service.filters_of(job), as_of=clock.aware(job["created_at"]))
    ledger.audit = (await audit.anchor()).short()
    await LedgerJob.update({LedgerJob.rows_total: len(ledger.rows)}).where(where)
    loop = asyncio.get_running_loop()

    def progress(done: int) -> None:
        asyncio.run_coroutine_threadsafe(LedgerJob.update({LedgerJob.rows_done: done}).where(where).run(), loop).result()
        if 0 < done < len(ledger.rows):
            crash.point("ledger-mid-render")

    async def report(done: int) -> None:
        await LedgerJob.update({LedgerJob.rows_done: done}).where(where)

    settings = get_settings()
    if job["format"] == "pdf" and spread is not None:  # the chunks over the queue's workers
        prepared = await asyncio.to_thread(pdf.prepare, ledger, chunks.font_dir())
        results = await chunks.render_all(prepared, spread, report)
        data, pages = await asyncio.to_thread(pdf.assemble, ledger, results, chunks.font_dir())
    elif job["format"] == "pdf":
        cache = settings.media_dir / "ledger-chunks"
        await asyncio.to_thread(pdf.prune_cache, cache)
        data, pages = await asyncio.to_thread(pdf.render, ledger, progress=progress, font_dir=settings.media_dir / "fonts",
                                              cache_dir=cache)
    else:
        data, pages = await asyncio.to_thread(xlsx.render, ledger, settings.public_url.rstrip("/")), 0
    await asyncio.to_thread(files.write, job, data)
    await service.move_job(uuid, "done", ("running",), {
        LedgerJob.rows_done: len(ledger.rows), LedgerJob.pages: pages,
        LedgerJob.sha256: hashlib.sha256(data).hexdigest(), LedgerJob.size_bytes: len(data), LedgerJob.digest: ledger.digest,
        LedgerJob.file_name: f"{ledger.file_stem or KINDS[job['kind']]}.{job['format']}", LedgerJob.finished_at: clock.now(),
    })


async def beat(uuid: UUID) -> bool:
    """Renew the lease of a running job; False when it is no longer running (done, failed, taken away)."""
    from server.ledgers import service
    from server.ledgers.tables import LedgerJob
    from server.lib import clock

    renewed = await LedgerJob.update({LedgerJob.lease_until: clock.now() + service.lease()}).where(
        (LedgerJob.uuid == uuid) & (LedgerJob.state == "running")).returning(LedgerJob.id)
    return bool(renewed)


async def _heartbeat(uuid: UUID) -> None:
    from server.ledgers import service

    while True:
        await asyncio.sleep(service.heartbeat())
        if not await beat(uuid):
            return


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    os.environ.setdefault("PICCOLO_CONF", "piccolo_conf")

    from server.lib import clock
    from server.settings import get_settings

    if get_settings().test_clock:
        clock.use_test_clock(get_settings().test_clock)

    async def go():
        from server.lib import db

        async with db.pool(max_size=2):
            return await run(UUID(argv[0]))

    job = asyncio.run(go())
    return 3 if job["state"] == "failed" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
