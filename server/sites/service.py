"""Counties, departments and sites: reads scoped by the caller, writes by the city office."""

from __future__ import annotations

from typing import Any

import msgspec

from server.accounts.guards import Principal, require_role, site_visible, site_where
from server.accounts.roles import Role
from server.audit import service as audit
from server.lib import clock, db
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.lib.geo import to_wgs84, validate_lat_lon
from server.plans.tables import PlannedVisit
from server.sites import schemas
from server.sites.tables import County, Department, Site, SiteProposal

ATTRIBUTES = [f for f in schemas.SiteAttributes.__struct_fields__]
SITE_COLUMNS = [Site.all_columns(), Site.county.name.as_alias("county_name")]


def site_out(row: dict[str, Any]) -> schemas.Site:
    return schemas.Site(
        id=row["id"], county_id=row["county"], county_name=row["county_name"], township=row["township"],
        name=row["name"], address=row["address"], lat=row["lat"], lon=row["lon"], coord_source=row["coord_source"],
        registered_people=row["registered_people"], other_people=row["other_people"],
        total_people=row["registered_people"] + row["other_people"], households=row["households"],
        building_count=row["building_count"], has_workshop=row["has_workshop"],
        has_first_secretary=row["has_first_secretary"], has_greenhouses=row["has_greenhouses"],
        has_lift=row["has_lift"], has_piped_gas=row["has_piped_gas"], invented=row["invented"],
        active=row["active"], status_reason=row["status_reason"],
    )


def population_known(site: schemas.Site) -> bool:
    """A resettlement site exists for its registered relocated people (建档立卡搬迁人口): 0 means none
    recorded yet, not an empty site."""
    return site.registered_people > 0


def rule_attributes(site: schemas.Site) -> dict[str, Any]:
    """The site as the checklist rules see it (``site.<name>``). With no population recorded the
    people counts are unknown (None): the items that depend on them are asked, never silently skipped
    as if the site had 0 people (the phone says so: pwa/src/rules.js populationKnown)."""
    values = {name: getattr(site, name) for name in ATTRIBUTES}
    values["total_people"] = site.total_people
    values["county"] = site.county_name
    if not population_known(site):
        values.update(registered_people=None, other_people=None, total_people=None)
    return values


async def list_counties() -> list[schemas.County]:
    rows = await County.select().order_by(County.code)
    return [schemas.County(id=r["id"], name=r["name"], code=r["code"]) for r in rows]


def _department_out(r: dict[str, Any]) -> schemas.Department:
    return schemas.Department(id=r["id"], code=r["code"], name=r["name"], active=r["active"])


async def list_departments(*, include_inactive: bool = False) -> list[schemas.Department]:
    query = Department.select().order_by(Department.id)
    if not include_inactive:
        query = query.where(Department.active == True)
    return [_department_out(r) for r in await query]


async def update_department(p: Principal, department_id: int, data: schemas.DepartmentUpdate) -> schemas.Department:
    """Rename, disable or enable a department (city admin). Its issues keep it; a disabled one is
    offered to no new issue and refused for one (``check_department``)."""
    require_role(p, Role.CITY_ADMIN)
    async with db.write():
        row = await Department.select().where(Department.id == department_id).first()
        if row is None:
            raise NotFound("部门不存在")
        changes = {k: v for k, v in (("name", data.name), ("active", data.active)) if v is not None and v != row[k]}
        if not changes:
            return _department_out(row)
        moved = await Department.update({getattr(Department, k): v for k, v in changes.items()}).where(
            (Department.id == department_id) & (Department.name == row["name"]) & (Department.active == row["active"])
        ).returning(Department.id)
        if not moved:  # changed by someone else since it was read (PostgreSQL): nothing written
            raise Conflict("该部门刚被他人修改，请刷新后再改", code="conflict")
        out = _department_out({**row, **changes})
        await audit.record(p.actor, "department.update", "department", department_id,
                           before={k: row[k] for k in changes}, after=changes)
    return out


async def check_department(department_id: int | None) -> None:
    """A department named for an issue exists and is in use (inside the caller's transaction)."""
    if department_id is None:
        return
    row = await Department.select(Department.name, Department.active).where(Department.id == department_id).first()
    if row is None:
        raise Invalid("unknown_department", "部门不存在")
    if not row["active"]:
        raise Invalid("department_inactive", f"{row['name']}已停用，不能再承担问题整改")


async def create_department(p: Principal, data: schemas.DepartmentCreate) -> schemas.Department:
    require_role(p, Role.CITY_ADMIN)
    async with db.write():
        row = Department(code=data.code, name=data.name)
        try:
            await row.save()
        except Exception as exc:
            db.raise_conflict_on_unique(exc, "部门代码已存在")
            raise
        out = schemas.Department(id=row.id, code=row.code, name=row.name, active=True)
        await audit.record(p.actor, "department.create", "department", row.id, after=msgspec.to_builtins(out))
    return out


