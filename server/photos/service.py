"""Photo upload (idempotent by UUID), evidence flags, and who may read a photo."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import anyio

from server.accounts.guards import Principal
from server.accounts.policy import can_read_photo, photos_named_by
from server.audit import service as audit
from server.inspections.tables import Inspection
from server.lib import clock, crash, db
from server.lib.errors import Conflict, DomainError, Invalid, NotFound
from server.lib.geo import to_wgs84
from server.photos.evidence import assess_location, camera_time
from server.photos.schemas import PhotoOut, UploadOut
from server.photos.tables import Photo, PhotoClaim
from server.photos.uploads import PartialUploads, Upload
from server.settings import get_settings
from server.sites import service as sites

KINDS = {"display": "display", "thumb": "thumbs", "original": "originals"}
TIME_TOLERANCE = timedelta(hours=2)


@dataclass(frozen=True)
class PhotoMeta:
    sha256: str
    site_id: int | None = None
    inspection_uuid: UUID | None = None
    template_id: str = ""
    item_key: str = ""
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    coord_system: str = "wgs84"
    captured_at: datetime | None = None
    #: EXIF the phone read before it compressed the picture (compression drops EXIF): position and
    #: camera time, used when the uploaded bytes carry none
    exif_lat: float | None = None
    exif_lon: float | None = None
    exif_time: datetime | None = None
    exif_offset: str | None = None


def store():
    """The photo store: ``photos/`` of the configured object store (the media folder or S3)."""
    from server.lib.storage import media_store
    from server.photos.storage import PhotoStore

    return PhotoStore(media_store(), "photos/")


def _out(row: dict[str, Any]) -> PhotoOut:
    base = f"/api/photos/{row['uuid']}"
    aware = lambda v: clock.aware(v) if v else None
    return PhotoOut(
        uuid=row["uuid"], sha256=row["sha256"], mime=row["mime"], width=row["width"], height=row["height"],
        size_bytes=row["size_bytes"], site_id=row["site"], inspection_uuid=row["inspection_uuid"],
        template_id=row["template_id"], item_key=row["item_key"], exif_lat=row["exif_lat"], exif_lon=row["exif_lon"],
        taken_at=aware(row["taken_at"]), capture_lat=row["capture_lat"], capture_lon=row["capture_lon"],
        capture_accuracy_m=row["capture_accuracy_m"], captured_at=aware(row["captured_at"]),
        distance_m=row["distance_m"], far_from_site=row["far_from_site"], time_mismatch=row["time_mismatch"],
        outside_visit=row["outside_visit"], urls={k: f"{base}/{k}" for k in ("display", "thumb", "original", "watermarked")},
    )


def partials() -> PartialUploads:
    """The temporary area of resumable uploads under the media folder."""
    return PartialUploads(get_settings().media_dir / "uploads")


def _check_uuid(uuid: UUID) -> None:
    if uuid.version != 4:
        raise Invalid("bad_uuid", "照片编号须为客户端生成的 UUIDv4")


async def upload_state(p: Principal, uuid: UUID, upload: Upload) -> UploadOut:
    """Where a resumable upload stands: the bytes held, or complete when the photo is in."""
    _check_uuid(uuid)
    existing = await Photo.select().where(Photo.uuid == uuid).first()
    if existing is not None:
        photo = _same_or_conflict(p, existing, upload.sha256)
        return UploadOut(offset=upload.size, size=upload.size, complete=True, photo=photo)
    return UploadOut(offset=partials().offset(p.id, uuid, upload), size=upload.size, complete=False)


async def upload_piece(p: Principal, uuid: UUID, upload: Upload, offset: int, pieces, meta: PhotoMeta) -> UploadOut:
    """Add a piece of a resumable upload at ``offset``; with its last byte the photo is stored as
    ``put`` stores it, and the partial bytes are removed whatever the outcome (a complete file the
    server refuses would be refused again)."""
    _check_uuid(uuid)
    existing = await Photo.select().where(Photo.uuid == uuid).first()
    if existing is not None:  # a retry after the last piece's answer was lost
        photo = _same_or_conflict(p, existing, upload.sha256)
        return UploadOut(offset=upload.size, size=upload.size, complete=True, photo=photo)
    area = partials()
    if offset == 0:
        await anyio.to_thread.run_sync(area.prune)
    length = await area.append(p.id, uuid, upload, offset, pieces, get_settings().photo_max_bytes)
    if length < upload.size:
        return UploadOut(offset=length, size=upload.size, complete=False)
    try:
        data = await anyio.to_thread.run_sync(lambda: area.complete(p.id, uuid, upload))
        photo = await put(p, uuid, data, meta)
    except DomainError:
        area.drop(p.id, uuid)
        raise
    area.drop(p.id, uuid)
    return UploadOut(offset=upload.size, size=upload.size, complete=True, photo=photo)


async def put(p: Principal, uuid: UUID, data: bytes, meta: PhotoMeta) -> PhotoOut:
    settings = get_settings()
    _check_uuid(uuid)
    existing = await Photo.select().where(Photo.uuid == uuid).first()
    if existing is not None:
        return _same_or_conflict(p, existing, meta.sha256)
    promised = await PhotoClaim.select().where(PhotoClaim.uuid == uuid).first()
    if promised is not None and (promised["claimed_by"] != p.id or promised["sha256"] != meta.sha256.lower()):
        raise Conflict("这个照片编号已登记为另一张照片的证据，不能用这张照片补传", code="photo_claim_mismatch")
    from server.photos.ingest import ingest

    site = await sites.get_site(p, meta.site_id) if meta.site_id is not None else None
    ing = await anyio.to_thread.run_sync(
        lambda: ingest(data, declared_sha256=meta.sha256, max_bytes=settings.photo_max_bytes, max_pixels=settings.photo_max_pixels,
                       max_decoded=settings.photo_max_decoded_mb * 2**20)
    )
    st = store()
    st.put("originals", f"{ing.sha256}.{ing.ext}", ing.original)
    st.put("display", ing.sha256, ing.display)
    st.put("thumbs", ing.sha256, ing.thumb)
    capture = None
    if meta.lat is not None and meta.lon is not None:
        capture = to_wgs84(meta.lat, meta.lon, meta.coord_system)
    gps_lat, gps_lon, taken, offset = ing.gps_lat, ing.gps_lon, ing.taken_at, ing.taken_offset
    if gps_lat is None and meta.exif_lat is not None and meta.exif_lon is not None:
        gps_lat, gps_lon = meta.exif_lat, meta.exif_lon  # read on the phone before compression
    if taken is None and meta.exif_time is not None:
        taken, offset = meta.exif_time.replace(tzinfo=None), meta.exif_offset
    position = (gps_lat, gps_lon) if gps_lat is not None else capture
    distance = far = None
    if position and site:
        accuracy = meta.accuracy_m if position == capture else None  # EXIF GPS carries no accuracy
        distance, far = assess_location(*position, accuracy, site.lat, site.lon, settings.photo_radius_m)
        distance = round(distance, 1)
    taken_at = camera_time(taken, offset) if taken else None
    captured_at = meta.captured_at.replace(tzinfo=clock.SHANGHAI) if meta.captured_at and meta.captured_at.tzinfo is None else meta.captured_at
    mismatch = abs(taken_at - captured_at) > TIME_TOLERANCE if taken_at and captured_at else None
    row = Photo(
        uuid=uuid, sha256=ing.sha256, mime=ing.mime, ext=ing.ext, width=ing.width, height=ing.height,
        size_bytes=len(ing.original), uploaded_by=p.id, site=site.id if site else None,
        inspection_uuid=meta.inspection_uuid, template_id=meta.template_id, item_key=meta.item_key,
        exif_lat=gps_lat, exif_lon=gps_lon, taken_at=taken_at, exif_ok=ing.exif_ok,
        capture_lat=capture[0] if capture else None, capture_lon=capture[1] if capture else None,
        capture_accuracy_m=meta.accuracy_m, capture_coord_system=meta.coord_system, captured_at=captured_at,
        distance_m=distance, far_from_site=far,
        time_mismatch=mismatch, created_at=clock.now(),
    )
    try:
        async with db.write():
            await row.save()
            if meta.inspection_uuid is not None:
                visit = await Inspection.select().where(Inspection.uuid == meta.inspection_uuid).first()
                # judged only against the uploader's own visit: another's answers as a missing one does
                if visit is not None and visit["state"] == "submitted" and visit["inspector"] == p.id:
                    row.outside_visit = outside_visit(row.taken_at or row.captured_at, visit)
                    await Photo.update({Photo.outside_visit: row.outside_visit}).where(Photo.id == row.id)
            await audit.record(p.actor, "photo.upload", "photo", uuid, data={"sha256": ing.sha256, "bytes": len(data)})
            crash.point("photo-before-commit")
    except Exception as exc:
        if not db.is_unique_violation(exc):
            raise
        existing = await Photo.select().where(Photo.uuid == uuid).first()  # a concurrent retry won
        return _same_or_conflict(p, existing, meta.sha256)
    return _out(row.to_dict())


VISIT_MARGIN = timedelta(minutes=30)


def outside_visit(taken: datetime | None, visit: dict[str, Any]) -> bool | None:
    """Was the photo taken outside the visit (start or arrival to submit, with a margin)?"""
    start = visit["started_at"] or visit["arrival_at"]
    end = visit["submitted_at"]
    if taken is None or start is None or end is None:
        return None
    return not (clock.aware(start) - VISIT_MARGIN <= clock.aware(taken) <= clock.aware(end) + VISIT_MARGIN)


named_by = photos_named_by


async def forget_unnamed(actor, visit: dict[str, Any]) -> int:
    """On submit: a photo uploaded for this visit that it does not name (the inspector removed it on
    the phone after it had gone up) is not evidence of anything: its row goes, so nobody reads it and
    no report lists it. (Its bytes stay in the content-addressed store, reachable by no one.)
    Inside the submit's transaction; how many were forgotten."""
    named = [UUID(u) for u in named_by(visit)]
    query = Photo.select(Photo.uuid).where(Photo.inspection_uuid == visit["uuid"])
    if named:
        query = query.where(Photo.uuid.not_in(named))
    gone = [r["uuid"] for r in await query]
    if gone:
        await Photo.delete().where(Photo.uuid.is_in(gone))
        await audit.record(actor, "photo.forget", "inspection", visit["uuid"], data={"photos": [str(u) for u in gone]})
    return len(gone)


