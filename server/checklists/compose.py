"""A new template version made from form edits at the desk, so that a policy revision needs no YAML:
the current version's source with items' wording, basis, severity, deadline, department and flags
changed, items added or removed, written out as the next version's YAML. Nothing here checks the
result: the desk runs it through the same checker as a file (``loader.check_source``)."""

from __future__ import annotations

from typing import Any

import yaml

from server.checklists.schemas import DraftEdits
from server.lib.errors import Invalid

#: what a form may set on an item, and the fields a new item starts with
EDITABLE = ("text", "help", "basis", "severity", "deadline_days", "required", "raises_issue", "department", "unit")


def _fresh(value: Any) -> Any:
    """A copy with nothing shared: YAML aliases (*a) load as one object in many places, and an
    edit of one item must not change another."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    return value


def _set(item: dict[str, Any], field: str, value: Any, lead: str) -> None:
    item[field] = lead if field == "department" and value == "" else value  # "": the template's lead department


def compose(source: str, new_version: int, edits: DraftEdits) -> str:
    """The YAML of ``new_version``: ``source`` (the version it starts from) with ``edits`` applied.
    Raises Invalid naming an item or section the source does not have, or a key already taken."""
    raw = _fresh(yaml.safe_load(source))
    sections = {s["key"]: s for s in raw["sections"]}
    items = {i["key"]: i for s in raw["sections"] for i in s["items"]}
    unknown = sorted((set(edits.items) | set(edits.remove)) - set(items))
    if unknown:
        raise Invalid("unknown_item", f"第 {raw['version']} 版没有这些检查项：{'、'.join(unknown)}")
    for key, change in edits.items.items():
        for field in EDITABLE:
            if getattr(change, field) is not None:
                _set(items[key], field, getattr(change, field), raw["lead_department"])
    removed = set(edits.remove)
    for section in raw["sections"]:
        section["items"] = [i for i in section["items"] if i["key"] not in removed]
    for new in edits.add:
        if new.section not in sections:
            raise Invalid("unknown_section", f"第 {raw['version']} 版没有部分「{new.section}」")
        if new.key in items or any(a is not new and a.key == new.key for a in edits.add):
            raise Invalid("duplicate_item", f"检查项编号 {new.key} 已被使用，请换一个")
        item: dict[str, Any] = {"key": new.key, "text": new.text, "help": new.help, "type": new.type, "required": new.required,
                                "basis": new.basis, "raises_issue": new.raises_issue and new.type == "check"}
        if item["raises_issue"]:  # only a check item fails by itself; a number needs a rule, written in YAML
            item.update(severity=new.severity, deadline_days=new.deadline_days, photo_on_fail=new.type == "check")
        item["department"] = new.department or raw["lead_department"]
        if new.unit:
            item["unit"] = new.unit
        sections[new.section]["items"].append(item)
    raw["sections"] = [s for s in raw["sections"] if s["items"]]
    raw["version"] = new_version
    if edits.template_note is not None:
        raw["note"] = edits.template_note
    head = (f"# 检查表模板（运易组办〔2021〕1号）第 {new_version} 版：在办公页面由第 {edits.base_version} 版修订生成。"
            "已发布的版本不能修改，另建新版本。\n")
    return head + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=1000)
