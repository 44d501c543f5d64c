"""Lists and counts of issues, always limited to the caller's scope.

Overdue and escalation are computed from the deadline and today's date in
Asia/Shanghai, never stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from server.accounts.guards import Principal, scope_where
from server.accounts.roles import Role
from server.checklists.model import SEVERITY_NAMES
from server.issues import deadlines, lifecycle
from server.issues.schemas import IssuePage, IssueSummary, RepeatFinding, StateCounts
from server.issues.tables import Issue, Refinding
from server.lib import clock

SORTS = {
    "found_at": (Issue.found_at, True), "-found_at": (Issue.found_at, False),
    "deadline": (Issue.deadline, True), "-deadline": (Issue.deadline, False),
    "severity": (Issue.severity, True),  # critical, major, minor
}
COLUMNS = [Issue.id, Issue.number, Issue.source, Issue.state, Issue.county, Issue.county.name.as_alias("county_name"), Issue.site,
           Issue.site.name.as_alias("site_name"), Issue.department, Issue.area, Issue.description, Issue.severity,
           Issue.deadline, Issue.found_at, Issue.responsible_person]


@dataclass(frozen=True)
class Filters:
    county_id: int | None = None
    site_id: int | None = None
    area: str | None = None
    department_id: int | None = None
    state: str | None = None
    severity: str | None = None
    source: str | None = None
    overdue: bool | None = None
    found_from: date | None = None
    found_to: date | None = None
    #: an issue number (盐湖-2026-0057), or words of the finding
    q: str | None = None


def where(p: Principal, f: Filters) -> list[Any]:
    clauses: list[Any] = [scope_where(p, county=Issue.county, site=Issue.site, department=Issue.department)]
    for column, value in ((Issue.county, f.county_id), (Issue.site, f.site_id), (Issue.area, f.area),
                          (Issue.department, f.department_id), (Issue.state, f.state), (Issue.severity, f.severity),
                          (Issue.source, f.source)):
        if value is not None:
            clauses.append(column == value)
    if f.overdue is not None:
        day = clock.today()
        clauses.append(deadlines.overdue_where(Issue.deadline, Issue.state, day) if f.overdue
                       else deadlines.not_overdue_where(Issue.deadline, Issue.state, day))
    if f.found_from:
        clauses.append(Issue.found_at >= datetime.combine(f.found_from, time(), clock.SHANGHAI))
    if f.found_to:
        clauses.append(Issue.found_at < datetime.combine(f.found_to + timedelta(days=1), time(), clock.SHANGHAI))
    if f.q:
        text = f.q.strip()
        like = f"%{text}%"  # % and _ in the words match as wildcards: harmless in a search box
        clauses.append((Issue.number == text) | Issue.description.like(like) | Issue.number.like(like))
    return [c for c in clauses if c is not None]


def summary(row: dict[str, Any], day: date) -> IssueSummary:
    level, name = deadlines.escalation(row["deadline"], day, row["state"])
    return IssueSummary(
        id=row["id"], number=row["number"] or "", source=row["source"], state=row["state"], state_name=lifecycle.STATE_NAMES[row["state"]],
        county_id=row["county"], county_name=row["county_name"], site_id=row["site"], site_name=row["site_name"],
        department_id=row["department"], area=row["area"], description=row["description"], severity=row["severity"],
        severity_name=SEVERITY_NAMES.get(row["severity"], row["severity"]), deadline=row["deadline"], found_at=clock.aware(row["found_at"]),
        overdue=deadlines.is_overdue(row["deadline"], day, row["state"]), escalation=level, escalation_name=name,
        responsible_person=row["responsible_person"] or "",
    )


async def list_issues(p: Principal, f: Filters, *, sort: str = "-found_at", offset: int = 0, limit: int = 50) -> IssuePage:
    query, count = Issue.select(*COLUMNS), Issue.count()
    for clause in where(p, f):
        query, count = query.where(clause), count.where(clause)
    column, ascending = SORTS[sort]
    rows = await query.order_by(column, ascending=ascending).order_by(Issue.id, ascending=ascending).offset(offset).limit(limit)
    day = clock.today()
    return IssuePage(items=[summary(r, day) for r in rows], total=await count, offset=offset, limit=limit)


async def counts(p: Principal, f: Filters) -> list[StateCounts]:
    """Per county: issues in each state, and how many are overdue."""
    query = Issue.select(Issue.county, Issue.county.name.as_alias("county_name"), Issue.state, Count(Issue.id, alias="n"))
    late = Issue.select(Issue.county, Count(Issue.id, alias="n"))
    for clause in where(p, f):
        query, late = query.where(clause), late.where(clause)
    late = late.where(deadlines.overdue_where(Issue.deadline, Issue.state, clock.today()))
    rows = await query.group_by(Issue.county, Issue.county.name, Issue.state)
    overdue = {r["county"]: r["n"] for r in await late.group_by(Issue.county)}
    by_county: dict[int, dict[str, Any]] = {}
    for r in rows:
        entry = by_county.setdefault(r["county"], {"county_id": r["county"], "county_name": r["county_name"], "open": 0,
                                                   "rectifying": 0, "submitted": 0, "closed": 0, "overdue": 0})
        entry[r["state"]] = r["n"]
    for county_id, n in overdue.items():
        if county_id in by_county:
            by_county[county_id]["overdue"] = n
    return [StateCounts(**v) for _, v in sorted(by_county.items())]


async def repeats(p: Principal, f: Filters, *, at_least: int = 2) -> list[RepeatFinding]:
    """The same checklist item found failing again and again at the same site (visits only): every
    issue raised for it, and every re-finding recorded on an issue still open."""
    query = Issue.select(Issue.id, Issue.site, Issue.site.name.as_alias("site_name"), Issue.template_id, Issue.item_key,
                         Issue.requirement, Issue.description).where(Issue.source == "visit")
    for clause in where(p, f):
        query = query.where(clause)
    rows = await query.order_by(Issue.id)
    again: Counter[int] = Counter()
    if rows:
        for r in await Refinding.select(Refinding.issue, Count(Refinding.id, alias="n")).where(
                Refinding.issue.is_in([r["id"] for r in rows])).group_by(Refinding.issue):
            again[r["issue"]] = r["n"]
    times: Counter = Counter()
    first: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        key = (r["site"], r["template_id"], r["item_key"])
        times[key] += 1 + again[r["id"]]
        first.setdefault(key, r)
    return sorted(
        (RepeatFinding(site_id=k[0], site_name=first[k]["site_name"], template_id=k[1], item_key=k[2],
                       description=first[k]["requirement"] or first[k]["description"], times=n)
         for k, n in times.items() if n >= at_least),
        key=lambda x: (-x.times, x.site_id),
    )


async def inbox(p: Principal, limit: int = 50) -> dict[str, list[IssueSummary]]:
    """What waits for the caller: to rectify, to verify, and (city office) escalated past seven days."""
    from server.issues.lifecycle import RECTIFIERS, verifier_roles
    from server.settings import get_settings

    day = clock.today()
    boxes: dict[str, list[IssueSummary]] = {"to_rectify": [], "to_verify": [], "escalated": []}
    scope = scope_where(p, county=Issue.county, site=Issue.site, department=Issue.department)

    async def fetch(clause) -> list[IssueSummary]:
        query = Issue.select(*COLUMNS).where(clause)
        if scope is not None:
            query = query.where(scope)
        rows = await query.order_by(Issue.deadline).order_by(Issue.id).limit(limit)
        return [summary(r, day) for r in rows]

    if p.role in RECTIFIERS:
        boxes["to_rectify"] = await fetch(Issue.state.is_in(["open", "rectifying"]))
    if p.role in verifier_roles(get_settings().county_verifies):
        boxes["to_verify"] = await fetch(Issue.state == "submitted")
    if p.role is Role.CITY_ADMIN:
        boxes["escalated"] = await fetch(deadlines.escalated_where(Issue.deadline, Issue.state, day))
    return boxes
