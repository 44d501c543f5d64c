"""What the templates API returns (the template itself is ``model.Template``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

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


Text = Annotated[str, msgspec.Meta(max_length=1000)]
Basis = Annotated[str, msgspec.Meta(max_length=64)]
Department = Annotated[str, msgspec.Meta(max_length=32, pattern=r"^([a-z][a-z0-9_]*)?$")]


class ItemEdit(msgspec.Struct, forbid_unknown_fields=True):
    """What the desk's form changes on one item (absent: unchanged; department "": the lead department)."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)] | None = None
    help: Text | None = None
    basis: Basis | None = None
    severity: Literal["minor", "major", "critical"] | None = None
    deadline_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | None = None
    required: bool | None = None
    raises_issue: bool | None = None
    department: Department | None = None
    unit: Annotated[str, msgspec.Meta(max_length=16)] | None = None


class NewItem(msgspec.Struct, forbid_unknown_fields=True):
    """An item added from the form: a check, a text, a date, a photo or a plain count (a number that
    fails by a rule is written in YAML, where its rule and finding go)."""

    section: Annotated[str, msgspec.Meta(max_length=64)]
    key: Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,47}$")]
    type: Literal["check", "text", "date", "photo", "integer", "number"]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    basis: Basis
    help: Text = ""
    required: bool = True
    raises_issue: bool = True
    severity: Literal["minor", "major", "critical"] = "minor"
    deadline_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30
    department: Department = ""
    unit: Annotated[str, msgspec.Meta(max_length=16)] = ""


class DraftEdits(msgspec.Struct, forbid_unknown_fields=True):
    """A new version as form edits of the current one (``base_version``)."""

    template_id: Annotated[str, msgspec.Meta(max_length=64)]
    base_version: Annotated[int, msgspec.Meta(ge=1, le=10_000)]
    items: dict[str, ItemEdit] = {}
    add: Annotated[list[NewItem], msgspec.Meta(max_length=200)] = []
    remove: Annotated[list[str], msgspec.Meta(max_length=500)] = []
    #: the template's note (说明), e.g. what this revision changes
    template_note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class DraftComposed(msgspec.Struct):
    """The new version's YAML made from the edits, and the checker's verdict on it."""

    source: str
    check: DraftCheck
