"""What the templates API returns (the template itself is ``model.Template``)."""

from __future__ import annotations

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