async def flag_visit_photos(actor: audit.Actor, visit: dict[str, Any]) -> None:
    """On submit: judge the photos that arrived before their visit did (inside the submit's transaction);
    the flags that change are audited."""
    rows = await Photo.select(Photo.id, Photo.uuid, Photo.taken_at, Photo.captured_at, Photo.outside_visit) \
        .where(Photo.inspection_uuid == visit["uuid"])
    changed: dict[str, bool] = {}
    for r in rows:
        flag = outside_visit(r["taken_at"] or r["captured_at"], visit)
        if flag != r["outside_visit"]:
            await Photo.update({Photo.outside_visit: flag}).where(Photo.id == r["id"])
            changed[str(r["uuid"])] = flag
    if changed:
        await audit.record(actor, "photo.flag", "inspection", visit["uuid"], data={"outside_visit": changed})


MSG_NOT_YOURS = "照片 {uuid} 的编号已被占用或不属于您，不能作为证据；请重新拍照"
MSG_UNKNOWN = "照片 {uuid} 尚未上传，也没有声明它的 SHA-256；请更新应用后重试"
MSG_HASH = "照片 {uuid} 与声明的 SHA-256 不一致"


async def claim(p: Principal, uuids, declared: dict[str, str]) -> None:
    """Evidence cannot be invented: every photo a visit, round or issue names must be the caller's:
    uploaded by them, or declared in the same body with its SHA-256, so that only that file, from
    them, completes it later (``put``). Otherwise 422 and, as this runs inside the caller's write
    transaction, nothing of that write is kept."""
    declared = {k.lower(): v.lower() for k, v in declared.items()}
    for text in dict.fromkeys(str(u).lower() for u in uuids):
        try:
            uuid = UUID(text)
        except ValueError:
            raise Invalid("photo_unknown", MSG_UNKNOWN.format(uuid=text)) from None
        photo = await Photo.select(Photo.uploaded_by, Photo.sha256).where(Photo.uuid == uuid).first()
        held = photo or await PhotoClaim.select(PhotoClaim.claimed_by.as_alias("uploaded_by"), PhotoClaim.sha256).where(
            PhotoClaim.uuid == uuid).first()
        if held is not None:
            if held["uploaded_by"] != p.id:
                raise Invalid("photo_not_yours", MSG_NOT_YOURS.format(uuid=text))
            if text in declared and declared[text] != held["sha256"]:
                raise Invalid("photo_hash_mismatch", MSG_HASH.format(uuid=text))
            continue
        if text not in declared:
            raise Invalid("photo_unknown", MSG_UNKNOWN.format(uuid=text))
        await PhotoClaim.insert(PhotoClaim(uuid=uuid, sha256=declared[text], claimed_by=p.id, created_at=clock.now()))


