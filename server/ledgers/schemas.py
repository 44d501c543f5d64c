"""What the ledger API takes and gives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from server.lib.bounds import Id, days_in_range

Kind = Literal["issues", "rectification", "closure", "work", "visit", "assessment"]


class LedgerRequest(msgspec.Struct, forbid_unknown_fields=True):
    kind: Kind
    format: Literal["pdf", "xlsx"] = "pdf"
    #: the client's UUID makes a retried request the same job
    uuid: UUID | None = None
    county_id: Id | None = None
    site_id: Id | None = None
    area: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    department_id: Id | None = None
    state: Literal["open", "rectifying", "submitted", "closed"] | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: the inspection of a visit report (kind "visit")
    inspection: UUID | None = None

    def __post_init__(self) -> None:
        days_in_range(self, {"date_from": "开始日期", "date_to": "结束日期"})


class JobOut(msgspec.Struct):
    uuid: UUID
    kind: str
    kind_name: str
    format: str
    filters: dict[str, Any]
    state: str
    state_name: str
    rows_total: int
    rows_done: int
    percent: int
    pages: int
    file_name: str
    size_bytes: int
    sha256: str
    digest: str
    error: str
    created_at: datetime
    finished_at: datetime | None
    file_url: str | None


class SubmissionIn(msgspec.Struct, forbid_unknown_fields=True):
    #: the month reported on
    period: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}$")]
    #: why a month already reported is sent again (更正原因); required then
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class SubmissionOut(msgspec.Struct):
    id: int
    period: str
    kind: str
    sha256: str
    digest: str
    submitted_at: datetime
    due_on: date
    late: bool
    emailed: bool
    #: a correction (更正): the submission it replaces
    replaces: int | None = None
    note: str = ""


class SentFile(msgspec.Struct):
    """One submitted file as the city office sees it: when, by whom, what it covers."""

    submitted_at: datetime
    submitted_by: str
    sha256: str
    digest: str
    late: bool
    correction: bool
    note: str
    covers: str
    file: str
    file_name: str


class CountyLedger(msgspec.Struct):
    """One required ledger of a county for the month: its status and the files sent (the last one first-level)."""

    kind: str
    name: str
    status: Literal["missing", "pending", "late", "on_time"]
    status_name: str
    files: list[SentFile]
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    sha256: str | None = None
    digest: str | None = None
    late: bool | None = None
    correction: bool | None = None
    note: str | None = None
    covers: str | None = None
    file: str | None = None
    file_name: str | None = None


class CountySubmissions(msgspec.Struct):
    county_id: int
    county_name: str
    period: str
    due_on: date
    ledgers: list[CountyLedger]


class FileVerdict(msgspec.Struct):
    """Whether an uploaded file is byte for byte a ledger this server made."""

    verdict: Literal["same", "altered", "unknown"]
    verdict_name: str
    message: str
    kind_name: str | None
    digest: str | None
    file_name: str | None
