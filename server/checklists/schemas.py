"""What the templates API returns (the template itself is ``model.Template``)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec


class TemplateSummary(msgspec.Struct):
    id: str
    version: int
    title: str
    area: str
    lead_department: str
    items: int
    #: items that do not apply at the asked-for site (by its attributes)
    not_applicable: list[str]
    etag: str
    url: str
    #: site attributes this template's rules read that the site has not recorded (such as its
    #: population): the items that depend on them are asked, not skipped
    unknown_attributes: list[str] = []


class CatalogEntry(msgspec.Struct):
    """One template with every version the server holds (a version never changes)."""

    id: str
    title: str
    area: str
    lead_department: str
    versions: list[int]
    latest: int
    items: int


class FieldChange(msgspec.Struct):
    field: str
    before: Any
    after: Any


class ItemRef(msgspec.Struct):
    key: str
    section: str
    text: str


class ItemChange(msgspec.Struct):
    key: str
    section: str
    text: str
    fields: list[FieldChange]


class TemplateDiff(msgspec.Struct):
    """Between two versions: the template's own fields, items added, removed and changed (by key)."""

    template_id: str
    from_version: int
    to_version: int
    template: list[FieldChange]
    added: list[ItemRef]
    removed: list[ItemRef]
    changed: list[ItemChange]
    unchanged: int


class DraftCheck(msgspec.Struct):
    """A draft version checked: every problem (file-style messages), or ready to publish."""

    ok: bool
    problems: list[str]
    template_id: str | None
    version: int | None
    items: int


class DraftIn(msgspec.Struct, forbid_unknown_fields=True):
    #: the whole version as YAML, as in inspection_templates/
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=500_000)]
    #: what changed and why (the policy revision it follows)
    note: Annotated[str, msgspec.Meta(max_length=2000)] = ""
