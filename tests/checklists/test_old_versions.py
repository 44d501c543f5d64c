"""Old template versions judge old visits exactly as before: every item of every version that shipped
before checklists v2, over several sites and sets of answers, gives the applicability, failures,
finding sentences, deadlines and errors recorded in ``old_versions.json`` (made by the code of that
time, commit 32c70e0). Regenerate only for a deliberate change: ``python -m tests.checklists.test_old_versions``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server.checklists.evaluation import evaluate
from server.checklists.loader import registry

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


GOLDEN = Path(__file__).with_name("old_versions.json")
OLD = [("education-medical", 1), ("facilities-services", 1), ("fire-safety", 1), ("fire-safety", 2),
       ("governance-integration", 1), ("industry-employment", 1), ("monitoring", 1), ("quality-safety", 1)]
SITES = [
    {"registered_people": 650, "other_people": 30, "households": 160, "building_count": 12, "has_workshop": True,
     "has_first_secretary": False, "has_greenhouses": False, "has_lift": True, "has_piped_gas": True, "total_people": 680,
     "county": "盐湖区"},
    {"registered_people": 800, "other_people": 0, "households": 801, "building_count": 40, "has_workshop": False,
     "has_first_secretary": True, "has_greenhouses": True, "has_lift": False, "has_piped_gas": False, "total_people": 800,
     "county": "临猗县"},
    {"registered_people": 99, "other_people": 0, "households": 20, "building_count": 2, "has_workshop": False,
     "has_first_secretary": False, "has_greenhouses": False, "has_lift": False, "has_piped_gas": False, "total_people": 99,
     "county": "夏县"},
]


def _answer(item, n: int):
    if item.type == "check":
        return ["fail", "pass", "na", "fail"][n]
    if item.type in ("integer", "number"):
        return [0, 3, 17, 100][n]
    if item.type == "single":
        return item.options[n % len(item.options)].value
    if item.type == "multi":
        return [o.value for o in item.options[: n % 3]]
    if item.type == "text":
        return ["", "楼道堆放杂物", "", "x"][n]
    if item.type == "date":
        return ["2026-01-01", "2020-05-05", "", "2026-12-01"][n]
    return None


def snapshot() -> dict:
    out = {}
    reg = registry()
    for template_id, version in OLD:
        template = reg.get(template_id, version)
        for s, site in enumerate(SITES):
            for n in range(4):
                answers = {i.key: v for _, i in template.items() if (v := _answer(i, n)) not in (None, "")}
                notes = {k: "现场：3号楼" for k in list(answers)[:2]} if n == 1 else {}
                ev = evaluate(template, site, answers, notes=notes, strict=n == 3)
                out[f"{template_id}.v{version}/site{s}/answers{n}"] = {
                    "applicable": ev.applicable, "failed": ev.failed,
                    "errors": sorted(f"{e['item']}:{e['code']}" for e in ev.errors),
                    "failures": [[f.item_key, f.finding, f.severity, f.deadline_days, f.department, f.basis] for f in ev.failures],
                }
    return out


def test_old_versions_evaluate_as_they_did():
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = json.loads(json.dumps(snapshot(), ensure_ascii=False))
    assert now.keys() == golden.keys()
    changed = [k for k in golden if now[k] != golden[k]]
    assert not changed, changed[:5]


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(snapshot(), ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
