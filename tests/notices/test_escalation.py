"""The daily escalation notices: an issue 3 days past its deadline (催办) is told once to its
county team, its site's manager and its department; at 7 days (报市办) the city admins too; each
person once per issue and rung, in the app and, with an address, in one mail a day."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import pytest

from server.jobs import retry
from server.lib import clock
from server.notices.service import MailNotSent, escalation_notices
from server.notices.tables import Notice
from server.settings import use_settings
from tests.audit.helpers import assert_audited
from tests.inspections.helpers import new_uuid
from tests.issues.test_lifecycle import _round
from tests.mail_sink import free_port, smtp_sink
from tests.world import settings_with

FOUND = datetime(2026, 12, 1, 9, 0, tzinfo=clock.SHANGHAI)
DEADLINE = date(2026, 12, 10)


async def _overdue_issue(world, site: str = "a1", **extra) -> dict:
    clock.freeze(FOUND)
    admin = await world.client("admin")
    r = await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites[site], "area": "消防措施",
                                              "description": "3号楼楼道堆放杂物堵塞消防通道", "deadline": DEADLINE.isoformat(),
                                              "department_id": world.departments["xiaofang"], **extra})
    assert r.status_code == 200, r.text
    return r.json()


def _on(day: date) -> date:
    clock.freeze(datetime.combine(day, time(8), clock.SHANGHAI))
    return day


async def _told(world) -> dict[str, list[str]]:
    names = {v: k for k, v in world.users.items()}
    out: dict[str, list[str]] = {}
    for n in await Notice.select().order_by(Notice.id):
        out.setdefault(names[n["user"]], []).append(n["title"])
    return out


@pytest.mark.own_clock
async def test_nothing_before_three_days_late_then_once_to_each_who_must_act(world):
    issue = await _overdue_issue(world)
    for day in (DEADLINE, DEADLINE + timedelta(days=2)):  # 到期 and two days late: shown in the lists, nobody told
        assert (await escalation_notices(_on(day)))["notices"] == 0
    counts = await escalation_notices(_on(DEADLINE + timedelta(days=3)))
    told = await _told(world)
    assert set(told) == {"county_a", "site_a1", "fire_a", "fire_city"}, told  # not the inspector, not 临猗县, not the city yet
    assert told["county_a"] == [f"【催办】{issue['number']} 已逾期 3 天"]
    assert counts == {"issues": 1, "notices": 4, "people": 4, "mailed": 0}
    await assert_audited("notice.escalation", "2026-12-13", actor="system", notices=4, people=4)
    assert (await escalation_notices(_on(DEADLINE + timedelta(days=4))))["notices"] == 0  # once per rung, not daily
    await escalation_notices(_on(DEADLINE + timedelta(days=7)))
    told = await _told(world)
    assert told["admin"] == [f"【报市办】{issue['number']} 已逾期 7 天"]
    assert told["county_a"][-1] == f"【报市办】{issue['number']} 已逾期 7 天" and len(told["county_a"]) == 2


@pytest.mark.own_clock
async def test_a_closed_issue_and_a_disabled_account_are_not_told(world):
    await _overdue_issue(world)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['fire_a']}", json={"active": False})).status_code == 200
    other = await _overdue_issue(world, site="b1")
    r = await (await world.client("site_b1")).post(f"/api/issues/{other['id']}/rectifications", json=_round())
    assert r.status_code == 200, r.text
    r = await (await world.client("inspector")).post(f"/api/issues/{other['id']}/verification", json={
        "accept": True, "comment": "复查已整改", "no_photo_reason": "现场复查，杂物已清理"})
    assert r.status_code == 200 and r.json()["state"] == "closed", r.text
    await escalation_notices(_on(DEADLINE + timedelta(days=3)))
    told = await _told(world)
    assert "fire_a" not in told and "county_b" not in told and "site_b1" not in told
    assert "county_a" in told


@pytest.mark.own_clock
async def test_two_runs_at_once_tell_each_person_once(world):
    await _overdue_issue(world)
    day = _on(DEADLINE + timedelta(days=3))
    runs = await asyncio.gather(escalation_notices(day), escalation_notices(day))
    assert sum(r["notices"] for r in runs) == 4
    assert await Notice.count() == 4


@pytest.mark.own_clock
async def test_two_runs_at_once_mail_each_person_once(world):
    await _overdue_issue(world)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "yanhu-zhuanban@example.cn"})).status_code == 200
    day = _on(DEADLINE + timedelta(days=3))
    with smtp_sink() as sink:
        runs = await asyncio.gather(escalation_notices(day), escalation_notices(day))
        await sink.mails(1)
        await asyncio.sleep(0.3)
        assert sum(r["mailed"] for r in runs) == 1 and len(sink.received) == 1


@pytest.mark.own_clock
async def test_a_person_with_an_address_gets_one_mail_listing_what_they_were_told(world):
    issue = await _overdue_issue(world)
    admin = await world.client("admin")
    r = await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "yanhu-zhuanban@example.cn"})
    assert r.status_code == 200 and r.json()["email"] == "yanhu-zhuanban@example.cn"
    bad = await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "not-an-address"})
    assert bad.status_code == 400
    with smtp_sink() as sink:
        counts = await escalation_notices(_on(DEADLINE + timedelta(days=3)))
        assert counts["mailed"] == 1
        [(to, mail)] = await sink.mails(1)
    assert to == ["yanhu-zhuanban@example.cn"]
    assert mail["Subject"] == "【督查提醒】2026-12-13 逾期问题 1 个"
    text = mail.get_body(("plain",)).get_content()
    assert f"催办：{issue['number']}" in text and "3号楼楼道堆放杂物堵塞消防通道" in text and "已逾期 3 天" in text
    mailed = await Notice.select(Notice.mailed_at).where(Notice.user == world.users["county_a"]).first()
    assert mailed["mailed_at"] is not None
    assert (await Notice.select(Notice.mailed_at).where(Notice.user == world.users["site_a1"]).first())["mailed_at"] is None


@pytest.mark.own_clock
async def test_mail_that_did_not_go_out_goes_with_the_next_try_once(world):
    """The mail server is down at the run: the notices are in the app, the run says the mails did
    not go out (for the queue to try again); the next try, with the server back, mails them once."""
    await _overdue_issue(world)
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/users/{world.users['county_a']}", json={"email": "yanhu-zhuanban@example.cn"})).status_code == 200
    day, port = _on(DEADLINE + timedelta(days=3)), free_port()
    use_settings(settings_with(smtp_host="127.0.0.1", smtp_port=port))  # nothing listens there
    with pytest.raises(MailNotSent, match="1 封提醒邮件未发出") as down:
        await escalation_notices(day)
    assert retry.transient(down.value)  # the queue tries it again
    assert await Notice.count() == 4 and await Notice.count().where(Notice.mailed_at.is_null()) == 4
    with smtp_sink(port) as sink:
        again = await escalation_notices(day)
        assert (again["notices"], again["mailed"]) == (0, 1)  # nobody told twice in the app; the mail goes now
        [(to, mail)] = await sink.mails(1)
        assert to == ["yanhu-zhuanban@example.cn"] and "催办：" in mail.get_body(("plain",)).get_content()
        assert (await escalation_notices(day))["mailed"] == 0  # and only once
        assert len(sink.received) == 1


@pytest.mark.own_clock
async def test_the_inbox_holds_ones_own_notices_and_marks_them_read(world):
    await _overdue_issue(world)
    await escalation_notices(_on(DEADLINE + timedelta(days=3)))
    county, site = await world.client("county_a"), await world.client("site_a1")
    inbox = (await county.get("/api/notices")).json()
    assert inbox["unread"] == 1 and inbox["items"][0]["title"].startswith("【催办】") and inbox["items"][0]["issue_id"]
    theirs = (await site.get("/api/notices")).json()["items"][0]["id"]
    assert (await county.post("/api/notices/read", json={"ids": [theirs]})).json() == {"marked": 0}  # not hers
    assert (await site.get("/api/notices", params={"unread": "true"})).json()["unread"] == 1
    assert (await county.post("/api/notices/read", json={})).json() == {"marked": 1}
    assert (await county.get("/api/notices", params={"unread": "true"})).json() == {"items": [], "unread": 0}
    assert (await (await world.client("inspector")).get("/api/notices")).json() == {"items": [], "unread": 0}


@pytest.mark.parametrize("body", [{"ids": "all"}, {"ids": [1], "extra": 1}])
async def test_a_bad_read_request_is_refused(world, body):
    r = await (await world.client("county_a")).post("/api/notices/read", json=body)
    assert r.status_code == 400
