"""Indicators per county for a period, read from the database; the ranking by ``scoring``."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from server.accounts.guards import Principal
from server.assessment import scoring
from server.inspections.tables import Inspection
from server.issues import deadlines
from server.issues.tables import Issue, Refinding
from server.lib import clock
from server.lib.errors import Forbidden, Invalid
from server.plans.tables import PlannedVisit
from server.settings import get_settings
from server.sites.tables import County, Site


def rules() -> scoring.Rules:
    path = get_settings().assessment_rules
    return scoring.load(Path(path) if path else None)


async def _handed_in_on_time(issues: list[dict], end: date) -> set[int]:
    """Issues with a rectification submitted by their deadline (and by ``end``) that was not sent back:
    the county did its part in time; the wait for the city's verification is not its delay."""
    from server.issues.tables import Rectification

    deadline = {i["id"]: i["deadline"] for i in issues}
    if not deadline:
        return set()
    out = set()
    for r in await Rectification.select(Rectification.issue, Rectification.submitted_at, Rectification.outcome).where(
            Rectification.issue.is_in(list(deadline)) & (Rectification.outcome != "rejected")):
        day = clock.local(clock.aware(r["submitted_at"])).date()
        if day <= deadline[r["issue"]] and day <= end:
            out.add(r["issue"])
    return out


def _start(d: date) -> datetime:
    return datetime.combine(d, time(), clock.SHANGHAI)


async def assess(p: Principal, date_from: date, date_to: date, *, today: date | None = None) -> dict[str, Any]:
    """The indicators per county for the period, as they stand on ``today`` (default: now)."""
    if not p.is_city:
        raise Forbidden("年度考核只对市级开放")
    if date_from > date_to:
        raise Invalid("bad_period", "开始日期不能晚于结束日期")
    r = rules()
    lo, hi = _start(date_from), _start(date_to + timedelta(days=1))
    today = today or clock.today()
    end = min(date_to, today)
    counties = await County.select(County.id, County.name).order_by(County.code)
    sites = Counter(s["county"] for s in await Site.select(Site.county))
    planned, planned_done = Counter(), Counter()
    self_sites: dict[int, set] = defaultdict(set)
    for v in await PlannedVisit.select(PlannedVisit.county, PlannedVisit.site, PlannedVisit.state,
                                       PlannedVisit.plan.scope.as_alias("scope")).where(
            (PlannedVisit.planned_on >= date_from) & (PlannedVisit.planned_on <= date_to)):
        if v["scope"] == "city":
            planned[v["county"]] += 1
            planned_done[v["county"]] += v["state"] == "done"
        elif v["state"] == "done":
            self_sites[v["county"]].add(v["site"])
    visits = Counter(v["county"] for v in await Inspection.select(Inspection.county).where(
        (Inspection.state == "submitted") & (Inspection.submitted_at >= lo) & (Inspection.submitted_at < hi)))
    found, repeats, overdue, due, on_time = Counter(), Counter(), Counter(), Counter(), Counter()
    issues = await Issue.select(Issue.id, Issue.county, Issue.site, Issue.source, Issue.found_at, Issue.deadline, Issue.state,
                                Issue.closed_at, Issue.reopens).where(
            ((Issue.found_at >= lo) & (Issue.found_at < hi)) | ((Issue.deadline >= date_from) & (Issue.deadline <= date_to)))
    handed_in = await _handed_in_on_time(issues, end)
    for i in issues:
        c = i["county"]
        found_in = lo <= clock.aware(i["found_at"]) < hi
        if found_in:
            found[c] += 1
            repeats[c] += i["reopens"] is not None
            closed_by_end = i["closed_at"] is not None and clock.local(clock.aware(i["closed_at"])).date() <= end
            # a rectification handed in by the deadline and waiting for verification is not the county's delay
            overdue[c] += (not closed_by_end) and deadlines.is_overdue(i["deadline"], end, "open") and i["id"] not in handed_in
            if i["source"] == "self_check":
                self_sites[c].add(i["site"])
        if date_from <= i["deadline"] <= end:  # deadlines already passed: a later one is not yet due
            due[c] += 1
            on_time[c] += i["closed_at"] is not None and (
                clock.local(clock.aware(i["closed_at"])).date() <= i["deadline"] or i["id"] in handed_in)
    # a problem found again while its issue was still open (re-finding) is a repeat too
    refound = Counter(r["county"] for r in await Refinding.select(Refinding.issue.county.as_alias("county")).where(
        (Refinding.found_at >= lo) & (Refinding.found_at < hi)))
    for c, n in refound.items():
        repeats[c] += n
    rows = []
    for county in counties:
        c = county["id"]
        rates = {
            "plan_completion": scoring.rate(planned_done[c], planned[c]),
            "on_time_closure": scoring.rate(on_time[c], due[c]),
            "overdue_rate": scoring.rate(overdue[c], found[c]),
            "repeat_rate": scoring.rate(repeats[c], found[c] + refound[c]),
            "self_coverage": scoring.rate(len(self_sites[c]), sites[c]) if sites[c] else None,
        }
        rows.append({
            "county_id": c, "county_name": county["name"], "sites": sites[c],
            "visits_planned": planned[c], "visits_planned_done": planned_done[c], "visits_made": visits[c],
            "issues_found": found[c], "issues_due": due[c], "closed_on_time": on_time[c], "overdue": overdue[c],
            "repeat_findings": repeats[c], "self_inspected_sites": len(self_sites[c]),
            "rates": {k: (round(v, 4) if v is not None else None) for k, v in rates.items()},
            "score": scoring.score(rates, r),
        })
    ranked = scoring.rank(rows, r)
    return {
        "from": date_from, "to": date_to, "nothing_to_measure": scoring.NOTHING_TO_MEASURE,
        "rules": [{"key": i.key, "name": i.name, "weight": i.weight, "better": i.better, "rule": i.rule} for i in r.indicators],
        "flag_bottom": r.flag_bottom, "counties": ranked,
    }
