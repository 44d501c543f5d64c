"""The README names every setting and every `ducha` command (as Datasette's docs tests do)."""

from pathlib import Path

import pytest

from server.cli import build_parser
from server.settings import describe

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_in_the_readme():
    missing = [name for name, _, _ in describe() if f"`{name}`" not in README]
    assert missing == []


def test_every_setting_has_a_description():
    assert all(doc for _, _, doc in describe())


def test_every_command_is_in_the_readme():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    missing = [name for name in sub.choices if f"`ducha {name}" not in README]
    assert missing == []
