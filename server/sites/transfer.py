"""The site list in and out of Excel: the city office exports it, edits it, and imports it back.
An import is checked row by row before anything is written; with any problem nothing is written and
every problem is returned by row; otherwise every row is written in one transaction."""

from __future__ import annotations

from typing import Any, cast

import msgspec

from server.accounts.guards import Principal, require_role, site_where
from server.accounts.roles import Role
from server.audit import service as audit
from server.lib import clock, db
from server.lib.errors import Invalid
from server.sites import schemas, sheet
from server.sites.service import SITE_COLUMNS, get_site, site_out
from server.sites.tables import County, Site

MAX_BYTES = 5 * 1024 * 1024


async def _visible(p: Principal) -> dict[int, dict[str, Any]]:
    query = Site.select(*cast(list[Any], SITE_COLUMNS)).order_by(Site.county).order_by(Site.name)
    where = site_where(p, Site)
    rows = await (query.where(where) if where is not None else query)
    return {r["id"]: msgspec.to_builtins(site_out(r)) for r in rows}


async def export_sheet(p: Principal) -> bytes:
    """Every site the caller may see (a county team: its county), as the office's workbook."""
    require_role(p, Role.CITY_ADMIN, Role.COUNTY_TEAM)
    return sheet.write(list((await _visible(p)).values()))


def _summary(rows: list[sheet.Row], written: bool) -> schemas.SheetImport:
    return schemas.SheetImport(
        written=written, rows=len(rows),
        creates=sum(r.action == "create" for r in rows), updates=sum(r.action == "update" for r in rows),
        unchanged=sum(r.action == "unchanged" for r in rows),
        lines=[schemas.SheetLine(row=r.number, action=r.action, name=str(r.values.get("name") or ""), changes=r.changes,
                                 errors=r.errors) for r in rows])


async def _checked(p: Principal, data: bytes, counties: dict[str, int], existing: dict[int, dict[str, Any]] | None = None) -> list[sheet.Row]:
    """Every row read and checked against the sites as they are now; Invalid (every row's problems)
    when any row has one."""
    rows = sheet.read(data, counties, existing if existing is not None else await _visible(p))
    if not rows:
        raise Invalid("empty_sheet", "表中没有安置点（第 2 行起每行一个安置点）")
    bad = [r for r in rows if r.errors]
    if bad:
        first = bad[0]
        raise Invalid("sheet_invalid", f"{len(bad)} 行有问题，未导入任何数据。第 {first.number} 行：{first.errors[0]}",
                      detail=msgspec.to_builtins(_summary(rows, False)))
    return rows


async def import_sheet(p: Principal, data: bytes, *, dry_run: bool) -> schemas.SheetImport:
    """Check every row; with ``dry_run`` (or any problem) write nothing. Problems: 422 with every row's."""
    require_role(p, Role.CITY_ADMIN)
    if not data:
        raise Invalid("empty_file", "没有收到文件")
    if len(data) > MAX_BYTES:
        raise Invalid("file_too_large", f"文件不能超过 {MAX_BYTES // 1024 // 1024} MB")
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    if dry_run:
        return _summary(await _checked(p, data, counties), False)
    now = clock.now()
    async with db.write():
        await db.lock_key("sites.sheet")  # two imports at once: the second checks against the first's sites
        existing = await _visible(p)
        rows = await _checked(p, data, counties, existing)
        for row in rows:
            values = {k: v for k, v in row.values.items() if k not in ("id", "county", "coord_system")}
            if row.action == "create":
                site = Site(county=row.values["county"], coord_source=row.values["coord_system"], invented=False,
                            created_at=now, updated_at=now, **values)
                await site.save()
                await audit.record(p.actor, "site.create", "site", site.id,
                                   after=msgspec.to_builtins(await get_site(None, site.id)), data={"sheet_row": row.number})
            elif row.action == "update":
                site_id = row.values["id"]
                changed = {getattr(Site, k): values[k] for k in row.changes}
                if {"lat", "lon"} & set(row.changes):
                    changed[Site.coord_source] = row.values["coord_system"]
                await Site.update({**changed, Site.updated_at: now}).where(Site.id == site_id)
                before = {k: existing[site_id].get(k) for k in row.changes}
                after = {k: values[k] for k in row.changes}
                await audit.record(p.actor, "site.update", "site", site_id, before=before, after=after,
                                   data={"sheet_row": row.number, "changes": {k: [before[k], after[k]] for k in row.changes}})
    return _summary(rows, True)
