"""Issues: raising them from visits, and their lifecycle (start, rectify, verify and close)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from server.accounts.guards import Principal
from server.accounts.policy import can_read_issue
from server.accounts.roles import Role
from server.audit import service as audit
from server.checklists.evaluation import Failure
from server.checklists.model import SEVERITY_NAMES
from server.issues import deadlines, lifecycle, numbers
from server.issues.schemas import (
    AssignmentResult,
    IssueAssignment,
    IssueCreate,
    IssueOut,
    IssueUpdate,
    RectificationIn,
    Refound,
    Round,
    VerificationIn,
)
from server.issues.tables import Issue, Rectification, Refinding
from server.lib import clock, db
from server.lib.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from server.photos.service import claim, present
from server.settings import get_settings
from server.sites.tables import Department


async def department_id(code: str) -> int | None:
    """The department's id by its code; read each time (no process-wide cache that a changed
    department table would make wrong)."""
    row = await Department.select(Department.id).where(Department.code == code).first()
    return row["id"] if row else None


def deadline_for(found_at: datetime, days: int):
    """The deadline date in Asia/Shanghai: found on day D, N days -> end of day D+N."""
    return (clock.local(found_at) + timedelta(days=days)).date()


async def raise_from_visit(
    actor: audit.Actor,
    inspection: dict[str, Any],
    failures: list[Failure],
    source: str = "visit",
    *,
    inherited: dict[str, int] | None = None,
) -> list[int]:
    """One issue per failed item (inside the caller's transaction), each with its number.

    One cause, one open issue: where the same item at the same site already has an issue that is not
    closed, this visit is recorded on it as a re-finding (date, visit, finding, note, photos) instead
    of opening another. After closure a new issue is raised that ``reopens`` the closed one.
    ``inherited`` maps "template/item" to an issue an earlier revision raised: that one is kept."""
    found_at = inspection["submitted_at"]
    ids = []
    for f in failures:
        key = f"{f.template_id}/{f.item_key}"
        if inherited and key in inherited:
            ids.append(inherited[key])
            continue
        same_item = (Issue.site == inspection["site"]) & (Issue.template_id == f.template_id) & (Issue.item_key == f.item_key)
        still_open = await Issue.select(Issue.id).where(same_item & (Issue.state != "closed")).order_by(Issue.id).first()
        origin = f"{inspection['uuid']}/{key}"
        if still_open is not None:
            await Refinding.insert(Refinding(
                issue=still_open["id"], inspection=inspection["id"], origin_key=origin, description=f.finding,
                note=f.note, photos=list(f.photos), found_at=found_at, found_by=inspection["inspector"]))
            await audit.record(actor, "issue.refind", "issue", still_open["id"], data={"origin": origin})
            ids.append(still_open["id"])
            continue
        closed = await Issue.select(Issue.id).where(same_item & (Issue.state == "closed")).order_by(Issue.id, ascending=False).first()
        row = Issue(
            number=await numbers.next_number(inspection["county"], found_at),
            reopens=closed["id"] if closed else None,
            source=source, inspection=inspection["id"], origin_key=origin,
            county=inspection["county"], site=inspection["site"], department=await department_id(f.department),
            template_id=f.template_id, template_version=f.version, item_key=f.item_key, area=f.area,
            section=f.section, description=f.finding, requirement=f.item_text, note=f.note, basis=f.basis,
            severity=f.severity, state="open", deadline=deadline_for(found_at, f.deadline_days), photos=list(f.photos),
            found_at=found_at, found_by=inspection["inspector"], created_at=clock.now(),
        )
        await row.save()
        ids.append(row.id)
        await audit.record(actor, "issue.raise", "issue", row.id,
                           after={"number": row.number, "origin": row.origin_key, "severity": row.severity, "deadline": row.deadline})
    return ids


# --- the lifecycle: read, start, rectify, verify -------------------------------------------


async def _load(p: Principal, issue_id: int) -> dict[str, Any]:
    row = await Issue.select().where(Issue.id == issue_id).output(load_json=True).first()
    if row is None or not can_read_issue(p, row):
        raise NotFound("问题不存在")
    return row


async def get(p: Principal, issue_id: int) -> IssueOut:
    return await _out(p, await _load(p, issue_id))


async def _out(p: Principal, row: dict[str, Any]) -> IssueOut:
    level, level_name = deadlines.escalation(row["deadline"], clock.today(), row["state"])
    rounds = await Rectification.select().where(Rectification.issue == row["id"]).order_by(Rectification.round).output(load_json=True)
    again = await (Refinding.select(Refinding.all_columns(), Refinding.inspection.uuid.as_alias("inspection_uuid"))
                   .where(Refinding.issue == row["id"]).order_by(Refinding.found_at).output(load_json=True))
    named = [*row["photos"], *(u for r in rounds for u in r["photos"]), *(u for r in again for u in r["photos"])]
    arrived = await present(named)
    aware = lambda v: clock.aware(v) if v else None
    return IssueOut(
        id=row["id"], number=row["number"] or "", source=row["source"], state=row["state"], state_name=lifecycle.STATE_NAMES[row["state"]],
        county_id=row["county"], site_id=row["site"], department_id=row["department"], area=row["area"],
        section=row["section"], description=row["description"], requirement=row["requirement"], note=row["note"],
        basis=row["basis"], severity=row["severity"], severity_name=SEVERITY_NAMES.get(row["severity"], row["severity"]),
        deadline=row["deadline"], found_at=clock.aware(row["found_at"]), photos=row["photos"],
        photos_pending=[u for u in dict.fromkeys(named) if u not in arrived],
        responsible_person=row["responsible_person"], reopens=row["reopens"], closed_at=aware(row["closed_at"]),
        closed_by=row["closed_by"], verification_comment=row["verification_comment"],
        rounds=[Round(uuid=r["uuid"], round=r["round"], measures=r["measures"], responsible_person=r["responsible_person"],
                      completed_on=r["completed_on"], photos=r["photos"], submitted_by=r["submitted_by"],
                      submitted_at=clock.aware(r["submitted_at"]), outcome=r["outcome"], outcome_reason=r["outcome_reason"])
                for r in rounds],
        refindings=[Refound(inspection_uuid=r["inspection_uuid"], found_at=clock.aware(r["found_at"]), found_by=r["found_by"],
                            description=r["description"], note=r["note"], photos=r["photos"]) for r in again],
        overdue=deadlines.is_overdue(row["deadline"], clock.today(), row["state"]),
        escalation=level, escalation_name=level_name,
        allowed_moves=lifecycle.allowed(p, row, county_verifies=get_settings().county_verifies),
    )


def _check_move(p: Principal, row: dict[str, Any], move: str) -> None:
    county_verifies = get_settings().county_verifies
    if not lifecycle.may(p, move, row, county_verifies=county_verifies):
        raise Forbidden(f"您的角色不能{lifecycle.MOVE_NAMES[move]}")
    if row["state"] not in lifecycle.MOVES[move][0]:
        allowed = lifecycle.allowed(p, row, county_verifies=county_verifies)
        raise Conflict(
            f"问题当前为「{lifecycle.STATE_NAMES[row['state']]}」，不能{lifecycle.MOVE_NAMES[move]}",
            code="illegal_move", detail={"state": row["state"], "allowed": allowed},
        )


async def _move(p: Principal, row: dict[str, Any], move: str, values: dict | None = None, data: dict | None = None) -> None:
    """Compare-and-set on the state: of two moves made at once from the same state, the second
    finds the state changed (on PostgreSQL it waits for the first's row lock, then re-reads) and
    gets 409, and its whole transaction is undone."""
    new_state = lifecycle.target(move)
    update = {Issue.state: new_state, Issue.updated_at: clock.now(), **(values or {})}
    moved = await Issue.update(update).where((Issue.id == row["id"]) & (Issue.state == row["state"])).returning(Issue.id)
    if not moved:
        now = await Issue.select(Issue.state).where(Issue.id == row["id"]).first()
        state = now["state"] if now else row["state"]
        raise Conflict(f"问题刚被他人处理，当前为「{lifecycle.STATE_NAMES[state]}」，不能{lifecycle.MOVE_NAMES[move]}；请刷新后再看",
                       code="illegal_move", detail={"state": state, "allowed": []})
    await audit.record(p.actor, f"issue.{move}", "issue", row["id"], before={"state": row["state"]},
                       after={"state": new_state}, data=data or {})


async def start(p: Principal, issue_id: int) -> IssueOut:
    async with db.write():
        row = await _load(p, issue_id)
        _check_move(p, row, "start")
        await _move(p, row, "start")
    return await get(p, issue_id)


class _Recorded(Exception):
    """This round (by its UUID) is already recorded: a retry, answered with the issue as it stands."""


async def _recorded(issue_id: int, uuid) -> bool:
    existing = await Rectification.select(Rectification.issue).where(Rectification.uuid == uuid).first()
    if existing is not None and existing["issue"] != issue_id:
        raise Conflict("该整改记录编号已用于另一问题", code="conflict")
    return existing is not None


async def rectify(p: Principal, issue_id: int, data: RectificationIn) -> IssueOut:
    """Record a round of rectification and submit it for verification (待核查).

    A retry of a recorded round (the same UUID) answers as the first did, even when the retries
    arrive at once: whichever refusal a later copy meets (the state already moved on, before or
    while it read the issue), it looks again for its round, now committed, and answers 200 with
    nothing written by it."""
    for attempt in (1, 2):
        try:
            async with db.write():
                if await _recorded(issue_id, data.uuid):
                    raise _Recorded
                row = await _load(p, issue_id)
                try:
                    _check_move(p, row, "rectify")
                    await claim(p, data.photos, data.photo_hashes)
                    # the state moves first: a second round sent at once waits here, then gets 409
                    number = await Rectification.count().where(Rectification.issue == issue_id) + 1
                    await _move(p, row, "rectify", {Issue.responsible_person: data.responsible_person}, {"round": number})
                except Conflict:
                    if await _recorded(issue_id, data.uuid):
                        raise _Recorded from None  # undoes whatever this copy wrote
                    raise
                await Rectification.insert(Rectification(
                    uuid=data.uuid, issue=issue_id, round=number, measures=data.measures,
                    responsible_person=data.responsible_person, completed_on=data.completed_on,
                    photos=[str(u) for u in data.photos], submitted_by=p.id, submitted_at=clock.now(),
                ))
            break
        except _Recorded:
            break
        except Exception as exc:
            if attempt == 1 and db.is_unique_violation(exc):
                continue
            raise
    return await get(p, issue_id)


async def verify(p: Principal, issue_id: int, data: VerificationIn) -> IssueOut:
    """Accept (销号, needs an after-photo or a reason) or send back with a reason."""
    async with db.write():
        row = await _load(p, issue_id)
        move = "accept" if data.accept else "reject"
        _check_move(p, row, move)
        latest = await (Rectification.select().where(Rectification.issue == issue_id)
                        .order_by(Rectification.round, ascending=False).output(load_json=True).first())
        if data.accept and not data.no_photo_reason.strip():
            if not latest["photos"]:
                raise Invalid("after_photo_required", "销号须有整改后的照片；确实无法拍照的，请填写原因")
            arrived = await present(latest["photos"])
            missing = [u for u in latest["photos"] if u not in arrived]
            if missing:
                raise Invalid("after_photo_pending", f"整改后的照片还有 {len(missing)} 张未上传，请待上传后再销号；确实无法提供的，请填写原因",
                              detail={"photos_pending": missing})
        if data.accept:
            values = {Issue.closed_at: clock.now(), Issue.closed_by: p.id, Issue.verification_comment: data.comment}
        else:
            if not data.comment.strip():
                raise Invalid("reason_required", "退回须填写原因")
            values = {Issue.verification_comment: data.comment}
        await _move(p, row, move, values, {"round": latest["round"], "no_photo_reason": data.no_photo_reason})
        await Rectification.update({
            Rectification.outcome: "accepted" if data.accept else "rejected",
            Rectification.outcome_reason: (f"{data.comment}；无整改后照片：{data.no_photo_reason}" if data.comment else f"无整改后照片：{data.no_photo_reason}")
            if data.accept and data.no_photo_reason.strip() else data.comment,
        }).where(Rectification.id == latest["id"])
    return await get(p, issue_id)


# --- issues from other sources, and assignment ----------------------------------------------

#: who may report an issue from each source (besides a visit)
REPORTERS = {
    "self_check": {Role.COUNTY_TEAM, Role.CITY_ADMIN},
    "complaint": {Role.CITY_ADMIN, Role.CITY_INSPECTOR, Role.COUNTY_TEAM},
    "department": {Role.DEPARTMENT, Role.CITY_ADMIN, Role.CITY_INSPECTOR},
}


async def create(p: Principal, data: IssueCreate) -> IssueOut:
    """County self-check (县级自评), complaint (信访) or department check: idempotent by the client's UUID."""
    from server.checklists.model import AREAS
    from server.sites import service as sites

    if p.role not in REPORTERS[data.source]:
        raise Forbidden("您的角色不能登记这类问题")
    if data.area not in AREAS:
        raise Invalid("unknown_area", f"问题类别须为：{'、'.join(AREAS)}")
    origin = f"manual/{data.uuid}"
    existing = await Issue.select(Issue.id, Issue.found_by).where(Issue.origin_key == origin).first()
    if existing is not None:
        if existing["found_by"] != p.id:
            raise Conflict("该问题编号已被使用", code="conflict")
        return await get(p, existing["id"])
    site = await sites.get_site(p, data.site_id)
    if not site.active:
        raise Invalid("site_inactive", f"{site.name}已停用（{site.status_reason}），不能再登记问题")
    department = p.department_id if p.role is Role.DEPARTMENT else data.department_id
    await sites.check_department(department)
    now = clock.now()
    row = Issue(
        number=None, source=data.source, origin_key=origin, county=site.county_id, site=site.id, department=department,
        area=data.area, section="", description=data.description, basis=data.basis, severity=data.severity,
        state="open", deadline=data.deadline or deadline_for(now, data.deadline_days),
        photos=[str(u) for u in data.photos], found_at=now, found_by=p.id, created_at=now,
    )
    try:
        async with db.write():
            await claim(p, data.photos, data.photo_hashes)
            row.number = await numbers.next_number(site.county_id, now)
            await row.save()
            await audit.record(p.actor, "issue.create", "issue", row.id, after={"number": row.number, "source": row.source, "site": site.id})
    except Exception as exc:
        if not db.is_unique_violation(exc):
            raise
        existing = await Issue.select(Issue.id).where(Issue.origin_key == origin).first()
        return await get(p, existing["id"])
    return await get(p, row.id)


def _template_item(row: dict[str, Any]):
    """The checklist item an issue was raised from (None for issues from other sources)."""
    from server.checklists.loader import registry

    if not row["template_id"]:
        return None
    try:
        return registry().get(row["template_id"], row["template_version"]).item(row["item_key"])
    except Exception:  # noqa: BLE001 - a template version no longer shipped: nothing fixes the severity
        return None


async def update(p: Principal, issue_id: int, data: IssueUpdate) -> IssueOut:
    """The city office edits deadlines; the county team (re)assigns within its own county."""
    async with db.write():
        await _apply(p, await _load(p, issue_id), data)
    return await get(p, issue_id)


async def assign_many(p: Principal, data: IssueAssignment) -> AssignmentResult:
    """The same department, person and/or deadline for many issues at a desk: every issue is
    checked as a single update would be, all in one transaction, so one refusal (naming the issue)
    writes none of them. Issues already carrying those values are left as they are."""
    change = IssueUpdate(deadline=data.deadline, department_id=data.department_id, responsible_person=data.responsible_person)
    changed: list[Callable[[], Awaitable[None]]] = []
    async with db.write():
        rows = await Issue.select().where(Issue.id.is_in(list(data.issue_ids))).output(load_json=True)
        by_id = {r["id"]: r for r in rows if can_read_issue(p, r)}
        missing = [i for i in data.issue_ids if i not in by_id]
        if missing:
            raise NotFound("问题不存在")  # as for one issue: another county's answers like a missing one
        # rows are locked in one order (by id) and the audit chain's head only after all of them:
        # two batches, or a batch and a single edit, at once wait for each other instead of deadlocking
        for issue_id in sorted(data.issue_ids):
            row = by_id[issue_id]
            try:
                await _apply(p, row, change, changed)
            except DomainError as err:  # the same refusal, naming the issue; the transaction rolls back
                err.message = f"问题 {row['number']}：{err.message}"
                err.detail = {"issue_id": issue_id, "number": row["number"]}
                raise
        for record in changed:
            await record()
    return AssignmentResult(issues=len(data.issue_ids), changed=len(changed))


async def _apply(p: Principal, row: dict[str, Any], data: IssueUpdate, audit_later: list | None = None) -> None:
    """One issue's edit inside the caller's transaction, audited (or, with ``audit_later``, its audit
    record appended there for the caller to write); nothing happens where nothing changes."""
    from server.sites import service as sites

    issue_id = row["id"]
    if row["state"] == "closed":
        raise Conflict("已销号的问题不能修改", code="illegal_move", detail={"state": "closed", "allowed": []})
    values: dict[Any, Any] = {}
    if data.deadline is not None:
        if p.role is not Role.CITY_ADMIN:
            raise Forbidden("整改期限只能由市级管理员调整")
        values[Issue.deadline] = data.deadline
    if data.site_id is not None or data.department_id is not None or data.responsible_person is not None:
        if p.role not in (Role.COUNTY_TEAM, Role.CITY_ADMIN):
            raise Forbidden("只有县级专班可以分派问题")
        if data.site_id is not None:
            site = await sites.get_site(p, data.site_id)
            if site.county_id != row["county"]:
                raise Invalid("bad_assignment", "只能分派给本县的安置点")
            if not site.active and site.id != row["site"]:
                raise Invalid("site_inactive", f"{site.name}已停用，不能再分派问题")
            values[Issue.site] = site.id
        if data.department_id is not None:
            if data.department_id != row["department"]:
                await sites.check_department(data.department_id)
            values[Issue.department] = data.department_id
        if data.responsible_person is not None:
            values[Issue.responsible_person] = data.responsible_person
    if data.severity is not None and data.severity != row["severity"]:
        if not p.is_city:
            raise Forbidden("严重程度只能由市级督查人员调整")
        item = _template_item(row)
        if item is not None and item.severity_fixed:
            raise Invalid("severity_fixed", f"该检查项的严重程度固定为{SEVERITY_NAMES[row['severity']]}，不能更改")
        values[Issue.severity] = data.severity
    values = {k: v for k, v in values.items() if row[k._meta.name] != v}
    if not values:
        return
    values[Issue.updated_at] = clock.now()
    await Issue.update(values).where(Issue.id == issue_id)
    changed = {k._meta.name: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()
               if k is not Issue.updated_at}
    async def record() -> None:
        await audit.record(p.actor, "issue.update", "issue", issue_id,
                           before={k: str(row[k]) for k in changed}, after={k: str(v) for k, v in changed.items()})

    if audit_later is None:
        await record()
    else:
        audit_later.append(record)
