"""Photos over HTTP: PUT the bytes by UUID with their SHA-256 (or send them in resumable pieces
to /api/photo-uploads); GET the copies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter

from server.photos import awaiting, service
from server.photos.schemas import PhotoOut, UploadOut
from server.photos.uploads import Upload
from server.settings import get_settings

SHA256 = Annotated[str, QueryParameter(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256 of the body, hex")]


def photo_meta(
    sha256: SHA256,
    site_id: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
    inspection: Annotated[UUID | None, QueryParameter()] = None,
    template: Annotated[str, QueryParameter(max_length=64)] = "",
    item: Annotated[str, QueryParameter(max_length=64)] = "",
    lat: Annotated[float | None, QueryParameter(ge=-90, le=90)] = None,
    lon: Annotated[float | None, QueryParameter(ge=-180, le=180)] = None,
    accuracy: Annotated[float | None, QueryParameter(ge=0, le=100_000)] = None,
    coord: Annotated[Literal["wgs84", "gcj02", "bd09"], QueryParameter()] = "wgs84",
    captured_at: Annotated[datetime | None, QueryParameter()] = None,
    exif_lat: Annotated[float | None, QueryParameter(ge=-90, le=90)] = None,
    exif_lon: Annotated[float | None, QueryParameter(ge=-180, le=180)] = None,
    exif_time: Annotated[datetime | None, QueryParameter()] = None,
    exif_offset: Annotated[str | None, QueryParameter(pattern=r"^[+-]\d\d:\d\d$")] = None,
) -> service.PhotoMeta:
    """Where and when the phone says the photo was taken, and what it is evidence of (query)."""
    return service.PhotoMeta(sha256=sha256.lower(), site_id=site_id, inspection_uuid=inspection, template_id=template,
                             item_key=item, lat=lat, lon=lon, accuracy_m=accuracy, coord_system=coord, captured_at=captured_at,
                             exif_lat=exif_lat, exif_lon=exif_lon, exif_time=exif_time, exif_offset=exif_offset)


META = NamedDependency[service.PhotoMeta]
SIZE = Annotated[int, QueryParameter(ge=1, le=2**31 - 1, description="the whole file's size in bytes")]


class PhotosController(Controller):
    path = "/api/photos"
    tags = ["photos"]
    dependencies = {"meta": Provide(photo_meta, sync_to_thread=False)}

    @put(
        "/{uuid:uuid}",
        operation_id="putPhoto",
        request_max_body_size=get_settings().photo_max_bytes + 1,
        description="Body: the image bytes (JPEG, PNG, WebP, HEIC). Retry freely: the same UUID and bytes give the same result.",
    )
    async def put_photo(self, request: Request, uuid: FromPath[UUID], meta: META) -> PhotoOut:
        body = await request.body()
        return await service.put(request.user, uuid, body, meta)

    @get("/awaiting", operation_id="listPhotosAwaitingVisit",
         description="待补交督查记录 (city admin): visits whose photos arrived but which the server has not accepted")
    async def awaiting_visit(self, request: Request) -> list[awaiting.AwaitingVisit]:
        return await awaiting.awaiting(request.user)

    @get("/{uuid:uuid}", operation_id="getPhoto")
    async def get_photo(self, request: Request, uuid: FromPath[UUID]) -> PhotoOut:
        return await service.get(request.user, uuid)

    @get("/{uuid:uuid}/{kind:str}", operation_id="getPhotoContent", media_type="image/jpeg")
    async def get_content(self, request: Request, uuid: FromPath[UUID], kind: FromPath[str]) -> Response[bytes]:
        data, mime = await service.content(request.user, uuid, kind)
        headers = {"Cache-Control": "private, max-age=86400"}
        if kind == "original":  # the file as it came from the phone: downloaded, never shown as a page
            ext = {"image/jpeg": "jpg", "image/png": "png", "image/heic": "heic", "image/webp": "webp"}.get(mime, "bin")
            headers["Content-Disposition"] = f'attachment; filename="{uuid}.{ext}"'
        return Response(data, media_type=mime, headers=headers)


class PhotoUploadsController(Controller):
    """A photo in pieces over a bad uplink: ask where the upload stands, send the rest from there."""

    path = "/api/photo-uploads"
    tags = ["photos"]

    @get("/{uuid:uuid}", operation_id="getPhotoUpload")
    async def state(self, request: Request, uuid: FromPath[UUID], sha256: SHA256, size: SIZE) -> UploadOut:
        return await service.upload_state(request.user, uuid, Upload(sha256.lower(), size))

    @patch(
        "/{uuid:uuid}",
        operation_id="patchPhotoUpload",
        request_max_body_size=get_settings().photo_max_bytes + 1,
        dependencies={"meta": Provide(photo_meta, sync_to_thread=False)},
        description="Body: the file's bytes from `offset` on (all or some of them). What arrives before a cut is kept; "
        "the last byte stores the photo as PUT /api/photos/{uuid} does, with the same query.",
    )
    async def piece(self, request: Request, uuid: FromPath[UUID], meta: META, size: SIZE,
                    offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]) -> UploadOut:
        return await service.upload_piece(request.user, uuid, Upload(meta.sha256, size), offset, request.stream(), meta)
