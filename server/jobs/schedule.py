"""The recurring work: what runs once a day (at an hour of Shanghai time) and what runs every few
seconds. Plain functions: the queue's workers run them as periodic tasks (``DUCHA_QUEUE=postgres``),
and on the embedded default each server runs them in-process (``run_in_process``). Each is safe to
run twice or on two nodes at once: notices are keyed, an anchor names its day, a clean-up removes
only what nothing refers to, and a ledger job is claimed once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from server.lib import clock
from server.settings import get_settings

log = logging.getLogger("ducha.jobs")


async def escalation_notices(day: date) -> Any:
    """催办 / 报市办 to the people who must act (in the app, and by mail)."""
    from server.notices.service import escalation_notices as send

    return await send(day)


async def media_cleanup(day: date) -> Any:
    """Photos whose visit never came (photos/awaiting.py) are forgotten; photo and ledger files nothing
    refers to, older than an hour, are removed from the store, and ledger chunks not used for two weeks."""
    import time

    from server.ledgers import chunks
    from server.lib.storage import media_store
    from server.media.check import check
    from server.photos.awaiting import forget_expired

    expired = await forget_expired(clock.now())
    summary = (await check(remove_found=True)).summary()
    gone = await asyncio.to_thread(chunks.prune, media_store(), time.time())
    return f"{summary}，两周未用的台账分块 {gone} 个，过期未补交督查记录的照片 {expired} 张"


async def audit_anchor(day: date) -> Any:
    """The audit chain's head of the day, kept in the object store (away from the database): what
    ``ducha audit verify --anchor`` checks the chain against."""
    from server.audit.service import anchor
    from server.lib.storage import media_store

    line = (await anchor()).line()
    await asyncio.to_thread(media_store().put, f"audit-anchors/{day.isoformat()}.jsonl", (line + "\n").encode())
    return line


async def ledger_reminders(day: date) -> Any:
    """报送 reminders to the county teams whose month's ledgers are not all in before the due day."""
    from server.notices.reminders import submission_reminders

    return await submission_reminders(day)


@dataclass(frozen=True)
class Daily:
    name: str
    hour: int  # Shanghai; < 0: never
    run: Callable[[date], Awaitable[Any]]


def daily_work() -> list[Daily]:
    hour = get_settings().notice_hour
    return [
        Daily("escalation_notices", hour, escalation_notices),
        Daily("ledger_reminders", hour, ledger_reminders),
        Daily("audit_anchor", 0, audit_anchor),
        Daily("media_cleanup", 3, media_cleanup),
    ]


async def lapsed_ledgers() -> list:
    """Ledger jobs whose worker stopped renewing its lease (killed, its machine gone) are queued
    again; whichever worker takes them claims them once."""
    from server.ledgers.service import requeue_lapsed

    return await requeue_lapsed()


def utc_cron(hour: int) -> str:
    """The cron line (UTC, as the queue reads it) of a Shanghai hour: 08:00 Shanghai is 00:00 UTC."""
    return f"0 {(hour - 8) % 24} * * *"


def day_of(timestamp: float) -> date:
    """The Shanghai day a periodic tick belongs to."""
    return clock.local(datetime.fromtimestamp(timestamp, clock.SHANGHAI)).date()


def enabled() -> list[Daily]:
    """The daily work that is scheduled: none when DUCHA_NOTICE_HOUR is -1 (the tests; cron users)."""
    if get_settings().notice_hour < 0:
        return []
    return [d for d in daily_work() if d.hour >= 0]


async def run_in_process() -> None:
    """The embedded default (no queue): the daily work at its hours, in this server's event loop.
    A run that failed on a passing fault is tried again (``run_with_retries``); one that still
    fails is logged and runs again at its next hour."""
    work = enabled()
    hours = sorted({d.hour for d in work})
    while hours:
        now = clock.local(clock.now())
        ats = [datetime.combine(now.date(), time(h), clock.SHANGHAI) for h in hours]
        at = min(a if a > now else a + timedelta(days=1) for a in ats)
        await asyncio.sleep((at - now).total_seconds())
        for d in work:
            if d.hour == at.hour:
                await run_with_retries(d, at.date())


async def run_with_retries(d: Daily, day: date) -> None:
    """The daily work in this process, as the queue would run it: within the time limit, tried
    again after a passing fault (the mail server or the database out of reach), then logged."""
    from server.jobs import retry

    for tries in range(1, retry.MAX_TRIES + 1):
        try:
            log.info("%s：%s", d.name, await retry.within(retry.limit(), d.run(day)))
            return
        except Exception as exc:
            wait = retry.again_in(exc, tries)
            if wait is None:
                log.exception("%s failed", d.name)
                return
            log.warning("%s：暂时故障（%s），%g 秒后重试（第 %d 次）", d.name, exc, wait, tries + 1)
            await asyncio.sleep(wait)
