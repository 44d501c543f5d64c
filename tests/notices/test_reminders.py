"""报送 reminders: 3 days before the due day (5 Dec for November) and on the day, the county teams
whose month's three ledgers are not all in are told what is missing, once; a county that sent
them all is not told."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from server.ledgers.tables import LedgerJob, LedgerSubmission
from server.lib import clock
from server.notices.reminders import period_due_after, submission_reminders
from server.notices.tables import Notice
from tests.audit.helpers import assert_audited
from tests.mail_sink import smtp_sink


def _on(day: date) -> date:
    clock.freeze(datetime.combine(day, time(8), clock.SHANGHAI))
    return day


async def _sent(world, county: str, kinds) -> None:
    now = clock.now()
    for kind in kinds:
        job = LedgerJob(uuid=uuid.uuid4(), kind=kind, county=world.counties[county], state="done", created_at=now)
        await job.save()
        await LedgerSubmission(job=job.id, county=world.counties[county], kind=kind, period="2026-11", sha256="0" * 64, digest="0" * 64,
                               submitted_by=world.users["county_a" if county == "盐湖区" else "county_b"], submitted_at=now,
                               due_on=date(2026, 12, 5)).save()


async def test_teams_missing_ledgers_are_reminded_three_days_before_and_on_the_due_day(world):
    assert period_due_after(date(2027, 1, 2)) == "2026-12" and period_due_after(date(2026, 12, 2)) == "2026-11"
    await _sent(world, "盐湖区", ("work", "issues", "rectification"))  # 盐湖区 sent all three
    await _sent(world, "临猗县", ("work",))
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['county_b']}", json={"email": "linyi@example.cn"})).status_code == 200

    assert (await submission_reminders(_on(date(2026, 12, 1))))["notices"] == 0  # 4 days before: not yet
    with smtp_sink() as sink:
        counts = await submission_reminders(_on(date(2026, 12, 2)))
        assert counts == {"period": "2026-11", "due_on": "2026-12-05", "notices": 1, "mailed": 1}
        [(to, mail)] = await sink.mails(1)
    assert to == ["linyi@example.cn"] and mail["Subject"] == "【报送提醒】2026年11月台账还有 3 天"
    [notice] = await Notice.select().where(Notice.kind == "submission")
    assert notice["user"] == world.users["county_b"]
    assert notice["body"] == "2026年11月的问题台账、整改台账尚未报送（报送截止 12月5日，还有 3 天）"
    await assert_audited("notice.submission", "2026-11:3", actor="system", notices=1)

    assert (await submission_reminders(_on(date(2026, 12, 2))))["notices"] == 0  # a rerun tells nobody twice
    assert (await submission_reminders(_on(date(2026, 12, 3))))["notices"] == 0
    due = await submission_reminders(_on(date(2026, 12, 5)))
    assert due["notices"] == 1
    assert (await Notice.select(Notice.title).where(Notice.kind == "submission").order_by(Notice.id))[-1]["title"] == \
        "【报送提醒】2026年11月台账今天截止"
