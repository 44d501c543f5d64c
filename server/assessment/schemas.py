"""What the assessment answers: the scoring table it used and the counties ranked."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec


class Indicator(msgspec.Struct):
    key: str
    name: str
    weight: float
    better: Literal["higher", "lower"]
    rule: str


class Rates(msgspec.Struct):
    """Each indicator's rate (0–1); null where there was nothing to measure (the denominator is 0)."""

    plan_completion: float | None
    on_time_closure: float | None
    overdue_rate: float | None
    repeat_rate: float | None
    self_coverage: float | None


class CountyResult(msgspec.Struct):
    county_id: int
    county_name: str
    sites: int
    visits_planned: int
    visits_planned_done: int
    visits_made: int
    issues_found: int
    issues_due: int
    closed_on_time: int
    overdue: int
    repeat_findings: int
    self_inspected_sites: int
    rates: Rates
    score: float | None
    rank: int | None
    flagged: bool


class Assessment(msgspec.Struct, rename={"date_from": "from", "date_to": "to"}):
    date_from: date
    date_to: date
    nothing_to_measure: str
    rules: list[Indicator]
    flag_bottom: int
    counties: list[CountyResult]


class PlannedBehind(msgspec.Struct):
    """A city planned visit in the period (计划督查完成率)."""

    site: int
    site_name: str
    planned_on: date
    state: str
    inspection_uuid: UUID | None


class IssueBehind(msgspec.Struct):
    """An issue behind the figures; ``counts`` names each figure it enters: found (本期发现),
    repeat (复发), overdue (逾期未整改), due (本期到期), on_time (按期销号)."""

    id: int
    number: str
    site: int
    site_name: str
    source: str
    description: str
    found_at: datetime
    deadline: date
    state: str
    closed_at: datetime | None
    counts: list[str]


class RefindingBehind(msgspec.Struct):
    issue_id: int
    number: str
    found_at: datetime


class SiteBehind(msgspec.Struct):
    site: int
    site_name: str


class CountyDrill(msgspec.Struct, rename={"date_from": "from", "date_to": "to"}):
    """One county's figures and what is behind each: the drill-down from the ranking."""

    date_from: date
    date_to: date
    rules: list[Indicator]
    county: CountyResult
    planned: list[PlannedBehind]
    issues: list[IssueBehind]
    refindings: list[RefindingBehind]
    self_sites: list[SiteBehind]
