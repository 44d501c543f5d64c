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


class MyPlannedVisit(msgspec.Struct):
    """A released visit on the inspector's phone: where and which day, nothing else."""

    uuid: UUID
    site: int
    site_name: str
    county_name: str
    planned_on: date
    month: str
