"""The sync protocol's shapes: what the phone PUTs and what it gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from server.lib.bounds import Id
from server.sites.schemas import CoordSystem, Lat, Lon


class TemplateRef(msgspec.Struct, forbid_unknown_fields=True):
    id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    version: Annotated[int, msgspec.Meta(ge=1)]


class Arrival(msgspec.Struct, forbid_unknown_fields=True):
    """到达现场: when and where the inspector arrived, as the phone recorded it."""

    at: datetime
    #: the position; a manual arrival (no fix: location denied, no signal) may have none
    lat: Lat | None = None
    lon: Lon | None = None
    accuracy_m: Annotated[float, msgspec.Meta(ge=0, le=100_000)] | None = None
    source: Literal["browser", "exif", "manual"] = "browser"
    coord_system: CoordSystem = "wgs84"
    #: why the arrival was recorded by hand (required for ``manual``)
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class InspectionPut(msgspec.Struct, forbid_unknown_fields=True):
    site_id: Id
    templates: Annotated[list[TemplateRef], msgspec.Meta(min_length=1, max_length=20)]
    state: Literal["draft", "submitted"] = "draft"
    arrival: Arrival | None = None
    #: {template id: {item key: answer}}
    answers: dict[str, dict[str, Any]] = {}
    #: {template id: {item key: [photo uuid]}}
    photos: dict[str, dict[str, list[str]]] = {}
    #: {template id: {item key: the inspector's note}}: what exactly is wrong and where
    item_notes: dict[str, dict[str, str]] = {}
    #: {template id: {item key: minor|major|critical}}: a severity other than the item's default
    severities: dict[str, dict[str, str]] = {}
    #: {photo uuid: SHA-256} of photos named here that have not been uploaded yet: only that file,
    #: from this user, completes them later
    photo_hashes: dict[str, Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$")]] = {}
    notes: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    unannounced: bool = True
    started_at: datetime | None = None
    replaces: UUID | None = None


class RaisedIssue(msgspec.Struct):
    id: int
    #: the issue's number (盐湖-2026-0057)
    number: str
    template_id: str
    item_key: str
    #: what was found (the finding sentence)
    description: str
    #: true when the item had an issue not yet closed: this visit was recorded as a re-finding of it
    refinding: bool
    severity: str
    deadline: str
    department_id: int | None


class InspectionOut(msgspec.Struct):
    uuid: UUID
    revision: int
    state: str
    site_id: int
    inspector_id: int
    templates: list[TemplateRef]
    answers: dict[str, dict[str, Any]]
    photos: dict[str, dict[str, list[str]]]
    item_notes: dict[str, dict[str, str]]
    severities: dict[str, dict[str, str]]
    notes: str
    unannounced: bool
    arrival: Arrival | None
    arrival_distance_m: float | None
    items_checked: int
    items_failed: int
    replaces: UUID | None
    superseded_by: UUID | None
    submitted_at: datetime | None
    issues: list[RaisedIssue]
