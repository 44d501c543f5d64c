"""What the photos API returns."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class PhotoOut(msgspec.Struct):
    uuid: UUID
    sha256: str
    mime: str
    width: int
    height: int
    size_bytes: int
    site_id: int | None
    inspection_uuid: UUID | None
    template_id: str
    item_key: str
    exif_lat: float | None
    exif_lon: float | None
    taken_at: datetime | None
    capture_lat: float | None
    capture_lon: float | None
    capture_accuracy_m: float | None
    captured_at: datetime | None
    #: metres from the site, by the EXIF position when there is one, else the browser's
    distance_m: float | None
    far_from_site: bool | None
    #: EXIF time and capture time more than two hours apart (an old photo from the gallery?)
    time_mismatch: bool | None
    #: taken outside its visit's time (from start/arrival to submit, 30 minutes either side)
    outside_visit: bool | None
    urls: dict[str, str]


class UploadOut(msgspec.Struct):
    """Where a resumable upload stands: ``offset`` bytes of ``size`` are on the server; once
    ``complete``, ``photo`` is the stored photo."""

    offset: int
    size: int
    complete: bool
    photo: PhotoOut | None = None
