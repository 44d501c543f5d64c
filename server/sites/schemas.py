"""What the sites API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from server.lib.bounds import Id

Lat = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Lon = Annotated[float, msgspec.Meta(ge=-180, le=180)]
People = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]
CoordSystem = Literal["wgs84", "gcj02", "bd09"]


class County(msgspec.Struct):
    id: int
    name: str
    code: str


class Department(msgspec.Struct):
    id: int
    code: str
    name: str
    #: false: kept for the issues it holds, offered to no new one (停用)
    active: bool = True


class DepartmentUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A rename and/or disabling or enabling (the code, which users and templates name, stays)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    active: bool | None = None


class DepartmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=2, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class SiteAttributes(msgspec.Struct, forbid_unknown_fields=True):
    registered_people: People = 0
    other_people: People = 0
    households: People = 0
    building_count: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    has_workshop: bool = False
    has_first_secretary: bool = False
    has_greenhouses: bool = False
    has_lift: bool = False
    has_piped_gas: bool = False


class SiteCreate(msgspec.Struct, forbid_unknown_fields=True):
    county_id: Id
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]
    lat: Lat
    lon: Lon
    coord_system: CoordSystem = "wgs84"
    township: Annotated[str, msgspec.Meta(max_length=64)] = ""
    address: Annotated[str, msgspec.Meta(max_length=256)] = ""
    registered_people: People = 0
    other_people: People = 0
    households: People = 0
    building_count: Annotated[int, msgspec.Meta(ge=0, le=10_000)] = 0
    has_workshop: bool = False
    has_first_secretary: bool = False
    has_greenhouses: bool = False
    has_lift: bool = False
    has_piped_gas: bool = False


class SiteUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=128)] | None = None
    lat: Lat | None = None
    lon: Lon | None = None
    coord_system: CoordSystem = "wgs84"
    township: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    address: Annotated[str, msgspec.Meta(max_length=256)] | None = None
    registered_people: People | None = None
    other_people: People | None = None
    households: People | None = None
    building_count: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | None = None
    has_workshop: bool | None = None
    has_first_secretary: bool | None = None
    has_greenhouses: bool | None = None
    has_lift: bool | None = None
    has_piped_gas: bool | None = None


class Site(msgspec.Struct):
    id: int
    county_id: int
    county_name: str
    township: str
    name: str
    address: str
    lat: float
    lon: float
    coord_source: str
    registered_people: int
    other_people: int
    total_people: int
    households: int
    building_count: int
    has_workshop: bool
    has_first_secretary: bool
    has_greenhouses: bool
    has_lift: bool
    has_piped_gas: bool
    invented: bool
    #: false: closed or merged (停用): kept with its visits and issues, offered for no new visit or draw
    active: bool = True
    status_reason: str = ""


class SiteStatus(msgspec.Struct, forbid_unknown_fields=True):
    """Disable (a closed or merged site) or enable a site again, with the reason (required)."""

    active: bool
    reason: Annotated[str, msgspec.Meta(min_length=2, max_length=500)]


class SiteStatusOut(msgspec.Struct):
    site: Site
    #: planned visits to the site not yet made that disabling it cancelled
    planned_visits_cancelled: int


class SitePage(msgspec.Struct):
    items: list[Site]
    total: int
    offset: int
    limit: int


#: fields of a site that decide which checklist items apply, and its position: changed by the city only
CONTROLLED = ("lat", "lon", "coord_system", "registered_people", "other_people", "households", "building_count",
              "has_workshop", "has_first_secretary", "has_greenhouses", "has_lift", "has_piped_gas")


class ProposalIn(SiteUpdate, forbid_unknown_fields=True):
    """A county team's proposed change (the same fields as an edit) and why."""

    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] = "未说明"


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    approve: bool
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class Proposal(msgspec.Struct):
    id: int
    site_id: int
    site_name: str
    changes: dict[str, Any]
    #: the site's values when the proposal was read, for the fields it changes
    current: dict[str, Any]
    reason: str
    state: Literal["pending", "approved", "rejected"]
    state_name: str
    proposed_by: int
    proposed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str


class SheetLine(msgspec.Struct):
    """One row of an imported site sheet: its Excel row number, what it does, its problems."""

    row: int
    #: create 新增 | update 修改 | unchanged 无变化
    action: str
    name: str
    #: for an update: the fields that change
    changes: list[str]
    errors: list[str]


class SheetImport(msgspec.Struct):
    #: false for a check (dry run) and for a refused sheet: nothing was written
    written: bool
    rows: int
    creates: int
    updates: int
    unchanged: int
    lines: list[SheetLine]
