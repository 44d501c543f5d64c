"""The phone's finding sentences (pwa/src/findings.js) say what the server's will
(server/checklists/findings.py): both run over every item of every shipped template with several
sets of answers, and over finding patterns that substitute answers and site values; the two
sentences must be equal, character for character."""

from __future__ import annotations

import shutil

import msgspec
import pytest

from server.checklists.findings import finding
from server.checklists.loader import load_templates
from server.checklists.model import Template
from tests.checklists import node

#: every test here sets the clock it reads (tests/clock_rule.py): not rerun at the awkward instants
pytestmark = pytest.mark.own_clock


NODE = """
import { finding } from "./pwa/src/findings.js";
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([tpl, key, context, note]) => {
    const item = tpl.sections.flatMap((s) => s.items).find((i) => i.key === key);
    return finding(tpl, item, context, note);
  });
  process.stdout.write(JSON.stringify(out));
});
"""
SITES = [
    {"registered_people": 650, "other_people": 30, "households": 160, "building_count": 12, "has_workshop": True,
     "has_first_secretary": False, "has_greenhouses": False, "has_lift": True, "has_piped_gas": True, "total_people": 680,
     "county": "盐湖区"},
    {"registered_people": 3210, "other_people": 0, "households": 801, "building_count": 40, "has_workshop": False,
     "has_first_secretary": True, "has_greenhouses": True, "has_lift": False, "has_piped_gas": False, "total_people": 3210,
     "county": "临猗县"},
]


def _answer(item, n: int):
    """A value of the item's type; ``n`` picks which (0 fails, others vary the numbers)."""
    if item.type == "check":
        return "fail"
    if item.type == "integer":
        return [0, 3, 17, 1][n]
    if item.type == "number":
        return [0, 2.5, 0.125, 12.345678][n]
    if item.type == "single":
        return item.options[n % len(item.options)].value if item.options else None
    if item.type == "multi":
        return [o.value for o in item.options[: n % 3]]
    if item.type == "text":
        return "楼道堆放杂物"
    if item.type == "date":
        return ["2015-03-01", "2026-01-31", "2024-02-29", "2026-11-30"][n]
    return None


def _cases(templates: list[Template]):
    for tpl in templates:
        items = [i for _, i in tpl.items()]
        for n in range(4):
            answers = {i.key: v for i in items if (v := _answer(i, n)) is not None}
            site = SITES[n % 2]
            for item in items:
                visit = {"date": ["2027-01-01", "2026-12-01", None, "2026-12-31"][n]}
                yield tpl, item, {"site": site, "answer": answers, "visit": visit}, "3号楼2单元" if n == 1 else ""


def _patterns() -> Template:
    """Items with finding patterns and ratios, as a template may carry them."""
    common = {"required": True, "raises_issue": True, "department": "乡村振兴"}
    raw = {
        "id": "parity", "version": 1, "title": "模式", "area": "测试", "lead_department": "市乡村振兴局",
        "sections": [{"key": "s1", "title": "一", "items": [
            {"key": "jobs", "text": "车间岗位数", "type": "integer", "unit": "个"},
            {"key": "relocated", "text": "搬迁劳动力岗位数", "type": "integer", "unit": "个",
             "fails_when": {"<": [{"/": [{"var": "answer.relocated"}, {"var": "answer.jobs"}]}, 0.5]}},
            {"key": "share", "text": "岗位占比", "type": "integer",
             "finding": "搬迁劳动力岗位占比{share:%}（{answer.relocated}/{answer.jobs}），低于50%；{site.households}户{missing}",
             "finding_values": {"share": {"/": [{"var": "answer.relocated"}, {"var": "answer.jobs"}]}}},
            {"key": "people_ratio", "text": "人数", "type": "number", "unit": "人",
             "fails_when": {">=": [{"var": "answer.people_ratio"}, {"var": "site.total_people"}]}},
            {"key": "drills", "text": "本年度组织消防演练次数", "type": "integer", "unit": "次",
             "fails_when": {"<": [{"var": "answer.drills"}, 2]}},
        ]}],
    }
    for item in raw["sections"][0]["items"]:
        item.update(common)
    return msgspec.convert(raw, Template)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_phone_and_the_server_write_the_same_finding_sentences():
    templates = list(load_templates().templates.values()) + [_patterns()]
    cases = list(_cases(templates))
    for relocated, jobs in ((7, 16), (1, 3), (0, 0), (5, 8)):
        cases.append((templates[-1], templates[-1].item("share"),
                      {"site": SITES[0], "answer": {"relocated": relocated, "jobs": jobs, "share": 1}}, ""))
        cases.append((templates[-1], templates[-1].item("relocated"),
                      {"site": SITES[1], "answer": {"relocated": relocated, "jobs": jobs}}, "见花名册"))
    server = [finding(tpl, item, ctx, note) for tpl, item, ctx, note in cases]
    phone = node.run(NODE, [[msgspec.to_builtins(tpl), item.key, ctx, note] for tpl, item, ctx, note in cases])
    differ = [(s, p) for s, p in zip(server, phone) if s != p]
    assert len(phone) == len(server) > 400 and not differ, differ[:5]
    assert any("（差 " in s for s in server) and any("占" in s for s in server) and any("现场：" in s for s in server)
    assert any("距检查已" in s for s in server) and any("缺少" in s for s in server)  # dates and lists
    assert any("控制器现场状态：有故障" in s for s in server)  # a single choice shows its label
