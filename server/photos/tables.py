"""Photos: one row per client UUID; the bytes live in the content-addressed store."""

from typing import Any

from piccolo.columns import UUID, Boolean, Integer, Real, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.sites.tables import Site


class Photo(Table, tablename="photo"):
    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    uuid = UUID(unique=True)
    sha256 = Varchar(length=64, index=True)
    mime = Varchar(length=32)
    ext = Varchar(length=8)
    width = Integer()
    height = Integer()
    size_bytes = Integer()
    uploaded_by = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    site = ForeignKey(references=Site, null=True, on_delete=OnDelete.restrict)
    #: the inspection it belongs to (it may arrive before the inspection does, so no foreign key)
    inspection_uuid = UUID(null=True, default=None, index=True)
    template_id = Varchar(length=64, default="")
    item_key = Varchar(length=64, default="")
    #: from EXIF (WGS-84) when the camera wrote it
    exif_lat = Real(null=True, default=None)
    exif_lon = Real(null=True, default=None)
    taken_at = Timestamptz(null=True, default=None)
    exif_ok = Boolean(default=False)
    #: the browser's position and time at capture (stored as WGS-84)
    capture_lat = Real(null=True, default=None)
    capture_lon = Real(null=True, default=None)
    capture_accuracy_m = Real(null=True, default=None)
    capture_coord_system = Varchar(length=8, default="wgs84")
    captured_at = Timestamptz(null=True, default=None)
    distance_m = Real(null=True, default=None)
    far_from_site = Boolean(null=True, default=None)
    time_mismatch = Boolean(null=True, default=None)
    #: taken (EXIF time, else capture time) outside its visit: from start or arrival to submit, 30 min either side
    outside_visit = Boolean(null=True, default=None)
    created_at = Timestamptz()


class PhotoClaim(Table, tablename="photo_claim"):
    """A photo a visit, round or issue names before it has arrived: only the file with this SHA-256,
    uploaded by the same user, completes it."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    uuid = UUID(unique=True)
    sha256 = Varchar(length=64)
    claimed_by = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    created_at = Timestamptz()