async def list_sites(p: Principal, *, county_id: int | None = None, q: str | None = None, offset: int = 0, limit: int = 100,
                     include_inactive: bool = False) -> schemas.SitePage:
    """The sites the caller may see; disabled (停用) ones only when asked for (the office's list),
    never on the phone's list of sites to visit."""
    where = site_where(p, Site)
    query = Site.select(*SITE_COLUMNS)
    count = Site.count()
    active = None if include_inactive else Site.active == True
    for clause in (where, active, Site.county == county_id if county_id else None, Site.name.ilike(f"%{q}%") if q else None):
        if clause is not None:
            query = query.where(clause)
            count = count.where(clause)
    rows = await query.order_by(Site.county).order_by(Site.name).offset(offset).limit(limit)
    return schemas.SitePage(items=[site_out(r) for r in rows], total=await count, offset=offset, limit=limit)


async def get_site(p: Principal | None, site_id: int) -> schemas.Site:
    """One site; NotFound when it does not exist or ``p`` may not see it."""
    row = await Site.select(*SITE_COLUMNS).where(Site.id == site_id).first()
    if row is None or (p is not None and not site_visible(p, row)):
        raise NotFound("安置点不存在")
    return site_out(row)


def _position(lat: float, lon: float, system: str) -> tuple[float, float]:
    validate_lat_lon(lat, lon)
    return to_wgs84(lat, lon, system)


async def create_site(p: Principal | None, data: schemas.SiteCreate, *, invented: bool = False) -> schemas.Site:
    if p is not None:
        require_role(p, Role.CITY_ADMIN)
    lat, lon = _position(data.lat, data.lon, data.coord_system)
    values = msgspec.to_builtins(data)
    for key in ("county_id", "lat", "lon", "coord_system"):
        values.pop(key)
    now = clock.now()
    async with db.write():
        if not await County.exists().where(County.id == data.county_id):
            raise Invalid("unknown_county", "县不存在")
        row = Site(county=data.county_id, lat=lat, lon=lon, coord_source=data.coord_system, invented=invented,
                   created_at=now, updated_at=now, **values)
        await row.save()
        out = await get_site(None, row.id)
        await audit.record(p.actor if p else audit.SYSTEM, "site.create", "site", row.id, after=msgspec.to_builtins(out))
    return out


def _changes(data: schemas.SiteUpdate) -> dict[str, Any]:
    """The columns an edit sets (a position converted to WGS-84, with the system it came in)."""
    changes: dict[str, Any] = {}
    for name, value in msgspec.structs.asdict(data).items():
        if value is None or name in ("lat", "lon", "coord_system", "reason"):
            continue
        changes[name] = value
    if (data.lat is None) != (data.lon is None):
        raise Invalid("bad_coordinates", "纬度和经度须同时提供")
    if data.lat is not None and data.lon is not None:
        lat, lon = _position(data.lat, data.lon, data.coord_system)
        changes.update({"lat": lat, "lon": lon, "coord_source": data.coord_system})
    return changes


def controlled(changes: dict[str, Any]) -> list[str]:
    """Which of these changes only the city may make (what drives the checklists, the position)."""
    return [k for k in changes if k in schemas.CONTROLLED or k == "coord_source"]


async def _apply(p: Principal, site_id: int, changes: dict[str, Any]) -> schemas.Site:
    """Write the changes and their audit event (inside the caller's transaction)."""
    before = await get_site(p, site_id)
    if changes:
        await Site.update({**{getattr(Site, k): v for k, v in changes.items()}, Site.updated_at: clock.now()}).where(Site.id == site_id)
    after = await get_site(p, site_id)
    await audit.record(p.actor, "site.update", "site", site_id, before=msgspec.to_builtins(before), after=msgspec.to_builtins(after))
    return after


async def update_site(p: Principal, site_id: int, data: schemas.SiteUpdate) -> schemas.Site:
    """The city office edits any site; a county team its own county's sites' names and addresses
    only: people, facilities and the position (what decides the checklists and where an inspector
    must stand) it proposes, and the city office approves (``propose``)."""
    require_role(p, Role.CITY_ADMIN, Role.COUNTY_TEAM)
    async with db.write():
        await get_site(p, site_id)
        changes = _changes(data)
        if p.role is not Role.CITY_ADMIN and controlled(changes):
            raise Forbidden(f"人口、设施和位置（{'、'.join(controlled(changes))}）的改动须经市易迁办审核，请提交变更申请",
                            code="needs_approval", detail={"proposals": f"/api/sites/{site_id}/proposals"})
        return await _apply(p, site_id, changes)


