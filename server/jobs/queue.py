"""The distributed job queue (``DUCHA_QUEUE=postgres``): procrastinate on the app's PostgreSQL.

Why procrastinate: its jobs are rows in the database the app already runs on, so there is no
broker to operate, secure and back up, and a job is deferred by one INSERT; workers are woken by
LISTEN/NOTIFY and take a job with ``FOR UPDATE SKIP LOCKED``, so any number of ``ducha worker``
processes on any number of machines share the work. It brings periodic tasks (deferred once per
tick however many workers run, by a unique key), queueing locks (a ledger is queued once), retries,
and worker heartbeats with stalled-job detection. (SAQ or Celery would add Redis or RabbitMQ to
every installation; the embedded default must run with no service at all.)

Tasks:
- ``ledger.render``: one ledger job (``server/ledgers/worker.py``: its rows, the PDF or XLSX, the
  file into the object store). The ledger job row keeps its own state, progress and lease, as
  before: a worker renews the lease while it renders, and a lapsed lease (the worker was killed)
  queues the job again, so a job finishes once whatever happens to the worker that took it.
- ``ledger.chunk``: one PDF chunk of a ledger (``server/ledgers/chunks.py``): the worker that took
  the ledger queues its chunks and renders some itself, so a big ledger is spread over the workers.
- ``ledger.lapsed``: every 10 s, jobs whose lease lapsed are queued again, and queue jobs left
  "doing" by a worker that stopped beating are marked failed (the ledger row is what counts).
- the daily work of ``server/jobs/schedule.py`` at its Shanghai hours.

Every task runs within ``DUCHA_JOB_TIMEOUT_SECONDS`` and is retried by the queue when it failed on a
passing fault (``server/jobs/retry.py``: the database, the object store or the mail server out of
reach), after ``DUCHA_JOB_RETRY_SECONDS`` and then twice and four times as long, 4 tries in all. The
time of the next try is the database's clock plus the wait (the queue compares it with the
database's clock, whatever the clocks of the workers' machines say).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import procrastinate
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from server.jobs import retry, schedule
from server.settings import get_settings

log = logging.getLogger("ducha.jobs")
T = TypeVar("T")

#: a worker that has not beaten for this long is gone; its queue jobs are stalled
STALLED_AFTER = 30.0
#: a lock number of our own (pg_advisory_lock): two nodes starting at once apply the schema once
_SCHEMA_LOCK = 0x6475636861  # "ducha"


def enabled() -> bool:
    """Is the distributed queue configured? A value we do not know, or the queue on SQLite, is a
    configuration error said at start-up, not a silent fall-back to in-process jobs."""
    settings = get_settings()
    if settings.queue not in ("", "postgres"):
        raise ValueError(f"DUCHA_QUEUE 须为空（在服务进程内运行）或 postgres，而不是 {settings.queue!r}")
    if settings.queue and not settings.database_url.startswith("postgres"):
        raise ValueError("DUCHA_QUEUE=postgres 需要 PostgreSQL 数据库（DUCHA_DATABASE_URL=postgresql://…）")
    return settings.queue == "postgres"


class Again(Exception):
    """A task to be tried again at ``at`` (None: at once), for the passing fault it was raised from."""

    def __init__(self, at: datetime | None) -> None:
        super().__init__(f"重试于 {at.isoformat() if at else '即刻'}")
        self.at = at


class _Passing(BaseRetryStrategy):
    """The queue retries what a task raised as Again, at its time; nothing else."""

    def get_retry_decision(self, *, exception: BaseException, job: procrastinate.jobs.Job) -> RetryDecision | None:
        if not isinstance(exception, Again):
            return None
        return RetryDecision(retry_at=exception.at) if exception.at else RetryDecision()


PASSING = _Passing()


async def attempt(app: procrastinate.App, job: procrastinate.jobs.Job, work: Callable[[bool], Awaitable[T]]) -> T:
    """One try of a task: ``work(may_retry)``; a passing fault while tries are left is raised as
    Again, at the database's time plus the wait."""
    tries = job.attempts + 1
    try:
        return await work(tries < retry.MAX_TRIES)
    except Exception as exc:
        wait = retry.again_in(exc, tries)
        if wait is None:
            raise
        log.warning("%s #%s：暂时故障（%s），%g 秒后重试（第 %d 次）", job.task_name, job.id, exc, wait, tries + 1)
        raise Again(await _db_time(app, wait) if wait > 0 else None) from exc


async def _db_time(app: procrastinate.App, seconds: float) -> datetime:
    """The database's clock ``seconds`` from now; this machine's when the database is the fault."""
    try:
        row = await app.connector.execute_query_one_async("SELECT now() + make_interval(secs => %(s)s) AS at", s=seconds)
        return row["at"]
    except Exception:  # noqa: BLE001 - the database out of reach: the retry cannot be written either
        return datetime.now(UTC) + timedelta(seconds=seconds)


