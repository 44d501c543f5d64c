"""A month's ledgers hold what the month held: the issue ledger every issue open at any time in it
(carried over, new, closed in it), the rectification ledger the issues under rectification with the
rounds done by the month's end, the closure ledger the closures made in it."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from server.accounts.guards import SHELL
from server.ledgers import rows
from server.ledgers.model import LedgerFilters
from server.lib import clock
from tests.inspections.helpers import new_uuid
from tests.ledgers.helpers import wait_done
from tests.ledgers.test_pdf import cells_text

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=clock.SHANGHAI)


async def _issue(world, when: datetime, text: str) -> int:
    clock.freeze(when)
    admin = await world.client("admin")
    r = await admin.post("/api/issues", json={"uuid": new_uuid(), "source": "complaint", "site_id": world.sites["a1"],
                                              "area": "消防措施", "description": text})
    assert r.status_code == 200, r.text
    return r.json()["id"]


async def _round(world, issue: int, when: datetime) -> None:
    clock.freeze(when)
    county = await world.client("county_a")
    r = await county.post(f"/api/issues/{issue}/rectifications",
                          json={"uuid": new_uuid(), "measures": f"整改措施{issue}", "responsible_person": "张三"})
    assert r.status_code == 200, r.text


async def _close(world, issue: int, when: datetime) -> None:
    clock.freeze(when)
    admin = await world.client("admin")
    r = await admin.post(f"/api/issues/{issue}/verification", json={"accept": True, "no_photo_reason": "当面核实"})
    assert r.json()["state"] == "closed", r.text


async def _month(world) -> dict[str, int]:
    """盐湖区's issues from September to December 2026, each with a different history."""
    ids = {}
    ids["carried_open"] = await _issue(world, at(10, 10), "十月发现，至今未整改")
    ids["carried_closed"] = await _issue(world, at(10, 15), "十月发现，十一月整改销号")
    clock.freeze(at(10, 16))
    assert (await (await world.client("county_a")).post(f"/api/issues/{ids['carried_closed']}/start")).status_code == 200
    await _round(world, ids["carried_closed"], at(11, 5))
    await _close(world, ids["carried_closed"], at(11, 20))
    ids["new_open"] = await _issue(world, at(11, 3), "十一月发现，未整改")
    ids["old_closed"] = await _issue(world, at(9, 1), "九月发现，十月销号")
    await _round(world, ids["old_closed"], at(10, 10))
    await _close(world, ids["old_closed"], at(10, 20))
    ids["new_closed_later"] = await _issue(world, at(11, 25), "十一月底发现，十二月销号")
    await _round(world, ids["new_closed_later"], at(12, 1))
    await _close(world, ids["new_closed_later"], at(12, 3))
    ids["december"] = await _issue(world, at(12, 2), "十二月发现")
    return ids


def november(world) -> LedgerFilters:
    return LedgerFilters(county_id=world.counties["盐湖区"], date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))


def described(ledger) -> list[str]:
    return [r["description"] for r in ledger.rows]


