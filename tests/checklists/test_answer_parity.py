"""One set of answer rules: what the phone refuses before submit (pwa/src/answers.js) is exactly what the
server refuses (server/checklists/evaluation.py). Both run over generated answers for every item of
every shipped template (inside, at and outside every minimum and maximum, wrong types, missing,
impossible dates, unknown options, over-long text, 不适用 without its reason or photo, failed items
without their photo, bad severities and notes, unknown items) and must list the same problems, with
the same codes and the same Chinese messages, in the same order."""

from __future__ import annotations

import json
import random
import shutil

import msgspec
import pytest

from server.checklists.evaluation import MAX_NOTE, MAX_TEXT, evaluate
from server.checklists.loader import load_templates
from server.checklists.model import Item, Template
from tests.checklists import node
from tests.checklists.test_finding_parity import SITES

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock

NODE = """
import { answerErrors } from "./pwa/src/answers.js";
process.stdin.on("end", () => {
  const { templates, cases } = JSON.parse(input);
  const out = cases.map(([tid, site, answers, photos, notes, severities, strict, visitDate]) =>
    answerErrors(templates[tid], site, answers, { photos, notes, severities, strict, visitDate }));
  process.stdout.write(JSON.stringify(out));
});
"""
PHOTO = "0b7e2f4c-9a1d-4e2b-8c3f-5d6a7b8c9d0e"
WRONG = ["3", True, False, {"a": 1}, [1], 3.5, -1, "", [], "pass ", "PASS", "2026-1-1", ["x", "x"]]


def _edges(item: Item) -> list:
    """Values of the item's type at and around its edges, and values of other types."""
    t = item.type
    if t == "check":
        return ["pass", "fail", "na", *WRONG]
    if t in ("number", "integer"):
        out = [0, 1, 2.5, -3, 10**6, 0.1 + 0.2]
        for edge in (item.min, item.max):
            if edge is not None:
                out += [edge, edge - 1, edge + 1, edge - 0.5, edge + 0.5, edge + 1e-9]
        return out + WRONG
    if t == "text":
        return ["楼道堆放杂物", "x" * MAX_TEXT, "x" * (MAX_TEXT + 1), "🙂" * MAX_TEXT, "🙂" * (MAX_TEXT + 1), 12, ["a"]]
    if t == "single":
        values = [o.value for o in item.options]
        return [*values[:3], "不存在的选项", values[:1], 1, None]
    if t == "multi":
        values = [o.value for o in item.options]
        return [values, values[:1], values[1:], values[:1] * 2, ["不存在的选项"], values[0], [1]]
    if t == "date":
        return ["2026-11-30", "2024-02-29", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "0000-01-01",
                "2026-W01-1", "20260101", "2026-1-01", "2026-01-01T00:00", "２０２６-01-01", 20260101]
    if t == "photo":
        return [[PHOTO], [PHOTO.upper()], ["not-a-uuid"], PHOTO, [1]]
    return WRONG


def _cases(templates: dict[str, Template], rng: random.Random):
    for tid, tpl in templates.items():
        items = [i for _, i in tpl.items()]
        width = max(len(_edges(i)) for i in items)
        for n in range(width):
            # answer n: every item its n-th edge value (a wrong type, a limit, ...) or, past its list, nothing
            answers = {i.key: e[n] for i in items if n < len(e := _edges(i)) and e[n] is not None}
            if n % 4 == 1:  # some left unanswered, so required items and applicability show
                answers = {k: v for k, v in answers.items() if rng.random() < 0.6}
            photos = {i.key: [PHOTO] for i in items if rng.random() < 0.4}
            notes = {i.key: rng.choice(["", "  ", "门口无灭火器", "x" * (MAX_NOTE + 1)]) for i in items if rng.random() < 0.3}
            severities = {i.key: rng.choice(["minor", "major", "critical", "grave"]) for i in items
                          if rng.random() < (0.5 if i.severity_fixed else 0.1)}
            if n % 5 == 2:
                answers["no_such_item"], photos["no_such_photo_item"], notes["no_such_note_item"] = "pass", [PHOTO], "x"
            site = SITES[n % 2]
            for strict in (True, False):
                yield tid, site, answers, photos, notes, severities, strict, ["2026-12-07", None][n % 2]


