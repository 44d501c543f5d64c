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
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.plans.draw import SiteRisk, days, draw
from server.plans.tables import PlannedVisit, VisitPlan
from server.settings import get_settings
from server.sites.tables import Site

MONTH = re.compile(MONTH_PATTERN)
MISSING = "计划不存在"


async def risks(county_id: int | None) -> list[SiteRisk]:
    """Every candidate site's risk figures today (a disabled site is never drawn)."""
    today = clock.today()
    sites = Site.select(Site.id, Site.registered_people, Site.other_people).where(Site.active == True)
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


def _scope(p: Principal) -> tuple[str, int | None, set[Role]]:
    """(scope, county, roles that may be assigned) of the plans the caller makes."""
    if p.role is Role.CITY_ADMIN:
        return "city", None, {Role.CITY_INSPECTOR, Role.CITY_ADMIN}
    if p.role is Role.COUNTY_TEAM:
        return "county", p.county_id, {Role.COUNTY_TEAM}
    raise Forbidden("只有市级管理员（督查计划）或县级专班（县级自查计划）可以制定计划")


async def _check_inspectors(inspector_ids: list[int], allowed: set[Role], county_id: int | None) -> dict[int, dict[str, Any]]:
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
    return people


def _planning(p: Principal) -> tuple[str, int | None, set[Role]]:
    """``_scope`` for a read before any plan exists; anyone but a planner meets a missing plan's 404."""
    if not (p.role is Role.CITY_ADMIN or p.role is Role.COUNTY_TEAM):
        raise NotFound(MISSING)
    return _scope(p)


async def candidates(p: Principal) -> list[dict[str, Any]]:
    """Before a draw: every site that could be drawn, its figures, weight and share of the total
    weight (how likely it is to be among the first drawn), riskiest first. Planners only."""
    _, county_id, _ = _planning(p)
    rows = await risks(county_id)
    names = {s["id"]: s for s in await Site.select(Site.id, Site.name, Site.county.name.as_alias("county_name"))
             .where(Site.id.is_in([r.site_id for r in rows] or [0]))}
    total = sum(r.weight for r in rows) or 1
    out = [{**r.record(), "site_name": names[r.site_id]["name"], "county_name": names[r.site_id]["county_name"],
            "share": round(r.weight / total, 4)} for r in rows]
    return sorted(out, key=lambda r: (-r["weight"], r["site_id"]))


async def assignable(p: Principal) -> list[dict[str, Any]]:
    """Whom the caller may assign its plans' visits to: active accounts of the roles its plans take
    (a county team: its own county's). Planners only."""
    _, county_id, allowed = _planning(p)
    query = User.select(User.id, User.display_name, User.role).where(
        (User.active == True) & User.role.is_in([r.value for r in allowed]))
    if county_id is not None:
        query = query.where(User.county == county_id)
    return await query.order_by(User.id)


async def create(p: Principal, month: str, count: int, inspector_ids: list[int], seed: str | None = None,
                 replaces: UUID | None = None, reason: str = "") -> dict[str, Any]:
    """A month's draw; with ``replaces`` a redraw: that plan is cancelled with ``reason`` in the
    same transaction (both audited, the new seed recorded), or nothing happens."""
    scope, county_id, allowed = _scope(p)
    if not MONTH.match(month or ""):
        raise Invalid("bad_month", "月份格式应为 YYYY-MM，例如 2026-12")
    if not 1 <= count <= 500:
        raise Invalid("bad_count", "抽取的安置点数应在 1 到 500 之间")
    await _check_inspectors(inspector_ids, allowed, county_id)
    if replaces is not None and len(reason.strip()) < 2:
        raise Invalid("reason_required", "重新抽取须填写原因")
    pool = await risks(county_id)
    if not pool:
        raise Invalid("no_sites", "没有可抽取的安置点")
    seed = seed or secrets.token_hex(8)
    chosen = draw(pool, min(count, len(pool)), seed)
    visit_days = days(month, len(chosen), seed)
    county_of = {s["id"]: s["county"] for s in await Site.select(Site.id, Site.county).where(Site.id.is_in(chosen))}
    release = timedelta(days=get_settings().plan_release_days)
    plan = VisitPlan(uuid=uuid4(), month=month, scope=scope, county=county_id, seed=seed,
                     weights=[c.record() for c in pool], created_by=p.id, created_at=clock.now(), replaces=replaces)
    async with db.write():
        if replaces is not None:
            old = await _own_plan(p, replaces)
            if old["month"] != month:
                raise Invalid("bad_month", f"重新抽取的月份应与原计划相同（{old['month']}）")
            await _cancel(p, old, reason, replaced_by=plan.uuid)
        await plan.save()
        for n, (site_id, day) in enumerate(zip(chosen, visit_days)):
            await PlannedVisit(uuid=uuid4(), plan=plan.id, site=site_id, county=county_of[site_id],
                               inspector=inspector_ids[n % len(inspector_ids)], planned_on=day, release_on=day - release,
                               rank=n + 1).save()
        await audit.record(p.actor, "plan.create", "visit_plan", plan.uuid,
                           data={"month": month, "scope": scope, "seed": seed, "sites": chosen,
                                 **({"replaces": str(replaces), "reason": reason.strip()} if replaces else {})})
    return await get(p, plan.uuid)