def build_app() -> procrastinate.App:
    """The queue app for the configured database, with our tasks and the periodic schedule."""
    settings = get_settings()
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=settings.database_url))

    @app.task(name="ledger.render", queue="ledgers", pass_context=True, retry=PASSING)
    async def render_ledger(context: procrastinate.JobContext, uuid: str) -> str:
        from server.ledgers import worker

        async def work(may_retry: bool) -> dict:  # the ledger job keeps its own time limit, to fail itself
            return await worker.run(UUID(uuid), spread=lambda keys: defer_chunks(app, keys), limit=retry.limit(),
                                    may_retry=may_retry)

        job = await attempt(app, context.job, work)
        return str(job["state"])

    @app.task(name="ledger.chunk", queue="ledgers", pass_context=True, retry=PASSING)
    async def render_chunk(context: procrastinate.JobContext, key: str) -> bool:
        from server.ledgers import chunks

        return await attempt(app, context.job, lambda _: retry.within(retry.limit(), chunks.render_one(key)))

    @app.periodic(cron="*/10 * * * * *", periodic_id="lapsed")
    @app.task(name="ledger.lapsed", queue="periodic", queueing_lock="ledger.lapsed")
    async def lapsed(timestamp: int) -> int:
        moved = await schedule.lapsed_ledgers()
        stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER)
        for job in stalled:
            if job.id is not None:
                await app.job_manager.finish_job_by_id_async(job.id, status=procrastinate.jobs.Status.FAILED, delete_job=False)
        return len(moved)

    scheduled = {d.name for d in schedule.enabled()}
    for daily in schedule.daily_work():
        _daily(app, daily, daily.name in scheduled)
    return app


def _daily(app: procrastinate.App, daily: schedule.Daily, scheduled: bool) -> None:
    """The task ``daily.<name>(timestamp)``: the work for the Shanghai day of ``timestamp``; on the
    schedule at its hour unless the daily work is off (DUCHA_NOTICE_HOUR=-1), deferrable by hand."""
    async def run(context: procrastinate.JobContext, timestamp: int) -> Any:
        result = await attempt(app, context.job, lambda _: retry.within(retry.limit(), daily.run(schedule.day_of(timestamp))))
        log.info("%s：%s", daily.name, result)
        return str(result)

    run.__name__ = daily.name
    task = app.task(name=f"daily.{daily.name}", queue="periodic", queueing_lock=f"daily.{daily.name}", pass_context=True,
                    retry=PASSING)(run)
    if scheduled:
        app.periodic(cron=schedule.utc_cron(daily.hour), periodic_id=daily.name)(task)


_app: procrastinate.App | None = None


async def opened() -> procrastinate.App:
    """This process's queue app, opened (its connection pool) on first use."""
    global _app
    if _app is None:
        app = build_app()
        await app.open_async()
        _app = app
    return _app


async def close() -> None:
    global _app
    if _app is not None:
        await _app.close_async()
        _app = None


async def defer_ledger(uuid: UUID) -> None:
    """Queue a ledger job for the workers; queued already (a retry, a resume at start-up): nothing."""
    app = await opened()
    try:
        await app.configure_task("ledger.render", queueing_lock=str(uuid), allow_unknown=False).defer_async(uuid=str(uuid))
    except procrastinate.exceptions.AlreadyEnqueued:
        pass


async def defer_chunks(app: procrastinate.App, keys: list[str]) -> None:
    """Queue PDF chunks for any worker (each once: a chunk queued already is not queued again)."""
    for key in keys:
        try:
            await app.configure_task("ledger.chunk", queueing_lock=f"chunk:{key}", allow_unknown=False).defer_async(key=key)
        except procrastinate.exceptions.AlreadyEnqueued:
            pass


async def ensure_schema() -> None:
    """Create procrastinate's tables in the database when they are not there (the first worker or
    server to start does it; the others wait for it under an advisory lock)."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(get_settings().database_url, autocommit=True) as conn:
        await conn.execute("SELECT pg_advisory_lock(%s)", (_SCHEMA_LOCK,))
        try:
            row = await (await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).fetchone()
            if not (row and row[0]):
                from procrastinate.schema import SchemaManager

                await conn.execute(SchemaManager.get_schema())  # type: ignore[arg-type]
                log.info("procrastinate schema applied")
        finally:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (_SCHEMA_LOCK,))


async def run_worker(concurrency: int = 1, name: str | None = None) -> None:
    """``ducha worker``: take jobs until stopped (SIGINT/SIGTERM: the job in hand is finished)."""
    import os
    import socket

    from server.lib import crash, db

    if not enabled():
        raise ValueError("ducha worker 需要分布式队列：设置 DUCHA_QUEUE=postgres 和 PostgreSQL 数据库")
    if get_settings().test_crash_at:
        crash.check(get_settings().test_crash_at)
    await ensure_schema()
    async with db.pool(max_size=concurrency + 3):
        app = build_app()
        async with app.open_async():
            await app.run_worker_async(concurrency=concurrency, name=name or f"{socket.gethostname()}-{os.getpid()}", update_heartbeat_interval=5.0,
                                       stalled_worker_timeout=STALLED_AFTER, delete_jobs="successful")
