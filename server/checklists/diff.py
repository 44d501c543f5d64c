"""What changed between two versions of a template, item by item (by key): added, removed, and
changed with each field's before and after. Plain functions; the desk shows the result."""

from __future__ import annotations

from typing import Any

import msgspec

from server.checklists.model import Template

#: the template's own fields compared (its sections and items are compared item by item)
TEMPLATE_FIELDS = ("title", "area", "lead_department", "basis", "note", "applies_when")


def _items(t: Template) -> dict[str, tuple[str, dict[str, Any]]]:
    return {i.key: (s.title, msgspec.to_builtins(i)) for s in t.sections for i in s.items}


def _fields(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": k, "before": before.get(k), "after": after.get(k)}
            for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]


def diff(old: Template, new: Template) -> dict[str, Any]:
    if old.id != new.id:
        raise ValueError("只能比较同一检查表的两个版本")
    was, now = _items(old), _items(new)
    template = _fields({k: msgspec.to_builtins(getattr(old, k)) for k in TEMPLATE_FIELDS},
                       {k: msgspec.to_builtins(getattr(new, k)) for k in TEMPLATE_FIELDS})
    added = [{"key": k, "section": now[k][0], "text": now[k][1]["text"]} for k in now if k not in was]
    removed = [{"key": k, "section": was[k][0], "text": was[k][1]["text"]} for k in was if k not in now]
    changed = []
    for key in (k for k in now if k in was):
        fields = _fields(was[key][1], now[key][1])
        if was[key][0] != now[key][0]:
            fields.insert(0, {"field": "section", "before": was[key][0], "after": now[key][0]})
        if fields:
            changed.append({"key": key, "section": now[key][0], "text": now[key][1]["text"], "fields": fields})
    return {"template_id": new.id, "from_version": old.version, "to_version": new.version, "template": template,
            "added": added, "removed": removed, "changed": changed, "unchanged": sum(1 for k in now if k in was) - len(changed)}