_planner = is_planner  # the rule lives in the policy module


async def _own_plan(p: Principal, uuid: UUID) -> dict[str, Any]:
    """The plan, for one of its planners (anyone else: the 404 of a missing plan)."""
    plan = await VisitPlan.select().where(VisitPlan.uuid == uuid).first()
    if plan is None or not _planner(p, plan):
        raise NotFound(MISSING)
    return plan


async def _cancel(p: Principal, plan: dict[str, Any], reason: str, replaced_by: UUID | None = None) -> None:
    """Inside the caller's transaction: the plan and its visits not yet done are cancelled; of two
    cancels at once only one moves it."""
    moved = await VisitPlan.update({VisitPlan.state: "cancelled", VisitPlan.cancel_reason: reason.strip(),
                                    VisitPlan.cancelled_by: p.id, VisitPlan.cancelled_at: clock.now()}).where(
        (VisitPlan.id == plan["id"]) & (VisitPlan.state == "active")).returning(VisitPlan.id)
    if not moved:
        raise Conflict("该计划已撤销", code="plan_cancelled")
    dropped = await PlannedVisit.update({PlannedVisit.state: "cancelled"}).where(
        (PlannedVisit.plan == plan["id"]) & (PlannedVisit.state == "planned")).returning(PlannedVisit.id)
    await audit.record(p.actor, "plan.cancel", "visit_plan", plan["uuid"], before={"state": "active"}, after={"state": "cancelled"},
                       data={"reason": reason.strip(), "visits_cancelled": len(dropped),
                             **({"replaced_by": str(replaced_by)} if replaced_by else {})})


async def cancel(p: Principal, uuid: UUID, reason: str) -> dict[str, Any]:
    if len(reason.strip()) < 2:
        raise Invalid("reason_required", "撤销计划须填写原因")
    async with db.write():
        await _cancel(p, await _own_plan(p, uuid), reason)
    return await get(p, uuid)


async def adjust(p: Principal, uuid: UUID, visit_uuid: UUID, inspector_id: int | None, planned_on: Any, reason: str) -> dict[str, Any]:
    """One planned visit's inspector and/or day changed, with a reason (audited). The day stays in
    the plan's month; a visit done or cancelled is not moved; the release day follows the day."""
    if len(reason.strip()) < 2:
        raise Invalid("reason_required", "调整计划须填写原因")
    async with db.write():
        plan = await _own_plan(p, uuid)  # first: anyone not its planner meets the 404 of a missing plan
        _, county_id, allowed = _scope(p)
        visit = await PlannedVisit.select().where((PlannedVisit.uuid == visit_uuid) & (PlannedVisit.plan == plan["id"])).first()
        if visit is None:
            raise NotFound("计划中没有这次督查")
        if plan["state"] != "active" or visit["state"] != "planned":
            raise Conflict("已完成或已撤销的督查不能调整", code="visit_closed")
        values: dict[Any, Any] = {}
        if inspector_id is not None and inspector_id != visit["inspector"]:
            await _check_inspectors([inspector_id], allowed, county_id)
            values[PlannedVisit.inspector] = inspector_id
        if planned_on is not None and planned_on != visit["planned_on"]:
            if f"{planned_on:%Y-%m}" != plan["month"]:
                raise Invalid("bad_day", f"督查日期应在计划月份（{plan['month']}）内")
            values[PlannedVisit.planned_on] = planned_on
            values[PlannedVisit.release_on] = planned_on - timedelta(days=get_settings().plan_release_days)
        if values:
            moved = await PlannedVisit.update(values).where(
                (PlannedVisit.id == visit["id"]) & (PlannedVisit.state == "planned")).returning(PlannedVisit.id)
            if not moved:
                raise Conflict("已完成或已撤销的督查不能调整", code="visit_closed")
            names = {PlannedVisit.inspector: "inspector", PlannedVisit.planned_on: "planned_on"}
            was = {n: str(visit[n]) for k, n in names.items() if k in values}
            now = {n: str(values[k]) for k, n in names.items() if k in values}
            await audit.record(p.actor, "plan.adjust", "planned_visit", visit_uuid, before=was, after=now,
                               data={"plan": str(uuid), "reason": reason.strip(), "from": was, "to": now})
    return await get(p, uuid)


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
    counts = Counter(v["plan"] for v in await PlannedVisit.select(PlannedVisit.plan).where(
        PlannedVisit.plan.is_in([r["id"] for r in rows] or [0])))
    await audit.record(p.actor, "plan.list", "visit_plan", None, data={"plans": len(rows)})
    return [{**{k: r[k] for k in ("uuid", "month", "scope", "county", "seed", "created_at", "state")}, "visits": counts[r["id"]]}
            for r in rows]


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
