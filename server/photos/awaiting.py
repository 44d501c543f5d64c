"""Photos that arrived for a visit the server has not (yet) accepted: the phone sends photos on their
own, so a visit refused for its content (退回修改) or still on the phone leaves its photos here, keyed
by its UUID. They are kept for ``KEEP_DAYS`` from the first one's arrival: the mended visit joins them
when it comes; the city admin sees them as 待补交督查记录 (whose, where, since when, kept until); after
that the daily clean-up forgets them (audited) and the file check removes their bytes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from server.accounts.guards import Principal, require_role
from server.accounts.roles import Role
from server.audit import service as audit
from server.inspections.tables import Inspection
from server.lib import clock, db
from server.photos.tables import Photo

#: how long photos wait for their visit (days from the first photo's arrival)
KEEP_DAYS = 180


@dataclass(frozen=True)
class AwaitingVisit:
    inspection_uuid: UUID
    inspector: str
    inspector_name: str
    site_id: int | None
    site_name: str
    photos: int
    first_at: datetime
    last_at: datetime
    keep_until: datetime


def _waiting():
    return Photo.inspection_uuid.is_not_null() & Photo.inspection_uuid.not_in(Inspection.select(Inspection.uuid))


async def awaiting(p: Principal) -> list[AwaitingVisit]:
    """Visits whose photos arrived without them, the oldest first (the city admin)."""
    require_role(p, Role.CITY_ADMIN, message="只有市级管理员可以查看待补交的督查记录")
    rows = await Photo.select(Photo.inspection_uuid, Photo.created_at, Photo.uploaded_by.username, Photo.uploaded_by.display_name,
                              Photo.site.id.as_alias("site_id"), Photo.site.name.as_alias("site_name")).where(_waiting())
    visits: dict[Any, list[dict[str, Any]]] = {}
    for r in rows:
        visits.setdefault(r["inspection_uuid"], []).append(r)
    out = []
    for uuid, photos in visits.items():
        times = sorted(clock.aware(r["created_at"]) for r in photos)
        site = next((r for r in photos if r["site_id"] is not None), photos[0])
        out.append(AwaitingVisit(
            inspection_uuid=uuid if isinstance(uuid, UUID) else UUID(str(uuid)), inspector=photos[0]["uploaded_by.username"],
            inspector_name=photos[0]["uploaded_by.display_name"], site_id=site["site_id"], site_name=site["site_name"] or "",
            photos=len(photos), first_at=times[0], last_at=times[-1], keep_until=times[0] + timedelta(days=KEEP_DAYS)))
    return sorted(out, key=lambda v: v.first_at)


async def forget_expired(now: datetime) -> int:
    """The daily clean-up: photos whose visit never came within ``KEEP_DAYS`` are forgotten (audited);
    their files then belong to nothing and the media check removes them. How many."""
    cutoff = now - timedelta(days=KEEP_DAYS)
    async with db.write():
        gone = await Photo.select(Photo.uuid, Photo.inspection_uuid).where(_waiting(), Photo.created_at < cutoff)
        if gone:
            await Photo.delete().where(Photo.uuid.is_in([r["uuid"] for r in gone]))
            await audit.record(audit.SYSTEM, "photo.expire", "inspection", None,
                               data={"photos": len(gone), "visits": sorted({str(r["inspection_uuid"]) for r in gone})})
    return len(gone)
