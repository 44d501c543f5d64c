"""Plans: draw, read (audited, secret from the inspected side), release, and completion on submit.

Secrecy: a plan exists only for the city office (city admin: the planners) and, visit by visit,
for the inspector assigned, from its release day. A county's self-inspection plan is the county
team's own. Everyone else gets exactly the 404 of a plan that does not exist, from every route.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from server.accounts.guards import Principal
from server.accounts.policy import is_planner
from server.accounts.roles import Role
from server.accounts.tables import User
from server.audit import service as audit
from server.inspections.tables import Inspection
from server.issues import deadlines
from server.issues.tables import Issue
from server.lib import clock, db
from server.lib.bounds import MONTH_PATTERN
from server.lib.errors import Forbidden, Invalid, NotFound
from server.plans.draw import SiteRisk, days, draw
from server.plans.tables import PlannedVisit, VisitPlan
from server.settings import get_settings
from server.sites.tables import Site

MONTH = re.compile(MONTH_PATTERN)
MISSING = "计划不存在"


async def risks(county_id: int | None) -> list[SiteRisk]:
    """Every candidate site's risk figures today."""
    today = clock.today()
    sites = Site.select(Site.id, Site.registered_people, Site.other_people)
    if county_id is not None:
        sites = sites.where(Site.county == county_id)
    sites = await sites
    ids = [s["id"] for s in sites]
    open_, overdue, past = Counter(), Counter(), Counter()
    for i in await Issue.select(Issue.site, Issue.state, Issue.deadline).where(Issue.site.is_in(ids or [0])):
        past[i["site"]] += 1
        if i["state"] != "closed":
            open_[i["site"]] += 1
            if deadlines.is_overdue(i["deadline"], today, i["state"]):
                overdue[i["site"]] += 1
    last: dict[int, Any] = {}
    for v in await Inspection.select(Inspection.site, Inspection.submitted_at).where(
            (Inspection.state == "submitted") & Inspection.site.is_in(ids or [0])):
        when = clock.local(clock.aware(v["submitted_at"])).date()
        last[v["site"]] = max(last.get(v["site"], when), when)
    return [SiteRisk(site_id=s["id"], open_issues=open_[s["id"]], overdue_issues=overdue[s["id"]],
                     days_since_last_visit=(today - last[s["id"]]).days if s["id"] in last else 180,
                     past_issues=past[s["id"]], total_people=s["registered_people"] + s["other_people"])
            for s in sites]


async def create(p: Principal, month: str, count: int, inspector_ids: list[int], seed: str | None = None) -> dict[str, Any]:
    if p.role is Role.CITY_ADMIN:
        scope, county_id = "city", None
        allowed = {Role.CITY_INSPECTOR, Role.CITY_ADMIN}
    elif p.role is Role.COUNTY_TEAM:
        scope, county_id = "county", p.county_id
        allowed = {Role.COUNTY_TEAM}
    else:
        raise Forbidden("只有市级管理员（督查计划）或县级专班（县级自查计划）可以制定计划")
    if not MONTH.match(month or ""):
        raise Invalid("bad_month", "月份格式应为 YYYY-MM，例如 2026-12")
    if not 1 <= count <= 500:
        raise Invalid("bad_count", "抽取的安置点数应在 1 到 500 之间")
    people = {u["id"]: u for u in await User.select().where(User.id.is_in(inspector_ids or [0]))}
    if not inspector_ids:
        raise Invalid("bad_inspectors", "请指定督查人员（用户编号）")
    for uid in inspector_ids:
        u = people.get(uid)
        # a user the planner may not assign answers as one that does not exist: no name, no role
        if u is None or Role(u["role"]) not in allowed or (county_id is not None and u["county"] != county_id):
            raise Invalid("bad_inspectors", f"用户 {uid} 不存在，或不能承担此计划的督查")
        if not u["active"]:
            raise Invalid("bad_inspectors", f"{u['display_name']} 的账号已停用，不能承担督查")
    candidates = await risks(county_id)
    if not candidates:
        raise Invalid("no_sites", "没有可抽取的安置点")
    seed = seed or secrets.token_hex(8)
    chosen = draw(candidates, min(count, len(candidates)), seed)
    visit_days = days(month, len(chosen), seed)
    county_of = {s["id"]: s["county"] for s in await Site.select(Site.id, Site.county).where(Site.id.is_in(chosen))}
    release = timedelta(days=get_settings().plan_release_days)
    plan = VisitPlan(uuid=uuid4(), month=month, scope=scope, county=county_id, seed=seed,
                     weights=[c.record() for c in candidates], created_by=p.id, created_at=clock.now())
    async with db.write():
        await plan.save()
        for n, (site_id, day) in enumerate(zip(chosen, visit_days)):
            await PlannedVisit(uuid=uuid4(), plan=plan.id, site=site_id, county=county_of[site_id],
                               inspector=inspector_ids[n % len(inspector_ids)], planned_on=day, release_on=day - release,
                               rank=n + 1).save()
        await audit.record(p.actor, "plan.create", "visit_plan", plan.uuid,
                           data={"month": month, "scope": scope, "seed": seed, "sites": chosen})
    return await get(p, plan.uuid)


