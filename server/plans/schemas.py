"""What the plan routes answer (typed, so the OpenAPI document says it and a client can rely on it)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec


class CandidateWeight(msgspec.Struct):
    """Why a site was as likely as it was to be drawn (the weight's inputs, recorded with the plan)."""

    site_id: int
    open_issues: int
    overdue_issues: int
    days_since_last_visit: int
    past_issues: int
    total_people: int
    weight: float


class Assignable(msgspec.Struct):
    """Someone the caller may assign a planned visit to (the city: its inspectors and admins; a
    county team: its own members)."""

    id: int
    display_name: str
    role: str


class Candidate(msgspec.Struct):
    """A site that a draw now could pick: its figures, weight and share of the total weight."""

    site_id: int
    site_name: str
    county_name: str
    open_issues: int
    overdue_issues: int
    days_since_last_visit: int
    past_issues: int
    total_people: int
    weight: float
    #: weight ÷ the sum of all candidates' weights
    share: float


class PlannedVisitOut(msgspec.Struct):
    id: int
    uuid: UUID
    plan: int
    site: int
    site_name: str
    county: int
    county_name: str
    inspector: int
    inspector_name: str
    planned_on: date
    release_on: date
    rank: int
    state: str
    inspection_uuid: UUID | None
    done_at: datetime | None


class PlanSummary(msgspec.Struct):
    uuid: UUID
    month: str
    scope: str
    county: int | None
    seed: str
    created_at: datetime
    #: active | cancelled
    state: str = "active"
    visits: int = 0


class PlanOut(msgspec.Struct):
    id: int
    uuid: UUID
    month: str
    scope: str
    county: int | None
    seed: str
    weights: list[CandidateWeight]
    created_by: int
    created_at: datetime
    visits: list[PlannedVisitOut]
    #: active | cancelled (a cancelled plan's visits not yet done are cancelled, off every phone)
    state: str = "active"
    cancel_reason: str = ""
    cancelled_at: datetime | None = None
    #: the plan this one redrew
    replaces: UUID | None = None


class MyPlannedVisit(msgspec.Struct):
    """A released visit on the inspector's phone: where and which day, nothing else."""

    uuid: UUID
    site: int
    site_name: str
    county_name: str
    planned_on: date
    month: str
