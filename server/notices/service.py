"""The daily escalation notices (催办 / 报市办) and a person's inbox of notices.

Once a day (``daily``; ``ducha notices send`` by hand or from cron) every open issue on a rung of
the escalation ladder that warns people (3 days past its deadline: 催办; 7 days: 报市办) is told,
once per rung, to the people who must act on it: the county team of its county, the site's manager,
its department's users for that county (or city-wide), and at 报市办 the city admins too. Each
person gets one notice per issue and rung in the app, and one mail a day listing them when they
have an address and SMTP is set. The key (person, issue, rung) makes a rerun, or two nodes running
at once, tell nobody twice.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from server.accounts.guards import Principal, principal_of
from server.accounts.policy import may_move_issue
from server.accounts.roles import Role
from server.accounts.tables import User
from server.audit import service as audit
from server.issues import deadlines
from server.issues.tables import Issue
from server.jobs import retry
from server.lib import clock, db, mail
from server.notices.tables import Notice
from server.settings import get_settings

log = logging.getLogger("ducha.notices")

#: the rungs that tell people (level: name); 到期 (level 1) is shown in the lists only
TOLD = {2: "催办", 3: "报市办"}


def _concerns(u: dict[str, Any], issue: dict[str, Any], level: int) -> bool:
    """Must this active account act on this issue at this rung? Whoever may rectify it (its county
    team, its site's manager, its department's users in scope: the policy's rule), and at 报市办
    the city admins too."""
    p = principal_of(u)
    return may_move_issue(p, "rectify", issue) or (p.role is Role.CITY_ADMIN and level >= 3)


def _line(issue: dict[str, Any], late: int) -> str:
    return f"{issue['number'] or issue['id']} {issue['site_name']}：{issue['description']}（整改期限 {issue['deadline']}，已逾期 {late} 天）"


async def escalation_notices(day: date | None = None) -> dict[str, int]:
    """Tell whom it concerns about every issue that reached 催办 or 报市办 by ``day`` (default:
    today in Shanghai) and was not told at that rung before. Returns the counts."""
    day = day or clock.today()
    issues = await Issue.select(Issue.id, Issue.number, Issue.county, Issue.site, Issue.department, Issue.description,
                                Issue.deadline, Issue.state, Issue.site.name.as_alias("site_name")).where(
        deadlines.escalated_where(Issue.deadline, Issue.state, day, days=min(d for d, lvl, _ in deadlines.LADDER if lvl in TOLD)))
    people = await User.select(User.id, User.username, User.role, User.county, User.site, User.department, User.email,
                               User.display_name) \
        .where(User.active == True)
    fresh: dict[int, list[int]] = defaultdict(list)  # person: the notices told in this run
    made = 0
    for issue in issues:
        level, name = deadlines.escalation(issue["deadline"], day, issue["state"])
        if level not in TOLD:
            continue
        late = deadlines.days_late(issue["deadline"], day)
        title = f"【{name}】{issue['number'] or issue['id']} 已逾期 {late} 天"
        for u in (u for u in people if _concerns(u, issue, level)):
            told = await tell_once(f"escalation:{u['id']}:{issue['id']}:{level}", u["id"], "escalation", title,
                                   _line(issue, late), issue["id"])
            if told is None:
                continue
            made += 1
            fresh[u["id"]].append(told)
    mailed = await _mail({u["id"]: u for u in people}, day)
    counts = {"issues": len(issues), "notices": made, "people": len(fresh), "mailed": mailed.sent}
    if made:  # the record of who was told what, and when
        async with db.write():
            await audit.record(audit.SYSTEM, "notice.escalation", "notice", day.isoformat(),
                               data={**counts, "told": {str(uid): told for uid, told in fresh.items()}})
    mailed.raise_passing()
    return counts


async def tell_once(key: str, user_id: int, kind: str, title: str, body: str, issue_id: int = 0) -> int | None:
    """Store a notice under ``key`` unless one is there: its id, or None when it was told before
    (by an earlier run, or by another node a moment ago)."""
    try:
        async with db.write():
            if await Notice.exists().where(Notice.key == key):
                return None
            row = Notice(key=key, user=user_id, kind=kind, issue_id=issue_id, title=title, body=body, created_at=clock.now())
            await row.save()
    except Exception as exc:
        if db.is_unique_violation(exc):
            return None
        raise
    return int(row.id)


class MailNotSent(Exception):
    """Mails that did not go out because the mail server was out of reach; the notices are in the
    app, marked unmailed, and the next try of the run (the queue's) mails them."""


@dataclass
class Mailed:
    sent: int = 0
    #: the first failure that may pass (server out of reach, 4xx), with how many mails it stopped
    passing: Exception | None = None
    unsent: int = 0

    def raise_passing(self) -> None:
        if self.passing is not None:
            raise MailNotSent(f"{self.unsent} 封提醒邮件未发出：{self.passing}") from self.passing


def mail_line(kind: str, key: str, body: str) -> str:
    """A notice's line in a mail: an escalation says its rung first (催办：…)."""
    return f"{TOLD[int(key.rsplit(':', 1)[1])]}：{body}" if kind == "escalation" else body


async def mail_each(subject: str, intro: str, link: str, kind: str, people: dict[int, dict[str, Any]]) -> Mailed:
    """One mail a person (of ``people``, with an address, when SMTP is set) listing the notices of
    ``kind`` from the last day that have not gone out by mail: what this run just told them, and
    what a run before could not mail (the mail server was down: this is the queue's next try). The
    notices mailed are marked. A mail that fails is logged: the notices stay in the app, and when
    the server was out of reach the caller raises it for the queue to try again (``Mailed.raise_passing``)."""
    s = get_settings()
    if not s.smtp_host:
        return Mailed()
    told: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in await Notice.select(Notice.id, Notice.user, Notice.key, Notice.body).where(
            (Notice.kind == kind) & Notice.mailed_at.is_null() & (Notice.created_at >= clock.now() - timedelta(days=1))
            & Notice.user.is_in([uid for uid, p in people.items() if p["email"]] or [0])).order_by(Notice.id):
        told[n["user"]].append(n)
    result = Mailed()
    for uid, notices in told.items():
        # claimed before sending: of two runs at once, one mails each notice; a failed send gives it back
        mine = {r["id"] for r in await Notice.update({Notice.mailed_at: clock.now()}).where(
            Notice.id.is_in([n["id"] for n in notices]) & Notice.mailed_at.is_null()).returning(Notice.id)}
        notices = [n for n in notices if n["id"] in mine]
        if not notices:
            continue
        person, lines = people[uid], [mail_line(kind, n["key"], n["body"]) for n in notices]
        msg = EmailMessage()
        msg["Subject"] = subject.format(n=len(lines))
        msg["From"] = s.smtp_from
        msg["To"] = person["email"]
        msg.set_content(f"{person['display_name']}：\n\n{intro}\n\n" + "\n".join(f"· {line}" for line in lines)
                        + f"\n\n详见 {s.public_url.rstrip('/')}/{link}\n")
        try:
            await asyncio.to_thread(mail.send, msg)
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("提醒邮件未发出（%s）：%s", person["email"], exc)
            await Notice.update({Notice.mailed_at: None}).where(Notice.id.is_in(list(mine)))
            if retry.transient(exc):
                result.passing = result.passing or exc
                result.unsent += 1
            continue
        result.sent += 1
    return result


async def _mail(people: dict[int, dict[str, Any]], day: date) -> Mailed:
    return await mail_each(f"【督查提醒】{day.isoformat()} 逾期问题 {{n}} 个", "以下问题已超过整改期限，请尽快整改并在系统中报送：",
                           "#/issues", "escalation", people)


# --- a person's inbox -------------------------------------------------------------------------


async def mine(p: Principal, unread: bool = False, limit: int = 50) -> dict[str, Any]:
    query = Notice.select(Notice.id, Notice.kind, Notice.issue_id, Notice.title, Notice.body, Notice.created_at, Notice.read_at) \
        .where(Notice.user == p.id)
    if unread:
        query = query.where(Notice.read_at.is_null())
    rows = await query.order_by(Notice.id, ascending=False).limit(limit)
    count = await Notice.count().where((Notice.user == p.id) & Notice.read_at.is_null())
    return {"items": [{**r, "created_at": clock.aware(r["created_at"]),
                       "read_at": clock.aware(r["read_at"]) if r["read_at"] else None} for r in rows], "unread": count}


async def mark_read(p: Principal, ids: list[int] | None) -> int:
    """Mark the caller's notices read (``ids``, or all when None); another person's are not touched."""
    where = (Notice.user == p.id) & Notice.read_at.is_null()
    if ids is not None:
        where = where & Notice.id.is_in(ids or [0])
    async with db.write():
        return len(await Notice.update({Notice.read_at: clock.now()}).where(where).returning(Notice.id))
