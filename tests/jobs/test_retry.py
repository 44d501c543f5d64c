"""Retries and time limits of background work. On the queue (PostgreSQL): a ledger whose object store
was out of reach when a worker took it is put back in the queue, saying why, and finishes once the
store is back; a ledger past its time limit fails, says so, and is not tried again. The rules
#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


themselves: which failures pass, how long to wait, what a time limit stops."""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import socket
from datetime import timedelta

import psycopg
import pytest

from server.audit.tables import AuditEvent
from server.jobs import queue, retry
from server.lib import db
from server.settings import Settings, use_settings
from tests.jobs.nodes import Worker
from tests.ledgers.helpers import visit_with_issues, wait_done
from tests.s3_server import ACCESS, REGION, SECRET, S3Server


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _refused() -> ConnectionRefusedError:
    try:
        socket.create_connection(("127.0.0.1", _closed_port()), timeout=2)
    except ConnectionRefusedError as exc:
        return exc
    raise AssertionError("a closed port answered")


def test_a_service_out_of_reach_passes_and_a_mistake_does_not():
    port = _closed_port()
    with pytest.raises(psycopg.OperationalError) as database_down:
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/test", connect_timeout=2)
    import boto3
    from botocore.config import Config

    s3 = boto3.session.Session().client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name=REGION, aws_access_key_id=ACCESS,
                                        aws_secret_access_key=SECRET, config=Config(retries={"max_attempts": 1}))
    with pytest.raises(Exception) as store_down:
        s3.put_object(Bucket="ducha", Key="x", Body=b"x")
    for passing in (_refused(), database_down.value, store_down.value, smtplib.SMTPResponseException(421, b"try later"),
                    smtplib.SMTPServerDisconnected("gone"), TimeoutError("read timed out")):
        assert retry.transient(passing), passing
    try:  # a fault wrapped by the code that met it still passes
        try:
            raise _refused()
        except ConnectionRefusedError as inner:
            raise RuntimeError("读取照片失败") from inner
    except RuntimeError as wrapped:
        assert retry.transient(wrapped)
    for lasting in (OSError(28, "No space left on device"), ValueError("模板错误"), KeyError("area"),
                    smtplib.SMTPResponseException(550, b"no such user"), retry.TimedOut(1800)):
        assert not retry.transient(lasting), lasting


