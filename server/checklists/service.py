"""Which templates apply where; one template version by id."""

from __future__ import annotations

import msgspec

from server.accounts.guards import Principal
from server.checklists import diff, rules
from server.checklists.loader import Registry, registry
from server.checklists.model import Template
from server.checklists.schemas import CatalogEntry, TemplateDiff, TemplateSummary
from server.sites import service as sites


def _summary(reg: Registry, t: Template, site_attrs: dict | None) -> TemplateSummary:
    not_applicable: list[str] = []
    unknown: list[str] = []
    if site_attrs is not None:
        context = {"site": site_attrs, "answer": {}}
        not_applicable = [i.key for _, i in t.items()
                          if i.applies_when is not None and rules.evaluate(i.applies_when, context) is False]
        read = {ref[5:] for _, i in t.items() for rule in (i.applies_when, i.fails_when) if rule is not None
                for ref in rules.references(rule) if ref.startswith("site.")}
        unknown = sorted(name for name in read if site_attrs.get(name) is None)
    return TemplateSummary(
        id=t.id, version=t.version, title=t.title, area=t.area, lead_department=t.lead_department,
        items=len(t.items()), not_applicable=not_applicable, etag=reg.digest(t),
        url=f"/api/templates/{t.id}/versions/{t.version}", unknown_attributes=unknown,
    )


async def applicable(p: Principal, site_id: int | None) -> list[TemplateSummary]:
    """The latest version of each template; with a site, only those that apply there."""
    from server.checklists.evaluation import template_applies

    reg = registry()
    if site_id is None:
        return [_summary(reg, t, None) for t in reg.all_latest()]
    site = await sites.get_site(p, site_id)  # 404 outside the caller's scope
    attrs = sites.rule_attributes(site)
    return [_summary(reg, t, attrs) for t in reg.all_latest() if template_applies(t, attrs)]


def get_version(template_id: str, version: int) -> tuple[Template, str]:
    reg = registry()
    template = reg.get(template_id, version)
    return template, reg.digest(template)


def catalog() -> list[CatalogEntry]:
    reg = registry()
    out = []
    for t in reg.all_latest():
        out.append(CatalogEntry(id=t.id, title=t.title, area=t.area, lead_department=t.lead_department,
                                versions=reg.versions(t.id), latest=t.version, items=len(t.items())))
    return out


def version_diff(template_id: str, from_version: int, to_version: int) -> TemplateDiff:
    reg = registry()
    old, new = reg.get(template_id, from_version), reg.get(template_id, to_version)
    return msgspec.convert(diff.diff(old, new), TemplateDiff)
