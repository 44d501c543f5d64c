"""Items that depend on other answers, and dates, judged alike on the server and on the phone: each
vector in ``server/checklists/assess_vectors.json`` names a shipped template version, a site, answers
and the visit day; the server's ``evaluate`` and the phone's ``assess`` (pwa/src/rules.js) must both
give the expected applicability and failures."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import msgspec
import pytest

from server.checklists.evaluation import evaluate
from server.checklists.loader import registry

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "server/checklists/assess_vectors.json").read_text(encoding="utf-8"))["cases"]
NODE = """
import { assess } from "./pwa/src/rules.js";
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([tpl, site, answers, day]) => assess(tpl, site, answers, day));
  process.stdout.write(JSON.stringify(out));
});
"""


def _expected(result_applicable, result_failed, case):
    got = {"applicable": {k: result_applicable[k] for k in case["expected"]["applicable"]},
           "failed": {k: result_failed[k] for k in case["expected"]["failed"]}}
    return got == case["expected"], got


def test_there_are_vectors_for_answers_and_dates():
    assert len(VECTORS) >= 25
    assert any("answer." in json.dumps(registry().get(c["template"], c["version"]).item(k).applies_when)
               for c in VECTORS for k in c["expected"]["applicable"] if registry().get(c["template"], c["version"]).item(k).applies_when)


@pytest.mark.parametrize("case", VECTORS, ids=[c["name"] for c in VECTORS])
def test_the_server_agrees(case):
    ev = evaluate(registry().get(case["template"], case["version"]), case["site"], case["answers"], strict=False,
                  visit_date=case["visit_date"])
    ok, got = _expected(ev.applicable, ev.failed, case)
    assert ok, got


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_phone_agrees():
    payload = [[msgspec.to_builtins(registry().get(c["template"], c["version"])), c["site"], c["answers"], c["visit_date"]]
               for c in VECTORS]
    run = subprocess.run(["node", "--input-type=module", "-e", NODE], input=json.dumps(payload, ensure_ascii=False),
                         capture_output=True, text=True, cwd=ROOT, check=True)
    wrong = []
    for case, result in zip(VECTORS, json.loads(run.stdout)):
        ok, got = _expected(result["applicable"], result["failed"], case)
        if not ok:
            wrong.append((case["name"], got))
    assert not wrong, wrong