def test_tries_wait_longer_each_time():
    use_settings(Settings.from_env({"DUCHA_JOB_RETRY_SECONDS": "30"}))
    assert [retry.wait(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert retry.MAX_TRIES == 4
    assert str(retry.TimedOut(1800)) == "超过 30 分钟仍未完成，已停止"


async def test_a_time_limit_stops_the_work_and_a_timeout_inside_it_is_its_own():
    with pytest.raises(retry.TimedOut):
        await retry.within(0.01, asyncio.sleep(5))

    async def slow_socket():
        raise TimeoutError("read timed out")

    with pytest.raises(TimeoutError) as inner:
        await retry.within(60, slow_socket())
    assert not isinstance(inner.value, retry.TimedOut)  # the socket's: the queue may try again
    assert await retry.within(0, asyncio.sleep(0, "no limit")) == "no limit"


@pytest.fixture
def queue_on(monkeypatch, tmp_path):
    if not db.is_postgres():
        pytest.skip("the distributed queue runs on PostgreSQL")
    monkeypatch.setenv("DUCHA_QUEUE", "postgres")
    monkeypatch.setenv("DUCHA_MEDIA_DIR", str(tmp_path / "node-media"))
    use_settings(Settings.from_env())


async def _moves(uuid: str) -> list[tuple[str, str]]:
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.data).where(
        (AuditEvent.object_id == uuid) & AuditEvent.action.like("ledger.%")).order_by(AuditEvent.id).output(load_json=True)
    return [(r["action"], (r["data"] or {}).get("reason", "")) for r in rows]


async def test_a_ledger_whose_store_was_out_of_reach_is_tried_again_and_finishes_once(queue_on, monkeypatch, world):
    port, bucket, prefix = _closed_port(), "ducha-retry", "yuncheng"
    env = {"DUCHA_STORAGE": f"s3://{bucket}/{prefix}", "DUCHA_S3_ENDPOINT": f"http://127.0.0.1:{port}", "DUCHA_S3_REGION": REGION,
           "DUCHA_S3_ACCESS_KEY": ACCESS, "DUCHA_S3_SECRET_KEY": SECRET, "DUCHA_S3_ADDRESSING": "path", "DUCHA_JOB_RETRY_SECONDS": "3"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    use_settings(Settings.from_env())
    await visit_with_issues(world, "a1")
    await queue.ensure_schema()
    worker, store = Worker("patient"), None
    try:
        admin = await world.client("admin")
        r = await admin.post("/api/ledgers", json={"kind": "issues"})
        assert r.status_code == 202, r.text
        job = r.json()
        for _ in range(600):  # the worker meets the store down (after the S3 client's own retries)
            seen = (await admin.get(f"/api/ledgers/{job['uuid']}")).json()
            if seen["error"]:
                break
            await asyncio.sleep(0.1)
        assert (seen["state"], seen["error"]) == ("queued", "暂时连不上数据库、文件存储或邮件服务器，稍后自动重试"), seen
        store = await asyncio.to_thread(S3Server, port)  # the store is back
        store.client().create_bucket(Bucket=bucket)
        done = await wait_done(admin, job, timeout=120)
        assert done["state"] == "done" and done["error"] == "" and done["pages"] >= 1, done
        assert store.keys(bucket, f"{prefix}/ledgers/") == [f"{prefix}/ledgers/{job['uuid']}.pdf"]
        moves = await _moves(job["uuid"])
        assert [m for m, _ in moves][:3] == ["ledger.request", "ledger.running", "ledger.queued"], moves
        assert moves[2][1].startswith("暂时连不上") and "Could not connect to the endpoint URL" in moves[2][1], moves
        assert [m for m, _ in moves].count("ledger.done") == 1 and moves[-1][0] == "ledger.done", moves
        assert len(moves) <= 2 + 2 * retry.MAX_TRIES - 1
        output = await asyncio.to_thread(worker.stop)
        assert "秒后重试" in output, output[-2000:]
    finally:
        await queue.close()
        await asyncio.to_thread(worker.stop)
        if store:
            await asyncio.to_thread(store.stop)


async def test_a_ledger_past_its_time_limit_fails_saying_so_and_is_not_tried_again(queue_on, world):
    await visit_with_issues(world, "a1")
    await queue.ensure_schema()
    worker = Worker("hasty", DUCHA_JOB_TIMEOUT_SECONDS="0.000001")
    try:
        admin = await world.client("admin")
        r = await admin.post("/api/ledgers", json={"kind": "issues"})
        assert r.status_code == 202, r.text
        failed = await wait_done(admin, r.json(), timeout=60)
        assert failed["state"] == "failed" and failed["error"].startswith("生成超时：超过 1e-06 秒仍未完成，已停止"), failed
        assert "缩小范围" in failed["error"]
        app = await queue.opened()
        for _ in range(300):  # the task ends (the ledger said so first) ...
            if not await app.job_manager.list_jobs_async(queueing_lock=failed["uuid"], status="doing"):
                break
            await asyncio.sleep(0.1)
        for status in ("todo", "doing"):  # ... and nothing is left to try it again
            assert not await app.job_manager.list_jobs_async(queueing_lock=failed["uuid"], status=status)
        assert [m for m, _ in await _moves(failed["uuid"])] == ["ledger.request", "ledger.running", "ledger.failed"]
    finally:
        await queue.close()
        await asyncio.to_thread(worker.stop)


async def test_the_embedded_daily_work_tries_again_when_the_mail_server_comes_back(world):
    """Without the queue: the day's 催办 meets the mail server down, and is tried again (here at
    once) by the server itself; the mail goes out once the server is back, the notices were in the
    app from the first try."""
    from server.jobs.schedule import Daily, run_with_retries
    from server.notices.service import escalation_notices
    from server.notices.tables import Notice
    from tests.mail_sink import free_port, smtp_sink
    from tests.notices.test_escalation import DEADLINE, _on, _overdue_issue
    from tests.world import settings_with

    await _overdue_issue(world)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "yanhu-zhuanban@example.cn"})).status_code == 200
    port, tries, told_at_first = free_port(), [], []
    use_settings(settings_with(smtp_host="127.0.0.1", smtp_port=port, job_retry_seconds=0))
    with contextlib.ExitStack() as later:
        async def day_run(day):
            tries.append(day)
            if len(tries) == 2:  # the mail server is back for the second try
                told_at_first.append(await Notice.count())
                sinks.append(later.enter_context(smtp_sink(port, job_retry_seconds=0)))
            return await escalation_notices(day)

        sinks: list = []
        await run_with_retries(Daily("escalation_notices", 8, day_run), _on(DEADLINE + timedelta(days=3)))
        [(to, _)] = await sinks[0].mails(1)
    assert len(tries) == 2 and told_at_first == [4] and to == ["yanhu-zhuanban@example.cn"]
    assert await Notice.count().where(Notice.mailed_at.is_not_null()) == 1
