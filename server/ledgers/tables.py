"""Ledger jobs (one rendered file each) and submissions (报送) of ledgers to the city office."""

from typing import Any

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User
from server.sites.tables import County


class LedgerJob(Table, tablename="ledger_job"):
    """A ledger requested as PDF or XLSX, rendered by a worker process; the file is kept for good."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    uuid = UUID(unique=True)
    kind = Varchar(length=16)
    format = Varchar(length=8, default="pdf")
    filters = JSON(default={})
    requested_by = ForeignKey(references=User, null=True, on_delete=OnDelete.restrict)
    #: the requester's county (county-side jobs), for who may see the job
    county = ForeignKey(references=County, null=True, on_delete=OnDelete.restrict, index=True)
    state = Varchar(length=16, default="queued", index=True)  # queued | running | done | failed
    rows_total = Integer(default=0)
    rows_done = Integer(default=0)
    pages = Integer(default=0)
    file_name = Varchar(length=200, default="")
    sha256 = Varchar(length=64, default="")
    size_bytes = Integer(default=0)
    #: the ledger's own digest (printed in every PDF footer)
    digest = Varchar(length=64, default="", index=True)
    error = Text(default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    #: while running: the worker renews this every HEARTBEAT; once it lapses the job is queued again
    lease_until = Timestamptz(null=True, default=None)


class LedgerSubmission(Table, tablename="ledger_submission"):
    """报送: a county team sends a finished ledger file for a month; the file is frozen from then on."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    job = ForeignKey(references=LedgerJob, on_delete=OnDelete.restrict, index=True)
    county = ForeignKey(references=County, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=16)
    #: the month reported on, "YYYY-MM"
    period = Varchar(length=7, index=True)
    sha256 = Varchar(length=64)
    digest = Varchar(length=64)
    submitted_by = ForeignKey(references=User, on_delete=OnDelete.restrict)
    submitted_at = Timestamptz()
    due_on = Date()
    late = Boolean(default=False)
    emailed = Boolean(default=False)
    #: a correction (更正) names the submission it replaces; that one stays on record
    replaces = Integer(null=True, default=None)
    #: why it was corrected
    note = Text(default="")