async def present(uuids) -> set[str]:
    """Which of these photos have arrived (the others are still 照片待上传)."""
    wanted = [UUID(str(u)) for u in uuids]
    if not wanted:
        return set()
    return {str(r["uuid"]) for r in await Photo.select(Photo.uuid).where(Photo.uuid.is_in(wanted))}


def _same_or_conflict(p: Principal, existing: dict[str, Any], sha256: str) -> PhotoOut:
    if existing["uploaded_by"] != p.id:
        raise NotFound("照片不存在")
    if existing["sha256"] != sha256.lower():
        raise Conflict("该照片编号已上传过另一张照片", code="photo_conflict", detail={"sha256": existing["sha256"]})
    return _out(existing)


#: stands in for a missing photo, so that "missing" walks the same checks (and queries) as "not
#: yours": neither answers faster than the other (a timing oracle of which photos exist)
_NOBODYS = {"uuid": UUID(int=0), "uploaded_by": None, "inspection_uuid": UUID(int=0), "sha256": None, "site": None}


async def _readable(p: Principal, uuid: UUID) -> dict[str, Any]:
    row = await Photo.select().where(Photo.uuid == uuid).first()
    allowed = await can_read(p, row if row is not None else _NOBODYS)
    if row is None or not allowed:
        raise NotFound("照片不存在")
    return row


