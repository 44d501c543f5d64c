"""inspection_templates/COVERAGE.md stays true: every item it names exists in the newest version of its
template and cites a paragraph of the row's part; every test it names exists; the totals line adds up."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.checklists.loader import DEFAULT_DIR, registry

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


ROW = re.compile(r"^\| (?P<basis>\S+) \| (?P<text>[^|]+) \| `(?P<item>[a-z-]+/[a-z_]+)` \| (?P<exact>[^|]+) \| (?P<test>[^|]*) \|$")


def _rows():
    text = (DEFAULT_DIR / "COVERAGE.md").read_text(encoding="utf-8")
    return text, [m.groupdict() for line in text.splitlines() if (m := ROW.match(line))]


def test_every_item_and_test_named_exists():
    _text, rows = _rows()
    assert len(rows) >= 80
    tests = (Path(__file__).parent / "test_shipped.py").read_text(encoding="utf-8")
    for row in rows:
        template_id, key = row["item"].split("/")
        item = registry().latest(template_id).item(key)
        assert item is not None, row
        assert item.basis[:1] == row["basis"][:1], row  # the same part of the policy
        name = row["test"].strip().strip("`")
        assert not name or f"def {name}(" in tests, name


def test_the_totals_add_up():
    text, rows = _rows()
    exact = sum(1 for r in rows if r["exact"].startswith("是"))
    edge = sum(1 for r in rows if r["test"].strip())
    assert f"**{len(rows)} requirements, {len(rows)} covered, {exact} encoded exactly, {edge} tested at their edge or count.**" in text
