"""The queue's periodic work, run by a real ``ducha worker`` process: the daily 催办 task tells the
county team by mail (a local SMTP sink) and in the app, once however often the tick is deferred."""

from __future__ import annotations

import asyncio
from datetime import datetime, time, timedelta

import pytest

from server.jobs import queue
from server.lib import clock, db
from server.notices.tables import Notice
from server.settings import Settings, get_settings, use_settings
from tests.jobs.nodes import Worker
from tests.mail_sink import free_port, smtp_sink
from tests.notices.test_escalation import DEADLINE, _overdue_issue

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


@pytest.fixture
def queue_on(monkeypatch):
    if not db.is_postgres():
        pytest.skip("the distributed queue runs on PostgreSQL")
    monkeypatch.setenv("DUCHA_QUEUE", "postgres")
    use_settings(Settings.from_env())


async def test_the_daily_escalation_task_mails_the_county_team_once(queue_on, world):
    issue = await _overdue_issue(world)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "yanhu-zhuanban@example.cn"})).status_code == 200
    tick = int(datetime.combine(DEADLINE + timedelta(days=3), time(8), clock.SHANGHAI).timestamp())
    with smtp_sink() as sink:
        s = get_settings()
        worker = Worker("mailer", DUCHA_SMTP_HOST=s.smtp_host, DUCHA_SMTP_PORT=str(s.smtp_port), DUCHA_SMTP_FROM=s.smtp_from)
        try:
            await queue.ensure_schema()
            app = await queue.opened()
            task = app.configure_task("daily.escalation_notices", allow_unknown=False)
            await task.defer_async(timestamp=tick)
            [(to, mail)] = await sink.mails(1)
            assert to == ["yanhu-zhuanban@example.cn"] and mail["Subject"] == "【督查提醒】2026-12-13 逾期问题 1 个"
            assert "已逾期 3 天" in mail.get_body(("plain",)).get_content()
            await app.configure_task("daily.escalation_notices", allow_unknown=False).defer_async(timestamp=tick)  # the tick again
            for _ in range(50):
                if not await app.job_manager.list_jobs_async(status="todo") and not await app.job_manager.list_jobs_async(status="doing"):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)
            assert len(sink.received) == 1  # told once
            assert await Notice.count().where(Notice.issue_id == issue["id"]) == 4
        finally:
            await queue.close()
            await asyncio.to_thread(worker.stop)


async def test_the_daily_task_tries_again_while_the_mail_server_is_down_and_mails_once(queue_on, world):
    """The mail server is down at 08:00: the notices are in the app at once, the task fails on it
    and the queue tries it again; once the server is back, the mail goes out, once."""
    await _overdue_issue(world)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "yanhu-zhuanban@example.cn"})).status_code == 200
    tick = int(datetime.combine(DEADLINE + timedelta(days=3), time(8), clock.SHANGHAI).timestamp())
    port = free_port()
    worker = Worker("mailer", DUCHA_SMTP_HOST="127.0.0.1", DUCHA_SMTP_PORT=str(port), DUCHA_SMTP_FROM="ducha@example.cn",
                    DUCHA_JOB_RETRY_SECONDS="2")
    try:
        await queue.ensure_schema()
        app = await queue.opened()
        job_id = await app.configure_task("daily.escalation_notices", allow_unknown=False).defer_async(timestamp=tick)
        for _ in range(300):  # the first try: told in the app, the mail not sent, the task to be tried again
            [job] = await app.job_manager.list_jobs_async(id=job_id)
            if job.attempts >= 1:
                break
            await asyncio.sleep(0.1)
        assert job.attempts >= 1 and job.status in ("todo", "doing"), job
        assert await Notice.count() == 4 and await Notice.count().where(Notice.mailed_at.is_not_null()) == 0
        with smtp_sink(port) as sink:
            [(to, mail)] = await sink.mails(1, wait=60)
            assert to == ["yanhu-zhuanban@example.cn"] and "已逾期 3 天" in mail.get_body(("plain",)).get_content()
            for _ in range(100):  # the task succeeded (and was deleted)
                if not await app.job_manager.list_jobs_async(id=job_id):
                    break
                await asyncio.sleep(0.1)
            assert not await app.job_manager.list_jobs_async(id=job_id)
            assert len(sink.received) == 1
        assert await Notice.count().where(Notice.mailed_at.is_not_null()) == 1
        output = await asyncio.to_thread(worker.stop)
        assert "暂时故障" in output and "2 秒后重试" in output, output[-2000:]
    finally:
        await queue.close()
        await asyncio.to_thread(worker.stop)


def test_a_queue_that_cannot_work_is_a_clear_error(monkeypatch):
    for value, message in (("redis", "DUCHA_QUEUE 须为空"), ("postgres", "需要 PostgreSQL")):
        use_settings(Settings.from_env({"DUCHA_QUEUE": value, "DUCHA_DATABASE_URL": "sqlite:///x.sqlite"}))
        with pytest.raises(ValueError, match=message):
            queue.enabled()
