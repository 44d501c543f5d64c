"""The assessment over HTTP: indicators from real visits, plans and issues; the city only."""

from __future__ import annotations

from datetime import datetime

import pytest

from server.lib import clock
from tests.inspections.helpers import body, new_uuid
from tests.ledgers.helpers import visit_with_issues, wait_done

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


async def test_indicators_score_and_rank_from_real_data(world):
    clock.freeze(datetime(2026, 12, 5, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    plan = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "seed-1"})
    assert plan.status_code == 200
    inspector = await world.client("inspector")
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=body(world.sites["a1"], 35.03, 111.01, fail=["extinguishers_present"]))
    assert r.status_code == 200, r.text
    result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2026-12-31"})).json()
    yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
    assert yanhu["visits_made"] == 1 and yanhu["issues_found"] == 1 and yanhu["visits_planned"] == 2
    assert yanhu["visits_planned_done"] == 1 and yanhu["rates"]["plan_completion"] == 0.5
    assert yanhu["rates"]["overdue_rate"] == 0.0 and yanhu["rates"]["self_coverage"] == 0.0
    # the issue's deadline (12-12) has not come yet on 12-05: nothing due for on-time closure, left out
    # (20×0.5 + 20×(1−0) + 10×(1−0) + 20×0) / 70 weighed × 100 = 57.14
    assert yanhu["rates"]["on_time_closure"] is None and yanhu["score"] == 57.14
    scores = [c["score"] for c in result["counties"] if c["score"] is not None]
    assert scores == sorted(scores, reverse=True) and sum(c["flagged"] for c in result["counties"]) == 2
    assert [i["key"] for i in result["rules"]][:2] == ["plan_completion", "on_time_closure"]
    county = await world.client("county_a")
    assert (await county.get("/api/assessment")).status_code == 403
    assert (await county.post("/api/ledgers", json={"kind": "assessment"})).status_code == 403


async def test_assessment_as_pdf_and_spreadsheet(world):
    import io

    from openpyxl import load_workbook

    from tests.ledgers.test_pdf import cells_text

    clock.freeze(datetime(2026, 12, 5, 10, 0, tzinfo=clock.SHANGHAI))
    await visit_with_issues(world, "a1")
    admin = await world.client("admin")
    files = {}
    for fmt in ("pdf", "xlsx"):
        r = await admin.post("/api/ledgers", json={"kind": "assessment", "format": fmt, "date_from": "2026-01-01", "date_to": "2026-12-31"})
        job = await wait_done(admin, r.json())
        assert job["state"] == "done", job["error"]
        assert job["rows_total"] == 13  # every county listed
        files[fmt] = (await admin.get(job["file_url"])).content
    text = cells_text(files["pdf"])
    assert "考核期间：2026年1月1日至2026年12月31日" in text and "无应办事项" in text and "不参与排名" in text
    ws = load_workbook(io.BytesIO(files["xlsx"])).worksheets[0]
    header = [c.value for c in ws[2]]
    rows = {ws.cell(row=r, column=2).value: {h: ws.cell(row=r, column=n + 1) for n, h in enumerate(header)} for r in range(3, ws.max_row + 1)}
    yanhu = rows["盐湖区"]
    assert yanhu["得分"].value == 60 and yanhu["得分"].number_format == "0.00" and yanhu["排名"].value == 1  # (20 + 10) / 50 weighed
    assert yanhu["按期销号率"].value == "—（无应办事项，不计分）"  # nothing due yet: text, not a 0
    assert isinstance(rows["临猗县"]["县级自查覆盖率"].value, (int, float)) and rows["临猗县"]["县级自查覆盖率"].number_format == "0.0%"
    unranked = [r for r in rows.values() if r["排名"].value == "—"]
    assert unranked and all(r["得分"].value == "—（无可考核事项，不排名）" for r in unranked)


