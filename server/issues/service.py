"""Raising issues; the lifecycle (rectification, verification, closure) builds on this."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from server.audit import service as audit
from server.checklists.evaluation import Failure
from server.issues.tables import Issue
from server.lib import clock
from server.sites.tables import Department

_departments: dict[str, int] = {}


async def department_id(code: str) -> int | None:
    if code not in _departments:
        row = await Department.select(Department.id).where(Department.code == code).first()
        if row is None:
            return None
        _departments[code] = row["id"]
    return _departments.get(code)


def deadline_for(found_at: datetime, days: int):
    """The deadline date in Asia/Shanghai: found on day D, N days -> end of day D+N."""
    return (clock.local(found_at) + timedelta(days=days)).date()


async def raise_from_visit(
    actor: audit.Actor,
    inspection: dict[str, Any],
    failures: list[Failure],
    *,
    inherited: dict[str, int] | None = None,
) -> list[int]:
    """One issue per failure (inside the caller's transaction). ``inherited`` maps
    "template/item" to an issue an earlier revision raised: that one is kept, not repeated."""
    found_at = inspection["submitted_at"]
    ids = []
    for f in failures:
        key = f"{f.template_id}/{f.item_key}"
        if inherited and key in inherited:
            ids.append(inherited[key])
            continue
        row = Issue(
            source="visit", inspection=inspection["id"], origin_key=f"{inspection['uuid']}/{key}",
            county=inspection["county"], site=inspection["site"], department=await department_id(f.department),
            template_id=f.template_id, template_version=f.version, item_key=f.item_key, area=f.area,
            section=f.section, description=f.item_text, basis=f.basis, severity=f.severity, state="open",
            deadline=deadline_for(found_at, f.deadline_days), photos=list(f.photos), found_at=found_at,
            found_by=inspection["inspector"], created_at=clock.now(),
        )
        await row.save()
        ids.append(row.id)
        await audit.record(actor, "issue.raise", "issue", row.id,
                           after={"origin": row.origin_key, "severity": row.severity, "deadline": row.deadline})
    return ids
