"""Issues (问题): one row per problem found, whatever its source."""

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.inspections.tables import Inspection
from server.sites.tables import County, Department, Site


class Issue(Table, tablename="issue"):
    """A problem to rectify. From a visit it is unique per (inspection, template, item)."""

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
    description = Text()
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