async def test_a_rectification_handed_in_on_time_and_waiting_for_verification_is_not_overdue(world):
    from tests.issues.test_lifecycle import _issue, _round

    clock.freeze(datetime(2026, 12, 1, 10, 0, tzinfo=clock.SHANGHAI))
    on_time = await _issue(world)
    await visit_with_issues(world, "a2", fail=("smoke_alarms",))
    site = await world.client("site_a1")
    admin = await world.client("admin")
    deadline = (await admin.get(f"/api/issues/{on_time}")).json()["deadline"]
    r = await site.post(f"/api/issues/{on_time}/rectifications", json=_round(completed_on="2026-12-03"))
    assert r.status_code in (200, 201), r.text
    clock.freeze(datetime(2027, 1, 20, 10, 0, tzinfo=clock.SHANGHAI))  # both deadlines have passed; nobody verified
    admin = await world.client("admin")
    result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2027-01-20"})).json()
    yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
    assert yanhu["issues_found"] == 2 and yanhu["overdue"] == 1  # only the one never rectified
    assert yanhu["issues_due"] == 2 and yanhu["closed_on_time"] == 0
    linyi = next(c for c in result["counties"] if c["county_name"] == "临猗县")
    assert linyi["score"] == 0.0 and linyi["rank"] is not None  # one site, never self-checked: measured, and 0
    empty = [c for c in result["counties"] if c["sites"] == 0]
    assert empty and all(c["score"] is None and c["rank"] is None and not c["flagged"] for c in empty)
    assert result["counties"][-len(empty):] == empty  # nothing to measure: listed last, never tied first
    assert deadline < "2027-01-20"


async def test_each_figure_of_a_county_drills_down_to_what_is_behind_it(world):
    from tests.issues.test_lifecycle import _issue, _round

    clock.freeze(datetime(2026, 12, 1, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    plan = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "seed-1"})
    assert plan.status_code == 200
    handed_in = await _issue(world)
    await visit_with_issues(world, "a2", fail=("smoke_alarms",))
    site = await world.client("site_a1")
    assert (await site.post(f"/api/issues/{handed_in}/rectifications", json=_round(completed_on="2026-12-03"))).status_code == 200
    clock.freeze(datetime(2027, 1, 20, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    period = {"from": "2026-12-01", "to": "2027-01-20"}
    ranking = (await admin.get("/api/assessment", params=period)).json()
    yanhu = next(c for c in ranking["counties"] if c["county_name"] == "盐湖区")
    r = await admin.get(f"/api/assessment/counties/{yanhu['county_id']}", params=period)
    assert r.status_code == 200, r.text
    drill = r.json()
    assert drill["county"] == yanhu and [i["key"] for i in drill["rules"]] == [i["key"] for i in ranking["rules"]]
    issues = drill["issues"]
    count = lambda tag: sum(tag in i["counts"] for i in issues)
    assert count("found") == yanhu["issues_found"] == 2 and count("overdue") == yanhu["overdue"] == 1
    assert count("due") == yanhu["issues_due"] and count("on_time") == yanhu["closed_on_time"]
    assert count("repeat") + len(drill["refindings"]) == yanhu["repeat_findings"]
    assert len(drill["planned"]) == yanhu["visits_planned"] == 2
    assert sum(v["state"] == "done" for v in drill["planned"]) == yanhu["visits_planned_done"]
    assert len(drill["self_sites"]) == yanhu["self_inspected_sites"]
    overdue = next(i for i in issues if "overdue" in i["counts"])
    assert overdue["id"] != handed_in and overdue["number"].startswith("盐湖-") and overdue["site_name"]
    # an inspector sees the planned visits already made, not the plan's others (the planners' secret)
    inspector = (await (await world.client("inspector")).get(f"/api/assessment/counties/{yanhu['county_id']}", params=period)).json()
    assert [v["state"] for v in inspector["planned"]] == ["done"] * yanhu["visits_planned_done"]
    assert inspector["issues"] == issues
    # only the city reads it; a county that does not exist is a 404
    assert (await (await world.client("county_a")).get(f"/api/assessment/counties/{yanhu['county_id']}")).status_code == 403
    assert (await admin.get("/api/assessment/counties/999999", params=period)).status_code == 404


async def test_a_cancelled_plan_is_not_counted_as_planned(world):
    clock.freeze(datetime(2026, 11, 25, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    plan = (await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]]})).json()
    assert (await admin.post(f"/api/plans/{plan['uuid']}/cancellation", json={"reason": "暂停"})).status_code == 200
    result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2026-12-31"})).json()
    assert all(c["visits_planned"] == 0 for c in result["counties"])


