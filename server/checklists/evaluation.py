"""Evaluating answers against one template version.

Answers are ``{item_key: value}``; photos attach separately as
``{item_key: [photo uuid, ...]}``. Value types by item type:
check ``"pass"|"fail"|"na"``; number a finite number; integer a whole number;
text a string (<= 2000 chars); single one option value; multi a list of distinct
option values; date ``YYYY-MM-DD``; photo a list of photo UUIDs.
An answer to an item that does not apply to the site is kept but ignored.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.checklists import findings, rules
from server.checklists.model import SEVERITY_NAMES, Item, Template
from server.lib.errors import Invalid

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_TEXT = 2000
MAX_NOTE = 500


@dataclass(frozen=True)
class Failure:
    """A failed item that raises an issue (问题)."""

    template_id: str
    version: int
    item_key: str
    #: the requirement (the item's text)
    item_text: str
    #: what was found: the finding sentence (findings.py), the note included
    finding: str
    note: str
    area: str
    section: str
    basis: str
    severity: str
    deadline_days: int
    department: str
    photos: tuple[str, ...]


@dataclass
class Evaluation:
    applicable: dict[str, bool] = field(default_factory=dict)
    failed: dict[str, bool] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(1 for k, a in self.applicable.items() if a)


def template_applies(template: Template, site: dict[str, Any]) -> bool:
    if template.applies_when is None:
        return True
    return rules.evaluate(template.applies_when, {"site": site, "answer": {}}) is not False


def _type_error(item: Item, value: Any) -> str | None:
    t = item.type
    if t == "check":
        return None if value in ("pass", "fail", "na") else "应为 pass（符合）、fail（不符合）或 na（不适用）"
    if t in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return "应为数字"
        if t == "integer" and not (isinstance(value, int) or float(value).is_integer()):
            return "应为整数"
        if item.min is not None and value < item.min:
            return f"不能小于 {_limit(item.min, item.unit)}"
        if item.max is not None and value > item.max:
            return f"不能大于 {_limit(item.max, item.unit)}"
        return None
    if t == "text":
        return None if isinstance(value, str) and len(value) <= MAX_TEXT else f"应为不超过 {MAX_TEXT} 字的文字"
    allowed = {o.value for o in item.options}
    if t == "single":
        return None if isinstance(value, str) and value in allowed else "不是可选项之一"
    if t == "multi":
        ok = isinstance(value, list) and all(isinstance(v, str) and v in allowed for v in value) and len(set(value)) == len(value)
        return None if ok else "应为可选项的列表（不重复）"
    if t == "date":
        try:
            return None if isinstance(value, str) and DAY.match(value) and date.fromisoformat(value) else "应为 YYYY-MM-DD 日期"
        except ValueError:
            return "应为 YYYY-MM-DD 日期"
    if t == "photo":
        ok = isinstance(value, list) and all(isinstance(v, str) and UUID.match(v) for v in value)
        return None if ok else "应为照片编号（UUID）列表"
    return "未知题型"


def _limit(value: float, unit: str) -> str:
    """A limit as the phone writes it too: "3 米"."""
    return f"{value:g} {unit}" if unit else f"{value:g}"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def evaluate(
    template: Template,
    site: dict[str, Any],
    answers: dict[str, Any],
    *,
    photos: dict[str, list[str]] | None = None,
    notes: dict[str, str] | None = None,
    severities: dict[str, str] | None = None,
    strict: bool = True,
    visit_date: str | None = None,
) -> Evaluation:
    """Applicability, type errors, required answers (when ``strict``), failures. ``notes`` are the
    inspector's words per item; ``severities`` the severity chosen per item where the template allows;
    ``visit_date`` (``YYYY-MM-DD`` in Shanghai) is the day ``days_since`` counts to."""
    photos, notes, severities = photos or {}, notes or {}, severities or {}
    result = Evaluation()
    keys = {i.key for _, i in template.items()}
    for key in sorted(set(answers) - keys):
        result.errors.append({"item": key, "code": "unknown_item", "message": f"检查表中没有检查项 {key}"})
    for key in sorted(set(photos) - keys):
        result.errors.append({"item": key, "code": "unknown_item", "message": f"照片指向的检查项 {key} 不存在"})
    for key in sorted((set(notes) | set(severities)) - keys):
        result.errors.append({"item": key, "code": "unknown_item", "message": f"备注或严重程度指向的检查项 {key} 不存在"})
    for key, text in notes.items():
        if not isinstance(text, str) or len(text) > MAX_NOTE:
            result.errors.append({"item": key, "code": "wrong_type", "message": f"检查项 {key} 的备注应为不超过 {MAX_NOTE} 字的文字"})
    for key, chosen in severities.items():
        item = template.item(key)
        if item is None:
            continue
        if chosen not in SEVERITY_NAMES:
            result.errors.append({"item": key, "code": "wrong_type", "message": f"「{item.text}」的严重程度应为 minor、major 或 critical"})
        elif item.severity_fixed and chosen != item.severity:
            result.errors.append({"item": key, "code": "severity_fixed",
                                  "message": f"「{item.text}」的严重程度固定为{SEVERITY_NAMES[item.severity or 'minor']}，不能更改"})
    context: dict[str, dict[str, Any]] = {
        "site": site, "answer": {k: v for k, v in answers.items() if k in keys}, "visit": {"date": visit_date}}
    for section, item in template.items():
        applies = item.applies_when is None or rules.evaluate(item.applies_when, context) is not False
        result.applicable[item.key] = applies
        value = answers.get(item.key)
        if not applies:
            result.failed[item.key] = False
            continue
        if _empty(value):
            if strict and item.required:
                result.errors.append({"item": item.key, "code": "required", "message": f"「{item.text}」必须填写"})
            result.failed[item.key] = False
            continue
        problem = _type_error(item, value)
        if not problem and item.at_most:
            limit = context["answer"].get(item.at_most)
            if isinstance(limit, (int, float)) and not isinstance(limit, bool) and isinstance(value, (int, float)) and value > limit:
                other = template.item(item.at_most)
                problem = f"不能大于「{other.text if other else item.at_most}」（{findings.number(limit)}）"
        if problem:
            result.errors.append({"item": item.key, "code": "wrong_type", "message": f"「{item.text}」{problem}"})
            result.failed[item.key] = False
            continue
        failed = value == "fail" if item.type == "check" else False
        if item.require_all and isinstance(value, list) and set(value) != {o.value for o in item.options}:
            failed = True
        if item.fails_when is not None and rules.evaluate(item.fails_when, context) is True:
            failed = True
        result.failed[item.key] = failed
        item_photos = tuple(photos.get(item.key, ()))
        if value == "na" and item.na_reason and strict:
            reason = notes.get(item.key, "")
            if not isinstance(reason, str) or not reason.strip():
                result.errors.append({"item": item.key, "code": "na_reason_required",
                                      "message": f"「{item.text}」选“不适用”须写明理由"})
            if item.na_photo and not item_photos:
                result.errors.append({"item": item.key, "code": "na_photo_required",
                                      "message": f"「{item.text}」选“不适用”须拍照说明"})
        if failed and strict and item.photo_on_fail and not item_photos:
            result.errors.append({"item": item.key, "code": "photo_required", "message": f"「{item.text}」不符合时须拍照取证"})
        if failed and item.raises_issue:
            note = notes.get(item.key, "") if isinstance(notes.get(item.key, ""), str) else ""
            picked = severities.get(item.key)
            result.failures.append(Failure(
                template_id=template.id, version=template.version, item_key=item.key, item_text=item.text,
                finding=findings.finding(template, item, context, note), note=note.strip(),
                area=template.area, section=section.title, basis=item.basis,
                severity=picked if picked in SEVERITY_NAMES else (item.severity or "minor"),
                deadline_days=30 if item.deadline_days is None else item.deadline_days, department=item.department, photos=item_photos,
            ))
    return result


def summary(errors: list[dict[str, str]]) -> str:
    """One message naming every problem (the first five, then how many more): what a person reads
    where the list in ``detail`` is not shown."""
    shown = "；".join(e["message"] for e in errors[:5])
    more = f"；另有 {len(errors) - 5} 处" if len(errors) > 5 else ""
    return f"答案有 {len(errors)} 处问题：{shown}{more}" if len(errors) > 1 else f"答案有误：{shown}"


def validate_or_raise(evaluation: Evaluation) -> None:
    if evaluation.errors:
        raise Invalid("answers_invalid", summary(evaluation.errors), detail=evaluation.errors)


__all__ = ["SEVERITY_NAMES", "Evaluation", "Failure", "evaluate", "template_applies", "validate_or_raise"]
