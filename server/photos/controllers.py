"""Photos over HTTP: PUT the bytes by UUID with their SHA-256; GET the copies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, QueryParameter

from server.photos import service
from server.photos.schemas import PhotoOut
from server.settings import get_settings

SHA256 = Annotated[str, QueryParameter(pattern=r"^[0-9a-fA-F]{64}$", description="SHA-256 of the body, hex")]


class PhotosController(Controller):
    path = "/api/photos"
    tags = ["photos"]

    @put(
        "/{uuid:uuid}",
        operation_id="putPhoto",
        request_max_body_size=get_settings().photo_max_bytes + 1,
        description="Body: the image bytes (JPEG, PNG, WebP, HEIC). Retry freely: the same UUID and bytes give the same result.",
    )
    async def put_photo(
        self,
        request: Request,
        uuid: FromPath[UUID],
        sha256: SHA256,
        site_id: Annotated[int | None, QueryParameter()] = None,
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
    ) -> PhotoOut:
        body = await request.body()
        meta = service.PhotoMeta(sha256=sha256.lower(), site_id=site_id, inspection_uuid=inspection, template_id=template,
                                 item_key=item, lat=lat, lon=lon, accuracy_m=accuracy, coord_system=coord, captured_at=captured_at,
                                 exif_lat=exif_lat, exif_lon=exif_lon, exif_time=exif_time, exif_offset=exif_offset)
        return await service.put(request.user, uuid, body, meta)

    @get("/{uuid:uuid}", operation_id="getPhoto")
    async def get_photo(self, request: Request, uuid: FromPath[UUID]) -> PhotoOut:
        return await service.get(request.user, uuid)

    @get("/{uuid:uuid}/{kind:str}", operation_id="getPhotoContent", media_type="image/jpeg")
    async def get_content(self, request: Request, uuid: FromPath[UUID], kind: FromPath[str]) -> Response[bytes]:
        data, mime = await service.content(request.user, uuid, kind)
        return Response(data, media_type=mime, headers={"Cache-Control": "private, max-age=86400"})
