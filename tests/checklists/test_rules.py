"""The rule language: every shared vector, and malformed rules refused with a reason."""

import json
from pathlib import Path

import pytest

from server.checklists import rules

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


VECTORS = json.loads((Path(rules.__file__).parent / "rule_vectors.json").read_text())["cases"]


@pytest.mark.parametrize("case", VECTORS, ids=[c["name"] for c in VECTORS])
def test_rule_vector(case):
    assert rules.evaluate(case["rule"], case["context"]) == case["expected"]


def test_vectors_cover_every_operator():
    used = set()

    def walk(rule):
        if isinstance(rule, dict):
            for op, args in rule.items():
                used.add(op)
                walk(args)
        elif isinstance(rule, list):
            for r in rule:
                walk(r)

    for case in VECTORS:
        walk(case["rule"])
    assert used == rules.OPERATORS


@pytest.mark.parametrize(
    "rule, message",
    [
        ({"eval": ["1"]}, "未知运算符"),
        ({"<": [1]}, "参数个数"),
        ({"var": "answer.nope"}, "未知的变量"),
        ({"var": "site.population"}, "未知的变量"),
        ({"var": "os.environ"}, "未知的变量"),
        ({"<": [1, 2], ">": [1, 2]}, "只能有一个运算符"),
    ],
)
def test_malformed_rule_is_refused(rule, message):
    with pytest.raises(rules.RuleError, match=message):
        rules.check(rule, {"known"})


def test_rule_on_known_keys_passes_check():
    rules.check({"<": [{"/": [{"var": "answer.a"}, {"var": "answer.b"}]}, 0.5]}, {"a", "b"})
