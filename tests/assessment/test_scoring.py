"""The scoring table and the ranking, on a small example computed by hand."""

import pytest

from server.assessment import scoring

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


def test_default_table_is_documented_and_weighs_100():
    rules = scoring.load()
    assert sum(i.weight for i in rules.indicators) == 100
    assert all(i.name and i.rule for i in rules.indicators) and rules.flag_bottom == 2


def test_ranking_on_a_hand_computed_example():
    rules = scoring.load()
    # weights: plan 20 (higher), on time 30 (higher), overdue 20 (lower), repeat 10 (lower), self 20 (higher)
    a = {"plan_completion": 1.0, "on_time_closure": 0.5, "overdue_rate": 0.25, "repeat_rate": 0.0, "self_coverage": 0.5}
    b = {"plan_completion": 0.5, "on_time_closure": 1.0, "overdue_rate": 0.0, "repeat_rate": 0.5, "self_coverage": 0.0}
    c = {"plan_completion": None, "on_time_closure": None, "overdue_rate": None, "repeat_rate": None, "self_coverage": None}
    d = {"plan_completion": 0.0, "on_time_closure": 0.0, "overdue_rate": 1.0, "repeat_rate": 1.0, "self_coverage": 0.0}
    # e: nothing planned, nothing found; only self coverage (20 × 0.5 = 10 of 20 weighed) -> 50
    e = {"plan_completion": None, "on_time_closure": None, "overdue_rate": None, "repeat_rate": None, "self_coverage": 0.5}
    # f: on time 30 × 1 + overdue 20 × 1 + self 20 × 0.5 = 60 of the 70 weighed -> 85.71
    f = {"plan_completion": None, "on_time_closure": 1.0, "overdue_rate": 0.0, "repeat_rate": None, "self_coverage": 0.5}
    # a: 20 + 15 + 15 + 10 + 10 = 70; b: 10 + 30 + 20 + 5 + 0 = 65; c: nothing to measure: no score; d: 0
    assert [scoring.score(x, rules) for x in (a, b, c, d, e, f)] == [70.0, 65.0, None, 0.0, 50.0, 85.71]
    rows = [{"county_name": n, "score": scoring.score(x, rules)} for n, x in (("甲县", a), ("乙县", b), ("丙县", c), ("丁县", d))]
    ranked = scoring.rank(rows, rules)
    # the county with nothing to measure does not tie first (it did before): unranked, last, not flagged
    assert [(r["county_name"], r["rank"], r["flagged"]) for r in ranked] == [
        ("甲县", 1, False), ("乙县", 2, True), ("丁县", 3, True), ("丙县", None, False)]
    assert "不计分" in scoring.NOTHING_TO_MEASURE and "不参与排名" in scoring.NOTHING_TO_MEASURE


def test_ties_share_a_rank():
    rules = scoring.load()
    ranked = scoring.rank([{"county_name": "甲", "score": 80.0}, {"county_name": "乙", "score": 80.0},
                           {"county_name": "丙", "score": 50.0}], rules)
    assert [r["rank"] for r in ranked] == [1, 1, 3]


def test_a_malformed_table_is_refused_clearly(tmp_path):
    import pytest

    from server.lib.errors import Invalid

    bad = tmp_path / "rules.yaml"
    bad.write_text("indicators:\n  - key: x\n    name: 某项\n    weight: 10\n    better: sideways\n    rule: r\n", encoding="utf-8")
    with pytest.raises(Invalid, match="higher 或 lower"):
        scoring.load(bad)
