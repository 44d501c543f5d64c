"""Who may do what, by object kind: the rules every service asks, in one place.

Scope (which county, site or department a caller sees) is ``guards.visible`` and, for queries,
``guards.scope_where``; the rules per kind of object built on them live here, so a service never
writes its own:

- a visit: ``can_read_inspection``; a photo: ``can_read_photo`` (follows what names it);
- an issue: ``can_read_issue``; its moves: ``may_move_issue`` (rectifiers, verifiers);
- a ledger job: ``can_read_ledger_job``; a plan: ``is_planner`` (the inspected side never);
- a site: ``guards.site_visible``; changes to what drives its checklists: the city only
  (``sites.service.update_site`` / ``decide``).
 The table test (``tests/authorization/test_policy_table.py``) pins every role x
action x object inside and outside the caller's scope to an exact status.

This module reads tables only (never a feature's service), so any service may import it.
"""

from __future__ import annotations

from typing import Any

from server.accounts.guards import Principal, visible
from server.accounts.roles import Role


def can_read_inspection(p: Principal, row: dict[str, Any]) -> bool:
    """City roles see every visit; the inspected side only submitted visits in its scope
    (a draft is an unannounced visit still under way: it does not exist for them)."""
    if row["inspector"] == p.id:
        return True  # one's own visit, draft or not (a county team's self-inspection)
    if p.is_city:
        return p.role is Role.CITY_ADMIN or row["state"] == "submitted"
    if row["state"] != "submitted" or p.role is Role.DEPARTMENT:
        return False
    return visible(p, county_id=row["county"], site_id=row["site"])


#: who rectifies (整改) an issue in their scope
RECTIFIERS = frozenset({Role.COUNTY_TEAM, Role.SITE_MANAGER, Role.DEPARTMENT})


def verifier_roles(county_verifies: bool) -> set[Role]:
    """Who verifies and closes (销号): the city's inspectors and office, and county teams when
    DUCHA_COUNTY_VERIFIES is set."""
    roles = {Role.CITY_INSPECTOR, Role.CITY_ADMIN}
    return roles | {Role.COUNTY_TEAM} if county_verifies else roles


def can_read_issue(p: Principal, row: dict[str, Any]) -> bool:
    """An issue is read where its county, site and (for departments) department are in scope."""
    return visible(p, county_id=row["county"], site_id=row["site"], department_id=row["department"])


def may_move_issue(p: Principal, move: str, issue: dict[str, Any], *, county_verifies: bool = False) -> bool:
    """May ``p`` make ``move`` (start, rectify, accept, reject) on ``issue`` by role and scope (the state aside)?"""
    if move in ("start", "rectify"):
        return p.role in RECTIFIERS and can_read_issue(p, issue)
    return p.role in verifier_roles(county_verifies) and can_read_issue(p, issue)


def can_read_ledger_job(p: Principal, job: dict[str, Any]) -> bool:
    """A ledger job is its requester's; a county team also sees its county's; the city every one."""
    if p.is_city or job["requested_by"] == p.id:
        return True
    return p.role is Role.COUNTY_TEAM and job["county"] is not None and job["county"] == p.county_id


def is_planner(p: Principal, plan: dict[str, Any]) -> bool:
    """A city plan is the city admin's, a county's self-inspection plan its county team's; nobody
    else (above all the inspected side) reads a plan."""
    if plan["scope"] == "city":
        return p.role is Role.CITY_ADMIN
    return p.role is Role.COUNTY_TEAM and plan["county"] == p.county_id


def photos_named_by(visit: dict[str, Any]) -> set[str]:
    """The photos a visit row names: evidence of its items and the answers of its photo items."""
    named = {str(u).lower() for items in (visit["photos"] or {}).values() for uuids in items.values() for u in uuids}
    for answers in (visit["answers"] or {}).values():
        for value in answers.values():
            if isinstance(value, list):
                named.update(str(u).lower() for u in value if isinstance(u, str) and len(u) == 36)
    return named


async def can_read_photo(p: Principal, row: dict[str, Any]) -> bool:
    """Who may read a photo follows who may read what it belongs to: the visit that names it as
    evidence, the issue (for the department it is assigned to), else the site it was taken at."""
    from server.inspections.tables import Inspection
    from server.sites.tables import Site

    if p.is_city or row["uploaded_by"] == p.id:
        return True
    if p.role is Role.DEPARTMENT and await _evidence_of_assigned_issue(p, str(row["uuid"])):
        return True
    if row["inspection_uuid"] is not None:
        inspection = await Inspection.select().where(Inspection.uuid == row["inspection_uuid"]).output(load_json=True).first()
        return (inspection is not None and can_read_inspection(p, inspection) and row["sha256"] is not None
                and str(row["uuid"]) in photos_named_by(inspection))  # a photo the visit does not name is not its evidence
    if row["site"] is None:
        return False
    site = await Site.select(Site.id, Site.county).where(Site.id == row["site"]).first()
    return site is not None and visible(p, county_id=site["county"], site_id=site["id"])


async def _evidence_of_assigned_issue(p: Principal, uuid: str) -> bool:
    """A department reads the evidence (finding, rounds, re-findings) of the issues assigned to it."""
    from server.issues.tables import Issue, Rectification, Refinding

    mine: Any = Issue.department == p.department_id
    if p.county_id is not None:
        mine = mine & (Issue.county == p.county_id)
    named = [r["photos"] for r in await Issue.select(Issue.photos).where(mine).output(load_json=True)]
    named += [r["photos"] for r in await Rectification.select(Rectification.photos).where(
        Rectification.issue.is_in(Issue.select(Issue.id).where(mine))).output(load_json=True)]
    named += [r["photos"] for r in await Refinding.select(Refinding.photos).where(
        Refinding.issue.is_in(Issue.select(Issue.id).where(mine))).output(load_json=True)]
    return any(uuid in photos for photos in named)
