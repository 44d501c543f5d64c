"""The rule language: a small JSON-logic subset with three-valued logic.

A rule is data: ``{"<": [{"var": "site.registered_people"}, 800]}``. No eval.
Values: numbers, strings, booleans, lists, and ``None`` meaning *unknown* (an
unanswered item, a division by zero). Unknown spreads: a comparison or arithmetic
with an unknown operand is unknown; ``and`` is false if any operand is false, else
unknown if any is unknown; ``or`` is true if any is true, else unknown if any is;
``!`` of unknown is unknown. ``answered`` is never unknown.
``days_since`` counts the days from a date answer (``YYYY-MM-DD``) to the visit's day
(``visit.date`` in the context, the Shanghai date the inspector arrived); unknown when either is
missing, so a rule never depends on the day it is evaluated.
An unknown ``applies_when`` counts as applicable; an unknown ``fails_when`` does not fail.
The PWA implements the same semantics; ``rule_vectors.json`` keeps the two in agreement.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

SITE_ATTRIBUTES = frozenset({
    "registered_people", "other_people", "total_people", "households", "building_count",
    "has_workshop", "has_first_secretary", "has_greenhouses", "has_lift", "has_piped_gas", "county",
})

COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
ARITH = {"+", "-", "*", "/"}
LOGIC = {"and", "or", "!"}
OPERATORS = frozenset(COMPARE) | ARITH | LOGIC | {"var", "in", "answered", "days_since"}


class RuleError(ValueError):
    """A rule that is not well formed; the message says what is wrong."""


def references(rule: Any) -> list[str]:
    """Every variable a rule reads (``site.x``, ``answer.y``)."""
    found: list[str] = []
    if isinstance(rule, dict):
        for op, args in rule.items():
            if op in ("var", "answered", "days_since"):
                found.append(args)
            else:
                found.extend(references(args))
    elif isinstance(rule, list):
        for arg in rule:
            found.extend(references(arg))
    return found


def check(rule: Any, item_keys: set[str]) -> None:
    """Raise RuleError for an unknown operator, wrong arity, or an unknown variable."""
    if isinstance(rule, list):
        for arg in rule:
            check(arg, item_keys)
        return
    if not isinstance(rule, dict):
        if isinstance(rule, float) and not math.isfinite(rule):
            raise RuleError("规则中的数字无效")
        return
    if len(rule) != 1:
        raise RuleError(f"每个规则节点只能有一个运算符，现有: {sorted(rule)}")
    op, args = next(iter(rule.items()))
    if op not in OPERATORS:
        raise RuleError(f"未知运算符 {op!r}（可用: {', '.join(sorted(OPERATORS))}）")
    if op in ("var", "answered", "days_since"):
        if not isinstance(args, str):
            raise RuleError(f"{op} 需要一个变量名字符串")
        scope, _, name = args.partition(".")
        if scope == "site" and name in SITE_ATTRIBUTES:
            return
        if scope == "answer" and name in item_keys:
            return
        raise RuleError(f"规则引用了未知的变量 {args!r}")
    arity = {"!": (1, 1), "in": (2, 2), "-": (1, 2), "/": (2, 2)}.get(op, (2, 2) if op in COMPARE else (2, 99))
    if op == "!" and not isinstance(args, list):
        args = [args]
    if not isinstance(args, list) or not arity[0] <= len(args) <= arity[1]:
        raise RuleError(f"运算符 {op!r} 的参数个数不对")
    for arg in args:
        check(arg, item_keys)


def evaluate(rule: Any, context: dict[str, dict[str, Any]]) -> Any:
    """Evaluate ``rule`` against ``{"site": {...}, "answer": {...}}``; None is unknown."""
    if isinstance(rule, list):
        return [evaluate(r, context) for r in rule]
    if not isinstance(rule, dict):
        return rule
    op, args = next(iter(rule.items()))
    if op == "var":
        scope, _, name = args.partition(".")
        return context.get(scope, {}).get(name)
    if op == "answered":
        scope, _, name = args.partition(".")
        value = context.get(scope, {}).get(name)
        return value is not None and value != "" and value != []
    if op == "days_since":
        scope, _, name = args.partition(".")
        return _days_between(context.get(scope, {}).get(name), context.get("visit", {}).get("date"))
    if op == "!":
        value = evaluate(args[0] if isinstance(args, list) else args, context)
        return None if value is None else not _truthy(value)
    values = [evaluate(a, context) for a in args]
    if op == "and":
        truth = [None if v is None else _truthy(v) for v in values]
        return False if False in truth else (None if None in truth else True)
    if op == "or":
        truth = [None if v is None else _truthy(v) for v in values]
        return True if True in truth else (None if None in truth else False)
    if op == "in":
        needle, haystack = values
        if needle is None or haystack is None:
            return None
        return needle in haystack if isinstance(haystack, (list, str)) else False
    if any(v is None for v in values):
        return None
    if op in COMPARE:
        try:
            return COMPARE[op](values[0], values[1])
        except TypeError:
            return None
    return _arith(op, values)


def _arith(op: str, values: list[Any]) -> Any:
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return None
    if op == "+":
        return sum(values)
    if op == "*":
        result = 1
        for v in values:
            result *= v
        return result
    if op == "-":
        return -values[0] if len(values) == 1 else values[0] - values[1]
    if values[1] == 0:  # "/"
        return None
    return values[0] / values[1]


def _day(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` string from 1900 on as a date (the phone's evaluator reads the same)."""
    if not isinstance(value, str) or not DAY.match(value) or value < "1900":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _days_between(start: Any, end: Any) -> int | None:
    first, last = _day(start), _day(end)
    return None if first is None or last is None else (last - first).days


def _truthy(value: Any) -> bool:
    return bool(value) and value != []
