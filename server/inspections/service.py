"""The sync protocol and submit: idempotent by UUID, all or nothing.

``put`` takes the whole inspection. The same body again returns the same result;
a different body for a submitted inspection is a 409 (an edit after submit is a
new inspection whose ``replaces`` names the old one). The UNIQUE constraint on the
UUID, not a check-then-insert, decides a race: the loser retries and finds the row.
Submit validates against the pinned template versions, evaluates the rules and
raises issues in the same transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec

from server.accounts.guards import Principal, require_role
from server.accounts.policy import can_read_inspection
from server.accounts.roles import Role
from server.audit import service as audit
from server.checklists.evaluation import evaluate, summary, template_applies
from server.checklists.loader import registry
from server.inspections.days import visit_day
from server.inspections.schemas import (
    Arrival,
    InspectionOut,
    InspectionPut,
    RaisedIssue,
    TemplateRef,
)
from server.inspections.tables import Inspection
from server.issues import service as issues
from server.issues.tables import Issue, Refinding
from server.lib import clock, crash, db
from server.lib.canonical import digest
from server.lib.errors import Conflict, Invalid, NotFound
from server.lib.geo import haversine_m, to_wgs84
from server.sites import service as sites

#: an arrival or start time further than this in the future is a wrong phone clock
CLOCK_SKEW = timedelta(minutes=10)


async def put(p: Principal, uuid: UUID, data: InspectionPut) -> InspectionOut:
    # city inspectors visit unannounced; a county team inspects its own sites (县级自查)
    require_role(p, Role.CITY_INSPECTOR, Role.CITY_ADMIN, Role.COUNTY_TEAM, message="只有市级督导人员或县级专班可以提交督查记录")
    if uuid.version != 4:
        raise Invalid("bad_uuid", "督查记录编号须为客户端生成的 UUIDv4")
    body_digest = digest(msgspec.to_builtins(data))
    for attempt in (1, 2):
        try:
            async with db.write():
                row = await _put_once(p, uuid, data, body_digest)
                crash.point("inspection-before-commit")
            crash.point("inspection-after-commit")
            return await _out(row)
        except Exception as exc:
            if attempt == 1 and db.is_unique_violation(exc):
                continue  # a concurrent identical PUT won the insert: look again
            raise
    raise AssertionError("unreachable")


async def get(p: Principal, uuid: UUID) -> InspectionOut:
    row = await Inspection.select().where(Inspection.uuid == uuid).output(load_json=True).first()
    if row is None or not can_read(p, row):
        raise NotFound("督查记录不存在")
    return await _out(row)


#: who may read a visit: the rule lives in the policy module
can_read = can_read_inspection


async def _put_once(p: Principal, uuid: UUID, data: InspectionPut, body_digest: str) -> dict[str, Any]:
    existing = await Inspection.select().where(Inspection.uuid == uuid).output(load_json=True).first()
    if existing is not None:
        if existing["inspector"] != p.id:
            raise NotFound("督查记录不存在")
        if existing["body_digest"] == body_digest:
            return existing  # a retry: the same result
        if existing["state"] == "submitted":
            raise Conflict(
                "该督查记录已提交，不能再修改；如需更正，请以新的编号提交修订版本（replaces 指向原记录）",
                code="already_submitted",
                detail={"uuid": str(uuid), "revision": existing["revision"]},
            )
    site = await sites.get_site(p, data.site_id)
    templates = _templates(data, sites.rule_attributes(site))
    submitting = data.state == "submitted"
    failures = _evaluate(templates, sites.rule_attributes(site), data, strict=submitting, visit_date=visit_day(data))
    arrival = _arrival(data.arrival, site, required=submitting)
    from server.photos.service import claim

    await claim(p, _named_photos(templates, data), data.photo_hashes)
    replaced = await _replaced(p, data, site.id) if data.replaces else None
    now = clock.now()
    values: dict[str, Any] = {
        "site": site.id, "county": site.county_id, "inspector": p.id, "state": data.state,
        "replaces": data.replaces, "templates": [msgspec.to_builtins(t) for t in data.templates],
        "answers": data.answers, "photos": data.photos, "item_notes": data.item_notes, "severities": data.severities,
        "notes": data.notes, "unannounced": data.unannounced and p.is_city,
        "started_at": _aware(data.started_at), "body_digest": body_digest, "updated_at": now, **arrival,
    }
    if submitting:
        checked = failed = 0
        for ev in failures.values():
            checked += ev.checked
            failed += sum(1 for v in ev.failed.values() if v)
        values.update(submitted_at=now, items_checked=checked, items_failed=failed)
    if existing is None:
        row = Inspection(uuid=uuid, revision=1, created_at=now, **values)
        await row.save()
        row_id, revision = row.id, 1
    else:
        row_id, revision = existing["id"], existing["revision"] + 1
        await Inspection.update({getattr(Inspection, k): v for k, v in values.items()} | {Inspection.revision: revision}).where(
            Inspection.id == row_id
        )
    saved = await Inspection.select().where(Inspection.id == row_id).output(load_json=True).first()
    if submitting:
        all_failures = [f for ev in failures.values() for f in ev.failures]
        inherited = await _inherited(replaced) if replaced else None
        ids = await issues.raise_from_visit(p.actor, saved, all_failures, inherited=inherited,
                                            source="self_check" if p.role is Role.COUNTY_TEAM else "visit")
        await Inspection.update({Inspection.issue_ids: ids}).where(Inspection.id == row_id)
        saved["issue_ids"] = ids
        from server.photos.service import flag_visit_photos, forget_unnamed

        await forget_unnamed(p.actor, saved)
        await flag_visit_photos(p.actor, saved)
        from server.plans.service import mark_done

        await mark_done(p.actor, saved)
        if replaced:
            await Inspection.update({Inspection.superseded_by: uuid}).where(Inspection.id == replaced["id"])
    await audit.record(p.actor, f"inspection.{'submit' if submitting else 'save'}", "inspection", uuid,
                       after={"digest": body_digest, "revision": revision},
                       data={"site": site.id, "issues": len(saved.get("issue_ids") or [])})
    return saved


def _templates(data: InspectionPut, site_attrs: dict[str, Any]):
    reg = registry()
    pinned = {}
    for ref in data.templates:
        if ref.id in pinned:
            raise Invalid("duplicate_template", f"检查表 {ref.id} 重复")
        try:
            template = reg.get(ref.id, ref.version)
        except NotFound:
            raise Invalid("unknown_template", f"检查表 {ref.id} 第 {ref.version} 版不存在，请更新应用后重试") from None
        if not template_applies(template, site_attrs):
            raise Invalid("template_not_applicable", f"检查表「{template.title}」不适用于该安置点")
        pinned[ref.id] = template
    for tid in set(data.answers) | set(data.photos) | set(data.item_notes) | set(data.severities):
        if tid not in pinned:
            raise Invalid("unknown_template", f"答案指向未选用的检查表 {tid}")
    return pinned


def _named_photos(templates, data: InspectionPut) -> list[str]:
    """Every photo the visit names: evidence of failed items and the answers of photo items."""
    named = [u for items in data.photos.values() for uuids in items.values() for u in uuids]
    for tid, template in templates.items():
        answers = data.answers.get(tid, {})
        named += [u for _, item in template.items() if item.type == "photo" for u in (answers.get(item.key) or [])]
    return named


def _evaluate(templates, site_attrs, data: InspectionPut, *, strict: bool, visit_date: str | None = None):
    results = {}
    errors = []
    for tid, template in templates.items():
        ev = evaluate(template, site_attrs, data.answers.get(tid, {}), photos=data.photos.get(tid, {}),
                      notes=data.item_notes.get(tid, {}), severities=data.severities.get(tid, {}), strict=strict,
                      visit_date=visit_date)
        errors.extend({**e, "template": tid} for e in ev.errors)
        results[tid] = ev
    if errors:
        raise Invalid("answers_invalid", summary(errors), detail=errors)
    return results


def _aware(dt):
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=clock.SHANGHAI)
    if dt > clock.now() + CLOCK_SKEW:
        raise Invalid("time_in_future", "时间晚于服务器当前时间，请检查手机时间设置")
    return dt


def _arrival(arrival: Arrival | None, site, *, required: bool) -> dict[str, Any]:
    if arrival is None:
        if required:
            raise Invalid("arrival_required", "提交前须记录到达现场的时间和位置（点击“到达现场”）")
        return {}
    reason = arrival.reason.strip()
    if arrival.source == "manual" and not reason:
        raise Invalid("arrival_reason_required", "手动登记到达现场须说明原因（例如：无法定位、拒绝了定位权限）")
    if (arrival.lat is None) != (arrival.lon is None):
        raise Invalid("bad_arrival", "到达位置须同时有纬度和经度")
    if arrival.lat is None and arrival.source != "manual":
        raise Invalid("arrival_position_required", "到达现场须有位置；无法定位时请手动登记并说明原因")
    lat, lon = to_wgs84(arrival.lat, arrival.lon, arrival.coord_system) if arrival.lat is not None else (None, None)
    return {
        "arrival_at": _aware(arrival.at), "arrival_lat": lat, "arrival_lon": lon,
        "arrival_accuracy_m": arrival.accuracy_m if lat is not None else None, "arrival_source": arrival.source,
        "arrival_coord_system": arrival.coord_system, "arrival_reason": reason if arrival.source == "manual" else "",
        "arrival_distance_m": round(haversine_m(lat, lon, site.lat, site.lon), 1) if lat is not None else None,
    }


async def _replaced(p: Principal, data: InspectionPut, site_id: int) -> dict[str, Any]:
    old = await Inspection.select().where(Inspection.uuid == data.replaces).output(load_json=True).first()
    if old is None or (old["inspector"] != p.id and p.role is not Role.CITY_ADMIN):
        raise Invalid("unknown_replaces", "要更正的原督查记录不存在")
    if old["state"] != "submitted" or old["site"] != site_id:
        raise Invalid("bad_replaces", "只能更正同一安置点已提交的督查记录")
    if old["superseded_by"] is not None:
        raise Conflict("原督查记录已被另一修订版本更正", code="already_superseded", detail={"superseded_by": str(old["superseded_by"])})
    return old


async def _inherited(old: dict[str, Any]) -> dict[str, int]:
    rows = await Issue.select(Issue.id, Issue.template_id, Issue.item_key).where(Issue.id.is_in(old["issue_ids"] or [-1]))
    return {f"{r['template_id']}/{r['item_key']}": r["id"] for r in rows}


def _arrival_out(row: dict[str, Any]) -> Arrival | None:
    if row["arrival_at"] is None:
        return None
    return Arrival(at=clock.aware(row["arrival_at"]), lat=row["arrival_lat"], lon=row["arrival_lon"],
                   accuracy_m=row["arrival_accuracy_m"], source=row["arrival_source"] or "browser",
                   coord_system=row["arrival_coord_system"] or "wgs84", reason=row["arrival_reason"] or "")


async def _out(row: dict[str, Any]) -> InspectionOut:
    ids = row.get("issue_ids") or []
    raised = []
    if ids:
        refound = {r["issue"] for r in await Refinding.select(Refinding.issue).where(Refinding.inspection == row["id"])}
        for r in await Issue.select().where(Issue.id.is_in(ids)).order_by(Issue.id):
            raised.append(RaisedIssue(id=r["id"], number=r["number"] or "", template_id=r["template_id"], item_key=r["item_key"],
                                      description=r["description"], refinding=r["id"] in refound,
                                      severity=r["severity"], deadline=r["deadline"].isoformat(), department_id=r["department"]))
    return InspectionOut(
        uuid=row["uuid"], revision=row["revision"], state=row["state"], site_id=row["site"], inspector_id=row["inspector"],
        templates=[TemplateRef(**t) for t in row["templates"]], answers=row["answers"], photos=row["photos"],
        item_notes=row["item_notes"] or {}, severities=row["severities"] or {},
        notes=row["notes"], unannounced=row["unannounced"], arrival=_arrival_out(row),
        arrival_distance_m=row["arrival_distance_m"], items_checked=row["items_checked"], items_failed=row["items_failed"],
        replaces=row["replaces"], superseded_by=row["superseded_by"],
        submitted_at=clock.aware(row["submitted_at"]) if row["submitted_at"] else None, issues=raised,
    )