#: who may read a photo: the rule lives in the policy module
can_read = can_read_photo


async def get(p: Principal, uuid: UUID) -> PhotoOut:
    return _out(await _readable(p, uuid))


async def content(p: Principal, uuid: UUID, kind: str) -> tuple[bytes, str]:
    """The bytes of a copy: display / thumb (EXIF stripped), original, watermarked."""
    row = await _readable(p, uuid)
    st = store()
    if kind == "original":
        return await anyio.to_thread.run_sync(st.get, "originals", f"{row['sha256']}.{row['ext']}"), row["mime"]
    if kind in KINDS:
        return await anyio.to_thread.run_sync(st.get, KINDS[kind], row["sha256"]), "image/jpeg"
    if kind == "watermarked":
        return await _watermarked(row), "image/jpeg"
    raise NotFound("没有这种照片副本")


async def _watermarked(row: dict[str, Any]) -> bytes:
    """The display copy stamped with site, time, position and uploader (水印相机 style); cached."""
    from server.accounts.tables import User
    from server.photos.watermark import watermark

    lines = []
    if row["site"]:
        site = await sites.get_site(None, row["site"])
        lines.append(f"{site.county_name} · {site.name}")
    when = row["taken_at"] or row["captured_at"] or row["created_at"]
    lines.append(clock.local(clock.aware(when)).strftime("%Y-%m-%d %H:%M:%S"))
    lat, lon = (row["exif_lat"], row["exif_lon"]) if row["exif_lat"] is not None else (row["capture_lat"], row["capture_lon"])
    if lat is not None:
        where = f"N {lat:.5f}  E {lon:.5f}"
        if row["distance_m"] is not None:
            where += f"  距安置点 {row['distance_m']:.0f} 米"
        lines.append(where)
    user = await User.select(User.display_name).where(User.id == row["uploaded_by"]).first()
    lines.append(f"督查人：{user['display_name']}")
    name = hashlib.sha256((row["sha256"] + "\n".join(lines)).encode()).hexdigest()
    st = store()
    if st.exists("watermarked", name):
        return await anyio.to_thread.run_sync(st.get, "watermarked", name)
    display = await anyio.to_thread.run_sync(st.get, "display", row["sha256"])
    stamped = await anyio.to_thread.run_sync(watermark, display, lines)
    st.put("watermarked", name, stamped)
    return stamped
