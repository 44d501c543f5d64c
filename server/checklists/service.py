"""Which templates apply where; one template version by id."""

from __future__ import annotations

import msgspec

from server.accounts.guards import Principal, require_role
from server.accounts.roles import Role
from server.checklists import compose, diff, rules
from server.checklists.loader import Registry, check_source, refresh, registry
from server.checklists.model import Template
from server.checklists.schemas import CatalogEntry, DraftCheck, DraftComposed, DraftEdits, TemplateDiff, TemplateSummary
from server.lib import clock, db
from server.lib.canonical import digest
from server.lib.errors import Conflict, Invalid
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


async def source(template_id: str, version: int) -> str:
    """The YAML of a version as written: the shipped file, or the text published from the desk."""
    from server.checklists.loader import DEFAULT_DIR
    from server.checklists.tables import PublishedTemplate

    registry().get(template_id, version)  # 404 for a version there is not
    path = DEFAULT_DIR / f"{template_id}.v{version}.yaml"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    row = await PublishedTemplate.select(PublishedTemplate.source).where(PublishedTemplate.key == f"{template_id}.v{version}").first()
    return row["source"] if row else ""


def check_draft(text: str) -> DraftCheck:
    problems, template = check_source(text, registry())
    return DraftCheck(ok=not problems and template is not None, problems=problems,
                      template_id=template.id if template else None, version=template.version if template else None,
                      items=len(template.items()) if template else 0)


async def compose_draft(p: Principal, edits: DraftEdits) -> DraftComposed:
    """The next version's YAML from form edits of the current one, checked; nothing is stored (the
    desk shows it, then publishes it as any draft). Edits of a version that is no longer the
    current one are refused (409): they would drop what the newer version changed."""
    require_role(p, Role.CITY_ADMIN, message="只有市级管理员可以编辑检查表")
    reg = registry()
    reg.get(edits.template_id, edits.base_version)  # 404 for a version there is not
    latest = max(reg.versions(edits.template_id))
    if edits.base_version != latest:
        raise Conflict(f"第 {edits.base_version} 版已不是现行版本（现行第 {latest} 版），请刷新后在现行版本上修改", code="version_taken")
    text = compose.compose(await source(edits.template_id, edits.base_version), latest + 1, edits)
    return DraftComposed(source=text, check=check_draft(text))


async def publish(p: Principal, text: str, note: str) -> CatalogEntry:
    """A new version, checked as a file is, stored for good, audited; of two publishes of the same
    version at once one wins (409 for the other). The phone gets it with its next template list."""
    from server.audit import service as audit
    from server.checklists.tables import PublishedTemplate

    require_role(p, Role.CITY_ADMIN, message="只有市级管理员可以发布检查表新版本")
    problems, template = check_source(text, registry())
    if problems or template is None:
        raise Invalid("template_invalid", f"检查表有 {len(problems)} 处问题，未发布", detail={"problems": problems})
    key = f"{template.id}.v{template.version}"
    async with db.write():
        if await PublishedTemplate.exists().where(PublishedTemplate.key == key):
            raise Conflict(f"{template.id} 第 {template.version} 版已由他人发布，请在其基础上再建新版本", code="version_taken")
        try:
            await PublishedTemplate(key=key, template_id=template.id, version=template.version, source=text, note=note.strip(),
                                    published_by=p.id, published_at=clock.now()).save()
        except Exception as exc:
            db.raise_conflict_on_unique(exc, f"{template.id} 第 {template.version} 版已由他人发布")
            raise
        await audit.record(p.actor, "template.publish", "template", key,
                           data={"template": template.id, "version": template.version, "items": len(template.items()),
                                 "note": note.strip(), "digest": digest(msgspec.to_builtins(template))})
    await refresh()
    return next(e for e in catalog() if e.id == template.id)