def _extra() -> Template:
    """What no shipped version holds yet but a published one may: a fixed severity, a count bounded by
    another, a date, a photo item, an integer with both limits and a unit."""
    common = {"required": True, "raises_issue": True, "department": "住建"}
    raw = {"id": "parity", "version": 1, "title": "对照", "area": "质量安全", "lead_department": "市住建局", "sections": [
        {"key": "s", "title": "一", "items": [
            {"key": "fixed", "text": "主体结构无开裂", "type": "check", "severity": "critical", "severity_fixed": True,
             "photo_on_fail": True},
            {"key": "sampled", "text": "抽查户数", "type": "integer", "unit": "户", "min": 1, "max": 50},
            {"key": "bad", "text": "不合格户数", "type": "integer", "unit": "户", "at_most": "sampled", "min": 0},
            {"key": "height", "text": "栏杆高度", "type": "number", "unit": "米", "min": 0.5, "max": 3,
             "fails_when": {"<": [{"var": "answer.height"}, 1.05]}},
            {"key": "drill", "text": "最近一次演练日期", "type": "date", "fails_when": {">": [{"days_since": "answer.drill"}, 180]}},
            {"key": "shots", "text": "现场照片", "type": "photo", "required": False},
        ]}]}
    for item in raw["sections"][0]["items"]:
        item.update({**common, **{k: v for k, v in item.items() if k == "required"}})
    return msgspec.convert(raw, Template)


def _python(templates: dict[str, Template], case) -> list[dict[str, str]]:
    tid, site, answers, photos, notes, severities, strict, visit_date = case
    return evaluate(templates[tid], site, answers, photos=photos, notes=notes, severities=severities, strict=strict,
                    visit_date=visit_date).errors


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_phone_refuses_exactly_what_the_server_refuses():
    templates = {f"{t.id}@{t.version}": t for t in [*load_templates().templates.values(), _extra()]}
    cases = json.loads(json.dumps(list(_cases(templates, random.Random(32))), ensure_ascii=False))  # as the wire carries them
    server = [_python(templates, c) for c in cases]
    phone = node.run(NODE, {"templates": {k: msgspec.to_builtins(t) for k, t in templates.items()}, "cases": cases})
    differ = [(c[0], s, p) for c, s, p in zip(cases, server, phone) if s != p]
    assert len(phone) == len(server) > 200 and not differ, differ[:3]
    codes = {e["code"] for errors in server for e in errors}
    assert codes >= {"required", "wrong_type", "unknown_item", "photo_required", "na_reason_required", "severity_fixed"}, codes
    messages = [e["message"] for errors in server for e in errors]
    assert any("不能大于" in m for m in messages) and any("不能小于" in m for m in messages)
    assert any("应为 YYYY-MM-DD 日期" in m for m in messages) and any("应为整数" in m for m in messages)
    assert any(" 米" in m and "不能大于" in m for m in messages), "a limit carries its unit"
    assert sum(not errors for errors in server) > 0, "some answer sets pass"


def test_a_limit_is_refused_with_its_unit_and_every_problem_is_named():
    """The 422 a refused visit gets names each problem, not the first of them."""
    from server.checklists.evaluation import summary

    tpl = next(t for t in load_templates().templates.values() for _, i in t.items() if i.max is not None and i.unit)
    item = next(i for _, i in tpl.items() if i.max is not None and i.unit)
    errors = evaluate(tpl, SITES[0], {item.key: item.max + 2}, strict=True, visit_date="2026-12-07").errors
    mine = [e for e in errors if e["item"] == item.key]
    assert mine == [{"item": item.key, "code": "wrong_type", "message": f"「{item.text}」不能大于 {item.max:g} {item.unit}"}]
    text = summary(errors)
    assert text.startswith(f"答案有 {len(errors)} 处问题：") and mine[0]["message"] in text
