"""Finding sentences (问题描述): what was found, not the requirement it failed.

An item may carry a ``finding`` pattern with placeholders, e.g.
``搬迁劳动力岗位占比{share:%}（{answer.workshop_jobs_relocated}/{answer.workshop_jobs}），低于50%``, where
a name is ``answer.<key>``, ``site.<attribute>`` or one of the item's ``finding_values`` (rules, such
as ``{"/": [...]}``); ``:%`` shows a ratio as a percentage. Without a pattern the sentence is made
from the item and the answer: a check item "不符合：<requirement>"; a number that fails a comparison
says its value, what it was compared with and the gap ("本年度组织消防演练次数 0 次，少于 1 次（差 1 次）").
The inspector's note follows ("现场：3号楼2单元楼道堆放杂物").
"""

from __future__ import annotations

import re
from typing import Any

from server.checklists import rules
from server.checklists.model import Item, Template

PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)(:%)?\}")
FAILS_AS = {"<": "少于", "<=": "不超过", ">": "多于", ">=": "不少于", "==": "等于", "!=": "不等于"}
SITE_NAMES = {"registered_people": "登记搬迁人口", "total_people": "安置总人口", "households": "户数",
              "building_count": "楼栋数", "other_people": "其他安置人口"}


def number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if not value.is_integer() else str(int(value))
    return str(value)


def percent(value: Any) -> str:
    return f"{value * 100:.0f}%" if isinstance(value, (int, float)) else "—"


def finding(template: Template, item: Item, context: dict[str, Any], note: str = "") -> str:
    """The sentence for a failed item; ``context`` is the rule context (``site``, ``answer``)."""
    if item.finding:
        values = {name: rules.evaluate(rule, context) for name, rule in item.finding_values.items()}
        sentence = PLACEHOLDER.sub(lambda m: _placeholder(m, template, context, values), item.finding)
    else:
        sentence = _generic(template, item, context)
    note = note.strip()
    return f"{sentence}。现场：{note}" if note else sentence


def _placeholder(m: re.Match, template: Template, context: dict[str, Any], values: dict[str, Any]) -> str:
    """A value in the sentence; a single-choice answer shows its label."""
    name, as_percent = m.group(1), m.group(2)
    value = values[name] if name in values else _lookup(name, context)
    if value is None:
        return "（未填）"
    chosen = template.item(name[7:]) if name not in values and name.startswith("answer.") else None
    if chosen is not None and chosen.type == "single":
        label = next((o.label for o in chosen.options if o.value == value), None)
        if label is not None:
            return label
    return percent(value) if as_percent else number(value)


def _lookup(name: str, context: dict[str, Any]) -> Any:
    scope, _, key = name.partition(".")
    return (context.get(scope) or {}).get(key)


def _generic(template: Template, item: Item, context: dict[str, Any]) -> str:
    value = context["answer"].get(item.key)
    if item.type == "check":
        return f"不符合：{item.text}"
    if item.type in ("number", "integer") and isinstance(item.fails_when, dict) and len(item.fails_when) == 1:
        (op, args), = item.fails_when.items()
        if op in FAILS_AS and isinstance(args, list) and len(args) == 2:
            described = _comparison(template, op, args, context)
            if described:
                return described
    if item.type == "single":
        label = next((o.label for o in item.options if o.value == value), value)
        return f"不符合：{item.text}（所填：{label}）"
    if item.type == "multi" and item.require_all:
        missing = [o.label for o in item.options if o.value not in (value or [])]
        if missing:
            return f"{item.text}缺少{'、'.join(missing)}（{len(item.options)}项中已有{len(item.options) - len(missing)}项）"
    if item.type == "multi":
        labels = [o.label for o in item.options if o.value in (value or [])]
        return f"不符合：{item.text}（所选：{'、'.join(labels) or '无'}）"
    if item.type in ("number", "integer"):
        return f"不符合：{item.text}（所填：{number(value)}{item.unit}）"
    return f"不符合：{item.text}"


def _operand(template: Template, arg: Any, context: dict[str, Any]) -> tuple[str, Any, str] | None:
    """(words, value, unit) of one side of a comparison."""
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return "", arg, ""
    if isinstance(arg, dict) and "var" in arg:
        name = arg["var"]
        scope, _, key = name.partition(".")
        value = _lookup(name, context)
        if scope == "answer":
            other = template.item(key)
            return (other.text if other else key), value, (other.unit if other else "")
        return SITE_NAMES.get(key, key), value, "人" if key.endswith("people") else ""
    if isinstance(arg, dict) and "/" in arg and len(arg["/"]) == 2:
        top, bottom = (_operand(template, a, context) for a in arg["/"])
        if top and bottom and top[0] and bottom[0]:
            ratio = rules.evaluate(arg, context)
            return f"{top[0]}占{bottom[0]}的比例（{number(top[1])}/{number(bottom[1])}）", ratio, "ratio"
    return None


def _comparison(template: Template, op: str, args: list, context: dict[str, Any]) -> str | None:
    left, right = (_operand(template, a, context) for a in args)
    if left is None or right is None or left[1] is None or right[1] is None:
        return None
    (words, value, unit), (other_words, other, other_unit) = left, right
    if unit == "ratio":
        shown = f"{words}为{percent(value)}，{'低于' if op in ('<', '<=') else FAILS_AS[op]}{percent(other)}"
        return shown
    shown = f"{words} {number(value)} {unit}".rstrip() if words else number(value)
    target = f"{other_words} {number(other)} {other_unit or unit}".rstrip() if other_words else f"{number(other)} {unit}".rstrip()
    sentence = f"{shown}，{FAILS_AS[op]}{target}"
    if op in ("<", "<=", ">", ">=") and isinstance(value, (int, float)) and isinstance(other, (int, float)):
        gap = abs(other - value)
        if gap:
            sentence += f"（差 {number(gap)} {unit or other_unit}）".replace(" ）", "）")
    return sentence
