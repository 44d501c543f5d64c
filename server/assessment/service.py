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


async def assess(p: Principal, date_from: date, date_to: date, *, today: date | None = None,
                 focus: int | None = None) -> dict[str, Any]:
    """The indicators per county for the period, as they stand on ``today`` (default: now). With
    ``focus`` (a county id) also ``detail``: the planned visits, issues and sites behind each of
    that county's figures, each marked with the counts it enters (the same loop decides both)."""
    if not p.is_city:
        raise Forbidden("年度考核只对市级开放")
    if date_from > date_to:
        raise Invalid("bad_period", "开始日期不能晚于结束日期")
    r = rules()
    lo, hi = _start(date_from), _start(date_to + timedelta(days=1))
    today = today or clock.today()
    end = min(date_to, today)
    counties = await County.select(County.id, County.name).order_by(County.code)
    # the sites to cover: those in use, and any disabled since that the county did inspect
    in_use: dict[int, set] = defaultdict(set)
    for s in await Site.select(Site.id, Site.county).where(Site.active == True):
        in_use[s["county"]].add(s["id"])
    planned, planned_done = Counter(), Counter()
    self_sites: dict[int, set] = defaultdict(set)
    detail: dict[str, list] = {"planned": [], "issues": [], "refindings": [], "self_sites": []}
    for v in await PlannedVisit.select(PlannedVisit.county, PlannedVisit.site, PlannedVisit.state, PlannedVisit.planned_on,
                                       PlannedVisit.site.name.as_alias("site_name"), PlannedVisit.inspection_uuid,
                                       PlannedVisit.plan.scope.as_alias("scope")).where(
            (PlannedVisit.planned_on >= date_from) & (PlannedVisit.planned_on <= date_to) & (PlannedVisit.state != "cancelled")):
        if v["scope"] == "city":
            planned[v["county"]] += 1
            planned_done[v["county"]] += v["state"] == "done"
            if v["county"] == focus:
                detail["planned"].append({k: v[k] for k in ("site", "site_name", "planned_on", "state", "inspection_uuid")})
        elif v["state"] == "done":
            self_sites[v["county"]].add(v["site"])
    visits = Counter(v["county"] for v in await Inspection.select(Inspection.county).where(
        (Inspection.state == "submitted") & (Inspection.submitted_at >= lo) & (Inspection.submitted_at < hi)))
    found, repeats, overdue, due, on_time = Counter(), Counter(), Counter(), Counter(), Counter()
    issues = await Issue.select(Issue.id, Issue.county, Issue.site, Issue.source, Issue.found_at, Issue.deadline, Issue.state,
                                Issue.closed_at, Issue.reopens, Issue.number, Issue.description,
                                Issue.site.name.as_alias("site_name")).where(
            ((Issue.found_at >= lo) & (Issue.found_at < hi)) | ((Issue.deadline >= date_from) & (Issue.deadline <= date_to)))
    handed_in = await _handed_in_on_time(issues, end)
    for i in issues:
        c = i["county"]
        counts: list[str] = []  # what this issue enters, for the drill-down
        found_in = lo <= clock.aware(i["found_at"]) < hi
        if found_in:
            found[c] += 1
            counts.append("found")
            if i["reopens"] is not None:
                repeats[c] += 1
                counts.append("repeat")
            closed_by_end = i["closed_at"] is not None and clock.local(clock.aware(i["closed_at"])).date() <= end
            # a rectification handed in by the deadline and waiting for verification is not the county's delay
            if (not closed_by_end) and deadlines.is_overdue(i["deadline"], end, "open") and i["id"] not in handed_in:
                overdue[c] += 1
                counts.append("overdue")
            if i["source"] == "self_check":
                self_sites[c].add(i["site"])
        if date_from <= i["deadline"] <= end:  # deadlines already passed: a later one is not yet due
            due[c] += 1
            counts.append("due")
            if i["closed_at"] is not None and (
                    clock.local(clock.aware(i["closed_at"])).date() <= i["deadline"] or i["id"] in handed_in):
                on_time[c] += 1
                counts.append("on_time")
        if c == focus and counts:
            detail["issues"].append({**{k: i[k] for k in ("id", "number", "site", "site_name", "source", "description", "deadline",
                                                          "state")},
                                     "found_at": clock.aware(i["found_at"]),
                                     "closed_at": clock.aware(i["closed_at"]) if i["closed_at"] else None, "counts": counts})
    # a problem found again while its issue was still open (re-finding) is a repeat too
    again = await Refinding.select(Refinding.issue.county.as_alias("county"), Refinding.issue.as_alias("issue_id"),
                                   Refinding.issue.number.as_alias("number"), Refinding.found_at).where(
        (Refinding.found_at >= lo) & (Refinding.found_at < hi))
    refound = Counter(r["county"] for r in again)
    for c, n in refound.items():
        repeats[c] += n
    detail["refindings"] = [{"issue_id": r["issue_id"], "number": r["number"] or "", "found_at": clock.aware(r["found_at"])}
                            for r in again if r["county"] == focus]
    sites = Counter({c: len(in_use[c] | self_sites[c]) for c in set(in_use) | set(self_sites)})
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
    if focus is not None:
        names = {x["id"]: x["name"] for x in await Site.select(Site.id, Site.name).where(Site.id.is_in(list(self_sites[focus]) or [0]))}
        detail["self_sites"] = [{"site": sid, "site_name": names.get(sid, "")} for sid in sorted(self_sites[focus])]
    return {
        "from": date_from, "to": date_to, "nothing_to_measure": scoring.NOTHING_TO_MEASURE,
        "rules": [{"key": i.key, "name": i.name, "weight": i.weight, "better": i.better, "rule": i.rule} for i in r.indicators],
        "flag_bottom": r.flag_bottom, "counties": ranked, **({"detail": detail} if focus is not None else {}),
    }
