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
    #: site attributes this template's rules read that the site has not recorded (such as its
    #: population): the items that depend on them are asked, not skipped
    unknown_attributes: list[str] = []
