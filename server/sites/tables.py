"""Counties, sites and departments."""

from typing import Any

from piccolo.columns import JSON, Boolean, Integer, Real, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table


class County(Table, tablename="county"):
    """A county-level unit of the city (区、县、县级市)."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    name = Varchar(length=32, unique=True)
    code = Varchar(length=12, unique=True)


class Department(Table, tablename="department"):
    """A responsible department (住建、消防、教育 ...)."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    code = Varchar(length=32, unique=True)
    name = Varchar(length=64)
    #: a department merged away or no longer responsible: kept for the issues it holds, offered to no new one
    active = Boolean(default=True)


class Site(Table, tablename="site"):
    """A resettlement site (安置点), coordinates in WGS-84."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    county = ForeignKey(references=County, on_delete=OnDelete.restrict, index=True)
    township = Varchar(length=64, default="")
    name = Varchar(length=128)
    address = Varchar(length=256, default="")
    lat = Real()
    lon = Real()
    #: the coordinate system the position was given in (stored converted to WGS-84)
    coord_source = Varchar(length=8, default="wgs84")
    registered_people = Integer(default=0)
    other_people = Integer(default=0)
    households = Integer(default=0)
    building_count = Integer(default=0)
    has_workshop = Boolean(default=False)
    has_first_secretary = Boolean(default=False)
    has_greenhouses = Boolean(default=False)
    has_lift = Boolean(default=False)
    has_piped_gas = Boolean(default=False)
    extra = JSON(default={})
    invented = Boolean(default=False)
    #: a site closed or merged (撤并): kept with its visits and issues, never offered for a new visit or draw
    active = Boolean(default=True, index=True)
    #: why it was last disabled or enabled (停用/启用原因)
    status_reason = Varchar(length=500, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class SiteProposal(Table, tablename="site_proposal"):
    """A county team's proposed change to what drives a site's checklists (people, facilities) or its
    position: nothing changes on the site until the city office approves it (the inspected side does
    not shape its own inspection)."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    site = ForeignKey(references=Site, on_delete=OnDelete.cascade, index=True)
    #: the proposed values (field: value; a position already converted to WGS-84, with its source)
    changes = JSON(default={})
    reason = Varchar(length=500, default="")
    state = Varchar(length=10, default="pending", index=True)  # pending | approved | rejected
    proposed_by = Integer()
    proposed_at = Timestamptz()
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Varchar(length=500, default="")
