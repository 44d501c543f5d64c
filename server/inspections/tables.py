"""Inspections (visits): one row per client UUID, revisions chained by ``replaces``."""

from typing import Any

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Integer,
    Real,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.sites.tables import County, Site


class Inspection(Table, tablename="inspection"):
    """A visit to a site, filled on a phone, keyed by the phone's UUIDv4."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    uuid = UUID(unique=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(references=County, on_delete=OnDelete.restrict, index=True)
    inspector = ForeignKey(references=User, on_delete=OnDelete.restrict, index=True)
    state = Varchar(length=16, default="draft", index=True)
    #: the server's revision of this row: bumped on every accepted change
    revision = Integer(default=1)
    #: the submitted inspection this one corrects (an edit after submit is a new inspection)
    replaces = UUID(null=True, default=None)
    superseded_by = UUID(null=True, default=None)
    #: [{"id": template id, "version": n}]
    templates = JSON(default=[])
    answers = JSON(default={})
    photos = JSON(default={})
    notes = Text(default="")
    #: {template id: {item key: the inspector's note on that item}}
    item_notes = JSON(default={})
    #: {template id: {item key: severity the inspector chose}} where the template allows a change
    severities = JSON(default={})
    unannounced = Boolean(default=True)
    arrival_at = Timestamptz(null=True, default=None)
    arrival_lat = Real(null=True, default=None)
    arrival_lon = Real(null=True, default=None)
    arrival_accuracy_m = Real(null=True, default=None)
    arrival_source = Varchar(length=16, default="")
    arrival_coord_system = Varchar(length=8, default="wgs84")
    arrival_distance_m = Real(null=True, default=None)
    #: a manual arrival's reason (no position fix)
    arrival_reason = Text(default="")
    #: the issues this submission raised or, for a revision, carried over from the one it replaces
    issue_ids = JSON(default=[])
    items_checked = Integer(default=0)
    items_failed = Integer(default=0)
    #: SHA-256 of the canonical request body last accepted: the same body again is the same result
    body_digest = Varchar(length=64)
    started_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()
