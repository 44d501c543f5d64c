"""The draw: reproducible from its seed, and riskier sites drawn more often."""

from collections import Counter
from datetime import date

import pytest

from server.plans.draw import SiteRisk, days, draw

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


def site(i, open_=0, overdue=0, since=0, past=0, people=0):
    return SiteRisk(site_id=i, open_issues=open_, overdue_issues=overdue, days_since_last_visit=since, past_issues=past, total_people=people)


def test_the_same_seed_gives_the_same_draw_and_days():
    sites = [site(i, open_=i % 3, since=i * 7) for i in range(1, 41)]
    assert draw(sites, 8, "a1b2c3") == draw(list(reversed(sites)), 8, "a1b2c3")
    assert draw(sites, 8, "a1b2c3") != draw(sites, 8, "other-seed")
    assert days("2026-12", 8, "a1b2c3") == days("2026-12", 8, "a1b2c3")
    assert all(date(2026, 12, 1) <= d <= date(2026, 12, 31) for d in days("2026-12", 200, "x"))


def test_weight_follows_the_documented_formula():
    assert site(1).weight == 1
    assert site(1, open_=2, overdue=1, since=90, past=4, people=1500).weight == 1 + 4 + 3 + 3 + 2 + 1.5
    assert site(1, since=999).weight == site(1, since=180).weight  # capped at 180 days


def test_risky_sites_are_drawn_more_often_over_many_draws():
    calm = [site(i, since=10) for i in range(1, 31)]
    risky = [site(i, open_=3, overdue=2, since=150, past=6) for i in range(31, 36)]
    hits = Counter()
    for n in range(400):
        hits.update(draw(calm + risky, 5, f"seed-{n}"))
    risky_rate = sum(hits[i] for i in range(31, 36)) / (5 * 400)
    calm_rate = sum(hits[i] for i in range(1, 31)) / (30 * 400)
    assert risky_rate > 5 * calm_rate  # five risky sites out of 35 take most of the plan
    assert all(hits[i] > 0 for i in range(1, 31))  # yet every calm site can still be drawn
