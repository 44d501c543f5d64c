"""Every write is audited, and every kind of audit event is asserted by a test of the write that
makes it: the actions are read from the server's code, the assertions from the tests' code, so a
new action without a test (or a test of an action the code no longer records) fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.issues.lifecycle import MOVES

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


ROOT = Path(__file__).resolve().parents[2]
#: the values an f-string action takes (``issue.{move}``), by the name in braces
EXPANSIONS = {
    "move": sorted(MOVES),
    "to": ["queued", "running", "done", "failed"],
    "'submit' if submitting else 'save'": ["submit", "save"],
    "'approve' if data.approve else 'reject'": ["approve", "reject"],
    "'enable' if data.active else 'disable'": ["enable", "disable"],
}
RECORD = re.compile(r"audit\.record\(\s*[^,]+,\s*(f?)\"([a-z_.]+(?:\{[^}]+\})?[a-z_.]*)\"", re.DOTALL)
ASSERTED = re.compile(r"assert_audited\(\s*f?\"([a-z_.]+)\"")


def recorded_actions() -> set[str]:
    actions: set[str] = set()
    for path in (ROOT / "server").rglob("*.py"):
        for is_f, action in RECORD.findall(path.read_text(encoding="utf-8")):
            hole = re.search(r"\{([^}]+)\}", action) if is_f else None
            if hole is None:
                actions.add(action)
                continue
            assert hole[1] in EXPANSIONS, f"{path}: cannot expand the action {action!r}: add it to EXPANSIONS"
            actions.update(action.replace(hole[0], v) for v in EXPANSIONS[hole[1]])
    return actions


def asserted_actions() -> set[str]:
    return {a for path in (ROOT / "tests").rglob("test_*.py") for a in ASSERTED.findall(path.read_text(encoding="utf-8"))}


def test_the_code_records_the_actions_this_test_knows_about():
    actions = recorded_actions()
    assert len(actions) >= 25 and {"issue.accept", "ledger.done", "inspection.save", "login"} <= actions


def test_every_recorded_action_is_asserted_by_a_test():
    missing = sorted(recorded_actions() - asserted_actions())
    assert not missing, f"audit actions no test asserts (use tests.audit.helpers.assert_audited): {missing}"


def test_no_test_asserts_an_action_the_code_never_records():
    unknown = sorted(asserted_actions() - recorded_actions())
    assert not unknown, unknown