_planner = is_planner  # the rule lives in the policy module


async def _visits(plan_id: int) -> list[dict[str, Any]]:
    return await PlannedVisit.select(PlannedVisit.all_columns(), PlannedVisit.site.name.as_alias("site_name"),
                                     PlannedVisit.county.name.as_alias("county_name"),
                                     PlannedVisit.inspector.display_name.as_alias("inspector_name")) \
        .where(PlannedVisit.plan == plan_id).order_by(PlannedVisit.rank)


async def get(p: Principal, uuid: UUID) -> dict[str, Any]:
    """The whole plan, for its planners; an assigned inspector reads its released visits with
    ``mine``. Every read is an audit event."""
    plan = await VisitPlan.select().where(VisitPlan.uuid == uuid).output(load_json=True).first()
    if plan is None or not _planner(p, plan):
        raise NotFound(MISSING)
    visits = await _visits(plan["id"])
    await audit.record(p.actor, "plan.read", "visit_plan", uuid)
    return {**plan, "visits": visits}


async def listing(p: Principal) -> list[dict[str, Any]]:
    if p.role is Role.CITY_ADMIN:
        query = VisitPlan.select().where(VisitPlan.scope == "city")
    elif p.role is Role.COUNTY_TEAM:
        query = VisitPlan.select().where((VisitPlan.scope == "county") & (VisitPlan.county == p.county_id))
    else:
        raise NotFound(MISSING)  # nobody else has plans to list: the same answer as for a missing plan
    rows = await query.order_by(VisitPlan.id, ascending=False).limit(100)
    await audit.record(p.actor, "plan.list", "visit_plan", None, data={"plans": len(rows)})
    return [{k: r[k] for k in ("uuid", "month", "scope", "county", "seed", "created_at")} for r in rows]


async def mine(p: Principal) -> list[dict[str, Any]]:
    """The caller's planned visits that have reached the phone (release day passed), not yet done."""
    if p.role not in (Role.CITY_INSPECTOR, Role.CITY_ADMIN, Role.COUNTY_TEAM):
        raise NotFound(MISSING)
    today = clock.today()
    rows = await PlannedVisit.select(PlannedVisit.uuid, PlannedVisit.site, PlannedVisit.site.name.as_alias("site_name"),
                                     PlannedVisit.county.name.as_alias("county_name"), PlannedVisit.planned_on,
                                     PlannedVisit.plan.month.as_alias("month")) \
        .where((PlannedVisit.inspector == p.id) & (PlannedVisit.state == "planned") & (PlannedVisit.release_on <= today)) \
        .order_by(PlannedVisit.planned_on)
    await audit.record(p.actor, "plan.read", "planned_visit", None, data={"visits": [str(r["uuid"]) for r in rows]})
    return rows


async def mark_done(actor: audit.Actor, visit: dict[str, Any]) -> None:
    """On submit (inside its transaction): the inspector's planned visit to that site this month is done."""
    when = clock.local(clock.aware(visit["submitted_at"]))
    month = f"{when:%Y-%m}"
    row = await PlannedVisit.select(PlannedVisit.id).where(
        (PlannedVisit.inspector == visit["inspector"]) & (PlannedVisit.site == visit["site"])
        & (PlannedVisit.state == "planned") & (PlannedVisit.plan.month == month)).order_by(PlannedVisit.rank).first()
    if row is not None:
        await PlannedVisit.update({PlannedVisit.state: "done", PlannedVisit.inspection_uuid: visit["uuid"],
                                   PlannedVisit.done_at: clock.now()}).where(PlannedVisit.id == row["id"])
        await audit.record(actor, "plan.visit_done", "planned_visit", row["id"], before={"state": "planned"},
                           after={"state": "done"}, data={"inspection": str(visit["uuid"])})