async def test_each_kind_takes_the_rows_of_its_month_with_the_flow_per_county(world):
    await _month(world)
    clock.freeze(at(12, 8))
    as_of = clock.now()

    issues = await rows.build(SHELL, "issues", november(world), as_of)
    assert described(issues) == ["十月发现，至今未整改", "十月发现，十一月整改销号", "十一月发现，未整改", "十一月底发现，十二月销号"]
    assert issues.summary_states == ["上月结转", "本月新增", "本月销号", "月末未销号"] and issues.summary_total == "台账条数"
    assert issues.summary == [("盐湖区", {"上月结转": 2, "本月新增": 2, "本月销号": 1, "月末未销号": 3}, 4)]
    states = {r["description"]: r["state"] for r in issues.rows}
    assert states["十一月底发现，十二月销号"] == "期末未销号（2026年12月3日销号）"
    assert states["十月发现，十一月整改销号"] == "已销号" and "统计口径" not in issues.rule and "期初结转" in issues.rule
    assert issues.title == "盐湖区易地扶贫搬迁安置点问题台账（2026年11月）" and issues.file_stem == "盐湖区问题台账-2026年11月"
    by = {r["description"]: r for r in issues.rows}
    carried = by["十月发现，至今未整改"]
    assert carried["overdue"] == (date(2026, 11, 30) - carried["deadline"]).days > 0  # as at the month's end
    assert by["十月发现，十一月整改销号"]["overdue"] == ""  # handed in and closed within its deadline
    assert [r["severity"] for r in issues.rows] == ["一般"] * 4 and all(r["unit"] and r["person"] for r in issues.rows)

    rectification = await rows.build(SHELL, "rectification", november(world), as_of)
    assert described(rectification) == ["十月发现，十一月整改销号"]  # started in October, its round in November
    assert rectification.rows[0]["measures"].startswith("整改措施")

    closure = await rows.build(SHELL, "closure", november(world), as_of)
    assert described(closure) == ["十月发现，十一月整改销号"]  # closed in November, whenever found
    october = LedgerFilters(county_id=world.counties["盐湖区"], date_from=date(2026, 10, 1), date_to=date(2026, 10, 31))
    assert described(await rows.build(SHELL, "closure", october, as_of)) == ["九月发现，十月销号"]
    december = LedgerFilters(county_id=world.counties["盐湖区"], date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    assert described(await rows.build(SHELL, "closure", december, as_of)) == ["十一月底发现，十二月销号"]
    # an overdue issue does not drop out of reporting after its first month
    assert "十月发现，至今未整改" in described(await rows.build(SHELL, "issues", december, as_of))


async def test_the_months_closure_ledger_as_the_city_office_receives_it(world):
    ids = await _month(world)
    clock.freeze(at(12, 8))
    county = await world.client("county_a")
    r = await county.post("/api/ledgers", json={"kind": "closure", "date_from": "2026-11-01", "date_to": "2026-11-30"})
    job = await wait_done(county, r.json())
    assert job["state"] == "done" and job["rows_total"] == 1, job
    text = cells_text((await county.get(job["file_url"])).content)
    assert job["file_name"] == "盐湖区销号台账-2026年11月.pdf"
    assert "盐湖区易地扶贫搬迁安置点销号台账（2026年11月）" in text and "十月发现，十一月整改销号" in text
    assert "统计口径：期内销号的问题（按销号日期）" in text and "2026年11月20日" in text
    assert "填报单位（盖章）：盐湖区易地扶贫搬迁工作专班" in text and "单位负责人" in text and "联系电话" in text
    assert "九月发现" not in text and "十二月销号" not in text
    assert "无整改后照片：当面核实" in text  # no after-photo: the recorded reason, never the finding photo
    assert ids


async def test_the_periods_last_day_is_in_its_issue_and_work_ledgers(world):
    """A visit made and its issues found late on 30 November (23:40 in Shanghai, still 30 Nov in
    UTC too) are November's: in its work ledger and its issue ledger, as new issues."""
    from tests.ledgers.helpers import visit_with_issues

    clock.freeze(datetime(2026, 11, 30, 23, 40, tzinfo=clock.SHANGHAI))
    visit = await visit_with_issues(world, "a1")
    found = {i["id"] for i in visit["issues"]}
    assert len(found) == 2
    clock.freeze(at(12, 8))
    as_of = clock.now()
    work = await rows.build(SHELL, "work", november(world), as_of)
    assert len(work.rows) == 1, work.rows
    issues = await rows.build(SHELL, "issues", november(world), as_of)
    assert len(issues.rows) == 2 and issues.summary == [("盐湖区", {"上月结转": 0, "本月新增": 2, "本月销号": 0, "月末未销号": 2}, 2)]
    december = LedgerFilters(county_id=world.counties["盐湖区"], date_from=date(2026, 12, 1), date_to=date(2026, 12, 31))
    assert len((await rows.build(SHELL, "work", december, as_of)).rows) == 0  # and not December's
    assert (await rows.build(SHELL, "issues", december, as_of)).summary[0][1]["本月新增"] == 0
