"""What the issues API takes and returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from server.lib.bounds import Id, days_in_range

PhotoIds = Annotated[list[UUID], msgspec.Meta(max_length=20)]


class RectificationIn(msgspec.Struct, forbid_unknown_fields=True):
    """整改: one round, keyed by the phone's UUID so a retry is the same round."""

    uuid: UUID
    measures: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    responsible_person: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    completed_on: date | None = None
    photos: PhotoIds = []
    #: {photo uuid: SHA-256} of after-photos not uploaded yet (only those files complete them)
    photo_hashes: dict[str, Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$")]] = {}

    def __post_init__(self) -> None:
        days_in_range(self, {"completed_on": "完成日期"})


class VerificationIn(msgspec.Struct, forbid_unknown_fields=True):
    """核查: accept (销号) or send back with a reason."""

    accept: bool
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    #: why closing without an after-photo is justified (otherwise a photo is required)
    no_photo_reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


class Round(msgspec.Struct):
    uuid: UUID
    round: int
    measures: str
    responsible_person: str
    completed_on: date | None
    photos: list[str]
    submitted_by: int
    submitted_at: datetime
    outcome: str
    outcome_reason: str


class Refound(msgspec.Struct):
    """A later visit that found the same item failing while the issue was still open (复查仍未整改)."""

    inspection_uuid: UUID
    found_at: datetime
    found_by: int | None
    description: str
    note: str
    photos: list[str]


class IssueOut(msgspec.Struct):
    id: int
    #: readable and unique for ever: county abbreviation, year, sequence (盐湖-2026-0057)
    number: str
    source: str
    state: str
    state_name: str
    county_id: int
    site_id: int
    department_id: int | None
    area: str
    section: str
    #: what was found: the finding sentence, with the values, the gap and the inspector's note
    description: str
    #: the checklist requirement it fails (empty for issues not from a checklist)
    requirement: str
    #: the inspector's own words
    note: str
    basis: str
    severity: str
    severity_name: str
    deadline: date
    found_at: datetime
    photos: list[str]
    #: photos named as evidence (finding or a round) that have not arrived yet: 照片待上传
    photos_pending: list[str]
    responsible_person: str
    reopens: int | None
    closed_at: datetime | None
    closed_by: int | None
    verification_comment: str
    rounds: list[Round]
    refindings: list[Refound]
    overdue: bool
    escalation: int
    escalation_name: str
    #: the moves the caller may make now (start, rectify, accept, reject)
    allowed_moves: list[str]


Source = Literal["self_check", "complaint", "department"]
Severity = Literal["minor", "major", "critical"]


class IssueCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An issue from another source than a visit: county self-check, complaint (信访), department check."""

    uuid: UUID
    source: Source
    site_id: Id
    area: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    severity: Severity = "minor"
    deadline: date | None = None
    deadline_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    department_id: Id | None = None
    basis: Annotated[str, msgspec.Meta(max_length=32)] = ""
    photos: PhotoIds = []
    photo_hashes: dict[str, Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$")]] = {}

    def __post_init__(self) -> None:
        days_in_range(self, {"deadline": "整改期限"})


class IssueUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """The city office edits the deadline; the county team assigns within its county."""

    deadline: date | None = None
    site_id: Id | None = None
    department_id: Id | None = None
    responsible_person: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    #: city inspectors and the city office, where the checklist item does not fix it
    severity: Severity | None = None

    def __post_init__(self) -> None:
        days_in_range(self, {"deadline": "整改期限"})


class IssueAssignment(msgspec.Struct, forbid_unknown_fields=True):
    """批量分派 at a desk: the same department, person and/or deadline for up to 200 issues."""

    issue_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=200)]
    department_id: Id | None = None
    responsible_person: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    #: the city office only
    deadline: date | None = None

    def __post_init__(self) -> None:
        days_in_range(self, {"deadline": "整改期限"})
        if self.department_id is None and self.responsible_person is None and self.deadline is None:
            raise ValueError("请至少选择一项要分派的内容（责任部门、责任人或整改期限）")
        if len(set(self.issue_ids)) != len(self.issue_ids):
            raise ValueError("问题编号有重复")


class AssignmentResult(msgspec.Struct):
    #: issues named in the request
    issues: int
    #: of those, how many actually changed (the rest already had these values)
    changed: int


class IssueSummary(msgspec.Struct):
    id: int
    number: str
    source: str
    state: str
    state_name: str
    county_id: int
    county_name: str
    site_id: int
    site_name: str
    department_id: int | None
    area: str
    description: str
    severity: str
    severity_name: str
    deadline: date
    found_at: datetime
    overdue: bool
    escalation: int
    escalation_name: str
    #: the person the county team named (批量分派), empty until then
    responsible_person: str = ""


class IssuePage(msgspec.Struct):
    items: list[IssueSummary]
    total: int
    offset: int
    limit: int


class StateCounts(msgspec.Struct):
    county_id: int
    county_name: str
    open: int
    rectifying: int
    submitted: int
    closed: int
    overdue: int


class RepeatFinding(msgspec.Struct):
    site_id: int
    site_name: str
    template_id: str
    item_key: str
    description: str
    times: int


class Inbox(msgspec.Struct):
    """What waits for the caller: to rectify, to verify, and (city office) 报市办, seven days past the deadline."""

    to_rectify: list[IssueSummary]
    to_verify: list[IssueSummary]
    escalated: list[IssueSummary]
