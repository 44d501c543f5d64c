"""What the assessment answers: the scoring table it used and the counties ranked."""

from __future__ import annotations

from datetime import date
from typing import Literal

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
