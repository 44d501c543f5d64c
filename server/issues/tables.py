"""Issues (问题): one row per problem found, whatever its source."""

from typing import Any

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.inspections.tables import Inspection
from server.sites.tables import County, Department, Site


class Issue(Table, tablename="issue"):
    """A problem to rectify. From a visit it is unique per (inspection, template, item); while it is
    not closed, the same item failing again at the same site is a re-finding of it (Refinding)."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    #: the readable number, unique for ever: county abbreviation, year found, sequence (盐湖-2026-0057)
    number = Varchar(length=32, null=True, default=None)  # UNIQUE by an index of its own (migration 2026-12-01T03:21)
    source = Varchar(length=16, default="visit", index=True)  # visit | self_check | complaint | department
    inspection = ForeignKey(references=Inspection, null=True, on_delete=OnDelete.restrict, index=True)
    #: "<inspection uuid>/<template id>/<item key>" for visit issues: the UNIQUE guard against duplicates
    origin_key = Varchar(length=160, null=True, default=None, unique=True)
    county = ForeignKey(references=County, on_delete=OnDelete.restrict, index=True)
    site = ForeignKey(references=Site, on_delete=OnDelete.restrict, index=True)
    department = ForeignKey(references=Department, null=True, on_delete=OnDelete.restrict, index=True)
    template_id = Varchar(length=64, default="")
    template_version = Integer(default=0)
    item_key = Varchar(length=64, default="")
    area = Varchar(length=32, index=True)
    section = Varchar(length=64, default="")
    #: what was found: the finding sentence (value and gap, the inspector's note), not the requirement
    description = Text()
    #: the checklist requirement the finding fails (empty for issues not raised by a checklist)
    requirement = Text(default="")
    #: the inspector's own words on what exactly is wrong and where
    note = Text(default="")
    basis = Varchar(length=32, default="")
    severity = Varchar(length=16, default="minor")
    state = Varchar(length=16, default="open", index=True)
    deadline = Date()
    photos = JSON(default=[])
    found_at = Timestamptz()
    found_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    responsible_person = Varchar(length=64, default="")
    #: the closed issue a later visit found again (复发)
    reopens = Integer(null=True, default=None, index=True)
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    verification_comment = Text(default="")
    created_at = Timestamptz()
    updated_at = Timestamptz(null=True, default=None)


class Rectification(Table, tablename="rectification"):
    """One round of rectification (整改): rounds are kept, never overwritten."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    #: the phone's UUIDv4: a retried upload is the same round
    uuid = UUID(unique=True)
    issue = ForeignKey(references=Issue, on_delete=OnDelete.cascade, index=True)
    round = Integer()
    measures = Text()
    completed_on = Date(null=True, default=None)
    responsible_person = Varchar(length=64, default="")
    photos = JSON(default=[])
    submitted_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    submitted_at = Timestamptz()
    #: the verifier's answer to this round: accepted | rejected | "" (pending)
    outcome = Varchar(length=16, default="")
    outcome_reason = Text(default="")


class Refinding(Table, tablename="refinding"):
    """The same item failing again at the same site while its issue is not closed (复查仍未整改):
    kept on that issue instead of opening another."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    issue = ForeignKey(references=Issue, on_delete=OnDelete.cascade, index=True)
    inspection = ForeignKey(references=Inspection, on_delete=OnDelete.restrict, index=True)
    #: "<inspection uuid>/<template id>/<item key>": one re-finding per visit and item
    origin_key = Varchar(length=160, unique=True)
    description = Text()
    note = Text(default="")
    photos = JSON(default=[])
    found_at = Timestamptz()
    found_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)


class IssueCounter(Table, tablename="issue_counter"):
    """The last issue number given per county and year ("<county id>/<year>")."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    scope = Varchar(length=32, unique=True)
    last = Integer(default=0)