async def test_a_round_handed_in_late_on_the_deadline_day_is_on_time_everywhere(world):
    """Handed in at 23:30 on the deadline day (Shanghai; 15:30 UTC), verified days later: on time in
    the assessment (not overdue, closed on time), and no 逾期 in the month's issue and rectification
    ledgers, before and after the verification."""
    from datetime import date, timedelta

    from server.accounts.guards import SHELL
    from server.ledgers import rows
    from server.ledgers.model import LedgerFilters
    from tests.issues.test_lifecycle import _issue, _round_with_photo

    clock.freeze(datetime(2026, 11, 2, 10, 0, tzinfo=clock.SHANGHAI))
    issue = await _issue(world)
    admin, site = await world.client("admin"), await world.client("site_a1")
    deadline = date.fromisoformat((await admin.get(f"/api/issues/{issue}")).json()["deadline"])
    assert deadline < date(2026, 11, 25)
    clock.freeze(datetime.combine(deadline, datetime.min.time().replace(hour=23, minute=30), clock.SHANGHAI))
    site = await world.client("site_a1")  # logged in on the day (a session lapses)
    r = await site.post(f"/api/issues/{issue}/rectifications", json=await _round_with_photo(site, completed_on=deadline.isoformat()))
    assert r.status_code == 200, r.text
    november = LedgerFilters(county_id=world.counties["盐湖区"], date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))

    async def on_time_everywhere(closed: bool) -> None:
        result = (await admin.get("/api/assessment", params={"from": "2026-11-01", "to": "2026-11-30"})).json()
        yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
        assert yanhu["issues_due"] == 1 and yanhu["overdue"] == 0, yanhu
        assert yanhu["closed_on_time"] == (1 if closed else 0), yanhu
        for kind in ("issues", "rectification"):
            ledger = await rows.build(SHELL, kind, november, clock.now())
            assert [r["overdue"] for r in ledger.rows] == [""], (kind, ledger.rows)

    clock.freeze(datetime.combine(deadline + timedelta(days=6), datetime.min.time().replace(hour=9), clock.SHANGHAI))
    admin = await world.client("admin")
    await on_time_everywhere(closed=False)  # waiting for the city's verification
    r = await admin.post(f"/api/issues/{issue}/verification", json={"accept": True, "comment": "已整改到位"})
    assert r.status_code == 200 and r.json()["state"] == "closed", r.text
    clock.freeze(datetime(2026, 12, 8, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    await on_time_everywhere(closed=True)


async def test_the_repeat_rate_counts_each_finding_again_in_its_denominator(world):
    """One issue found, then found again twice while still open: 2 repeats of 3 findings (2/3),
    not 2 of 1."""
    clock.freeze(datetime(2026, 12, 1, 10, 0, tzinfo=clock.SHANGHAI))
    first = await visit_with_issues(world, "a1", fail=("extinguishers_present",))
    for day in (3, 5):
        clock.freeze(datetime(2026, 12, day, 10, 0, tzinfo=clock.SHANGHAI))
        again = await visit_with_issues(world, "a1", fail=("extinguishers_present",))
        assert [i["id"] for i in again["issues"]] == [i["id"] for i in first["issues"]]  # the same issue, found again
    admin = await world.client("admin")
    result = (await admin.get("/api/assessment", params={"from": "2026-12-01", "to": "2026-12-31"})).json()
    yanhu = next(c for c in result["counties"] if c["county_name"] == "盐湖区")
    assert yanhu["issues_found"] == 1 and yanhu["repeat_findings"] == 2
    assert abs(yanhu["rates"]["repeat_rate"] - 2 / 3) < 1e-4, yanhu["rates"]


async def test_the_drill_down_shows_a_non_planner_no_planned_visit_not_yet_made(world):
    """Before any planned visit is made: the planners (the city admin) see the county's planned
    visits; an inspector sees none of them, neither their sites nor their days."""
    clock.freeze(datetime(2026, 11, 25, 10, 0, tzinfo=clock.SHANGHAI))
    admin = await world.client("admin")
    plan = await admin.post("/api/plans", json={"month": "2026-12", "count": 3, "inspector_ids": [world.users["inspector"]], "seed": "seed-1"})
    assert plan.status_code == 200, plan.text
    clock.freeze(datetime(2026, 12, 2, 10, 0, tzinfo=clock.SHANGHAI))
    period = {"from": "2026-12-01", "to": "2026-12-31"}
    county = world.counties["盐湖区"]
    admin = await world.client("admin")
    planners = (await admin.get(f"/api/assessment/counties/{county}", params=period)).json()
    assert planners["planned"] and all(v["state"] != "done" for v in planners["planned"])
    r = await (await world.client("inspector")).get(f"/api/assessment/counties/{county}", params=period)
    assert r.status_code == 200, r.text
    assert r.json()["planned"] == []
    assert r.json()["county"]["visits_planned"] == planners["county"]["visits_planned"]  # how many is no secret