async def set_status(p: Principal, site_id: int, data: schemas.SiteStatus) -> schemas.SiteStatusOut:
    """Disable a closed or merged site, or enable it again (city admin, with a reason). Its visits,
    issues and ledgers stay as they are; disabling also cancels the planned visits to it not yet
    made (an unannounced visit to a site that is gone), in the same transaction."""
    require_role(p, Role.CITY_ADMIN)
    if len(data.reason.strip()) < 2:
        raise Invalid("reason_required", "停用或启用安置点须写明原因（至少 2 个字）")
    async with db.write():
        before = await get_site(p, site_id)
        if before.active == data.active:
            raise Conflict("该安置点已是停用状态" if not data.active else "该安置点未停用", code="no_change")
        # compare-and-set: of two disables at once (PostgreSQL) one moves it, the other gets 409
        moved = await Site.update({Site.active: data.active, Site.status_reason: data.reason.strip(), Site.updated_at: clock.now()}) \
            .where((Site.id == site_id) & (Site.active == before.active)).returning(Site.id)
        if not moved:
            raise Conflict("该安置点刚被他人停用或启用，请刷新后再看", code="no_change")
        dropped = [] if data.active else await PlannedVisit.update({PlannedVisit.state: "cancelled"}).where(
            (PlannedVisit.site == site_id) & (PlannedVisit.state == "planned")).returning(PlannedVisit.uuid)
        after = await get_site(p, site_id)
        await audit.record(p.actor, f"site.{'enable' if data.active else 'disable'}", "site", site_id,
                           before={"active": before.active}, after={"active": after.active},
                           data={"reason": data.reason.strip(), "planned_visits_cancelled": [str(r["uuid"]) for r in dropped]})
    return schemas.SiteStatusOut(site=after, planned_visits_cancelled=len(dropped))


# --- changes the county team proposes and the city office decides ---------------------------

STATE_NAMES = {"pending": "待审核", "approved": "已批准", "rejected": "已驳回"}


async def _proposal_out(row: dict[str, Any], site: dict[str, Any] | None = None) -> schemas.Proposal:
    """``site``: the proposal's site row when the caller has it already (a list reads it once)."""
    site = site or await Site.select().where(Site.id == row["site"]).first()
    return schemas.Proposal(
        id=row["id"], site_id=row["site"], site_name=site["name"], changes=row["changes"],
        current={k: site[k] for k in row["changes"] if k in site}, reason=row["reason"], state=row["state"],
        state_name=STATE_NAMES[row["state"]], proposed_by=row["proposed_by"], proposed_at=row["proposed_at"],
        decided_by=row["decided_by"], decided_at=row["decided_at"], decision_note=row["decision_note"])


async def propose(p: Principal, site_id: int, data: schemas.ProposalIn) -> schemas.Proposal:
    """A county team asks for a change to one of its sites; nothing on the site changes yet."""
    require_role(p, Role.COUNTY_TEAM)
    async with db.write():
        await get_site(p, site_id)
        changes = _changes(data)
        if not changes:
            raise Invalid("no_changes", "变更申请中没有要改动的内容")
        row = SiteProposal(site=site_id, changes=changes, reason=data.reason, proposed_by=p.id, proposed_at=clock.now())
        await row.save()
        await audit.record(p.actor, "site.propose", "site", site_id, after=changes, data={"proposal": row.id, "reason": data.reason})
    return await _proposal_out(await SiteProposal.select().where(SiteProposal.id == row.id).output(load_json=True).first())


async def proposals(p: Principal, site_id: int) -> list[schemas.Proposal]:
    """A site's proposals, newest first: for the city office and the site's county team."""
    require_role(p, Role.CITY_ADMIN, Role.COUNTY_TEAM)
    await get_site(p, site_id)
    rows = await SiteProposal.select().where(SiteProposal.site == site_id).order_by(SiteProposal.id, ascending=False) \
        .output(load_json=True)
    site = await Site.select().where(Site.id == site_id).first()
    return [await _proposal_out(r, site) for r in rows]


async def decide(p: Principal, site_id: int, proposal_id: int, data: schemas.DecisionIn) -> schemas.Proposal:
    """The city office approves (the changes are written to the site) or rejects (with a note) a
    pending proposal; a proposal is decided once (a second decision, or two at once, is 409)."""
    require_role(p, Role.CITY_ADMIN)
    async with db.write():
        await get_site(p, site_id)
        row = await SiteProposal.select().where((SiteProposal.id == proposal_id) & (SiteProposal.site == site_id)) \
            .output(load_json=True).first()
        if row is None:
            raise NotFound("变更申请不存在")
        if not data.approve and not data.note.strip():
            raise Invalid("reason_required", "驳回须填写原因")
        state = "approved" if data.approve else "rejected"
        moved = await SiteProposal.update({SiteProposal.state: state, SiteProposal.decided_by: p.id,
                                           SiteProposal.decided_at: clock.now(), SiteProposal.decision_note: data.note}) \
            .where((SiteProposal.id == proposal_id) & (SiteProposal.state == "pending")).returning(SiteProposal.id)
        if not moved:
            raise Conflict(f"该变更申请已{STATE_NAMES[row['state']]}", code="already_decided")
        if data.approve:
            await _apply(p, site_id, row["changes"])
        await audit.record(p.actor, f"site.{'approve' if data.approve else 'reject'}", "site", site_id,
                           data={"proposal": proposal_id, "note": data.note})
    return await _proposal_out(await SiteProposal.select().where(SiteProposal.id == proposal_id).output(load_json=True).first())
