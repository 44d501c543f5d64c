"""The draw: which sites, which days. Plain functions, reproducible from the seed.

Risk weight of a site (documented in the README; the figures are recorded with the plan):

    weight = 1 + 2·open_issues + 3·overdue_issues + min(days_since_last_visit, 180)/30
               + 0.5·past_issues + total_people/1000

A site never visited counts 180 days. Sampling without replacement by Efraimidis–Spirakis: each
site draws u ~ U(0,1) from ``random.Random(seed)`` in site-id order and gets the key u^(1/weight);
the n largest keys are the plan. Visit days are drawn from the same generator, uniformly over the
month's days (不定时: the inspected side cannot predict them).
"""

from __future__ import annotations

import calendar
import random
from dataclasses import asdict, dataclass
from datetime import date


@dataclass(frozen=True)
class SiteRisk:
    site_id: int
    open_issues: int
    overdue_issues: int
    days_since_last_visit: int
    past_issues: int
    total_people: int

    @property
    def weight(self) -> float:
        return (1 + 2 * self.open_issues + 3 * self.overdue_issues + min(self.days_since_last_visit, 180) / 30
                + 0.5 * self.past_issues + self.total_people / 1000)

    def record(self) -> dict:
        return {**asdict(self), "weight": round(self.weight, 4)}


def draw(candidates: list[SiteRisk], n: int, seed: str) -> list[int]:
    """``n`` site ids, riskier sites more likely, the same for the same seed and candidates."""
    rng = random.Random(seed)
    keyed = []
    for c in sorted(candidates, key=lambda c: c.site_id):
        u = rng.random() or 1e-12
        keyed.append((u ** (1 / c.weight), c.site_id))
    keyed.sort(reverse=True)
    return [site for _, site in keyed[:n]]


def days(month: str, n: int, seed: str) -> list[date]:
    year, mon = int(month[:4]), int(month[5:])
    rng = random.Random(f"{seed}/days")
    last = calendar.monthrange(year, mon)[1]
    return [date(year, mon, rng.randint(1, last)) for _ in range(n)]
