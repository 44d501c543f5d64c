"""Answers that pass every rule of a template at a site on a day: the demo's visits start from them
(then fail a few items on purpose), and so do the tests that need a clean visit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from server.checklists.evaluation import evaluate
from server.checklists.model import Item, Template


def _value(item: Item, n: int, day: date) -> Any:
    """The n-th plausible answer to an item (the demo looks for one that passes)."""
    if item.type == "check":
        return "pass"
    if item.type in ("number", "integer"):
        choices = [12, 1, 0, 3, 100, 10_000, 1.2, 0.95]
        value = choices[n % len(choices)] if item.type == "number" else int(choices[n % len(choices)] // 1)
        low = item.min if item.min is not None else value
        high = item.max if item.max is not None else value
        return min(max(value, low), high)
    if item.type == "date":
        return (day - timedelta(days=[40, 400, 5][n % 3])).isoformat()
    if item.type == "single":
        return item.options[n % len(item.options)].value
    if item.type == "multi":
        return [o.value for o in item.options if o.value != "none"]
    if item.type == "text":
        return "现场查看，情况正常"
    return []  # photo: the caller names real photos


def passing_answers(template: Template, site: dict[str, Any], day: date, fixed: dict[str, Any] | None = None) -> dict[str, Any]:
    """An answer to every item that applies, none of which fails but the ``fixed`` ones (kept as given):
    plausible values first, then others until the rules are quiet (an item no value can pass keeps its
    last, failing, answer)."""
    fixed = fixed or {}
    answers: dict[str, Any] = {item.key: _value(item, 0, day) for _, item in template.items()} | fixed
    for attempt in range(1, 8):
        ev = evaluate(template, site, answers, strict=False, visit_date=day.isoformat())
        noisy = [item for _, item in template.items() if ev.failed[item.key] and item.key not in fixed]
        if not noisy:
            break
        for item in noisy:
            answers[item.key] = _value(item, attempt, day)
    ev = evaluate(template, site, answers, strict=False, visit_date=day.isoformat())
    return {k: v for k, v in answers.items() if ev.applicable[k] and v is not None}
