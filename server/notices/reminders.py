"""报送 reminders: a county team whose month's ledgers (政策 四(一): 工作台账、问题台账、整改台账) are
not all submitted is reminded 3 days before the due day (DUCHA_LEDGER_DUE_DAY of the next month)
and on the due day itself, in the app and by mail; once per person, month and rung (keyed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from server.accounts.roles import Role
from server.accounts.tables import User
from server.audit import service as audit
from server.ledgers.model import KINDS
from server.ledgers.service import REQUIRED, due_on
from server.ledgers.tables import LedgerSubmission
from server.lib import db
from server.notices.service import mail_each, tell_once

#: days before the due day a reminder goes out (0: on the day)
RUNGS = (3, 0)


def period_due_after(day: date) -> str:
    """The month whose ledgers fall due in ``day``'s month: the month before it."""
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


async def submission_reminders(day: date) -> dict[str, Any]:
    period = period_due_after(day)
    due = due_on(period)
    left = (due - day).days
    if left not in RUNGS:
        return {"period": period, "due_on": due.isoformat(), "notices": 0, "mailed": 0}
    sent = {(r["county"], r["kind"]) for r in await LedgerSubmission.select(LedgerSubmission.county, LedgerSubmission.kind)
            .where(LedgerSubmission.period == period)}
    teams = await User.select(User.id, User.county, User.email, User.display_name).where(
        (User.role == Role.COUNTY_TEAM.value) & (User.active == True))
    label = f"{int(period[:4])}年{int(period[5:])}月"
    when = "今天截止" if left == 0 else f"还有 {left} 天"
    fresh: dict[int, list[int]] = {}
    for u in teams:
        missing = [KINDS[k] for k in REQUIRED if (u["county"], k) not in sent]
        if not missing:
            continue
        line = f"{label}的{'、'.join(missing)}尚未报送（报送截止 {due.month}月{due.day}日，{when}）"
        told = await tell_once(f"submission:{u['id']}:{period}:{left}", u["id"], "submission", f"【报送提醒】{label}台账{when}", line)
        if told is not None:
            fresh[u["id"]] = [told]
    mailed = await mail_each(f"【报送提醒】{label}台账{when}", "以下台账尚未报送，请在截止日前生成并报送：", "#/ledgers", "submission",
                             {u["id"]: u for u in teams})
    counts = {"period": period, "due_on": due.isoformat(), "notices": len(fresh), "mailed": mailed.sent}
    if fresh:
        async with db.write():
            await audit.record(audit.SYSTEM, "notice.submission", "notice", f"{period}:{left}",
                               data={**counts, "told": {str(uid): told for uid, told in fresh.items()}})
    mailed.raise_passing()
    return counts
