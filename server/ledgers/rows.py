"""The lines of each ledger, read from the database within the caller's scope.

Plain data out (``model.Ledger``), so rendering can happen in another process.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from server.accounts.guards import Principal, scope_where
from server.accounts.tables import User
from server.checklists.model import SEVERITY_NAMES
from server.inspections.days import visit_day
from server.inspections.tables import Inspection
from server.issues import deadlines, lifecycle
from server.issues.queries import Filters, where
from server.issues.tables import Issue, Rectification
from server.ledgers.model import (
    KINDS,
    SOURCE_SHORT,
    Column,
    Figure,
    Ledger,
    LedgerFilters,
    Photo,
)
from server.lib import clock
from server.photos.tables import Photo as PhotoRow
from server.settings import get_settings
from server.sites.tables import County, Department, Site

CITY = "运城市"
CITY_ISSUER = "运城市易地扶贫搬迁后续扶持工作领导小组办公室"

COLUMNS = {
    "issues": [
        Column("no", "序号", 9), Column("number", "问题编号", 26), Column("county", "县（市、区）", 14, pdf=False),
        Column("site", "安置点", 22, pdf=False), Column("place", "县（市、区）及安置点", 25, sheet=False),
        Column("area", "类别", 18), Column("description", "问题描述（发现的情况）", 46), Column("severity", "问题等级", 10),
        Column("found_on", "发现日期", 16, pdf=False), Column("found_by", "发现人及方式", 20, pdf=False),
        Column("found", "发现日期及方式", 25, sheet=False), Column("unit", "责任单位", 19),
        Column("person", "责任人", 13), Column("deadline", "整改时限", 28), Column("overdue", "逾期天数", 10),
        Column("state", "状态", 16), Column("remarks", "备注", 26),
    ],
    "rectification": [
        Column("no", "序号", 9), Column("number", "问题编号", 27), Column("county", "县（市、区）", 14, pdf=False),
        Column("site", "安置点", 22, pdf=False), Column("place", "县（市、区）及安置点", 23, sheet=False),
        Column("description", "问题描述", 31), Column("measures", "整改措施", 33), Column("unit", "责任单位", 17),
        Column("person", "责任人", 14), Column("deadline", "整改时限", 27), Column("progress", "整改进度", 22),
        Column("completed_on", "完成日期", 16, pdf=False), Column("overdue", "逾期天数", 10),
        Column("before", "整改前", 24, photos=True), Column("after", "整改后", 24, photos=True), Column("remarks", "备注", 20),
    ],
    "closure": [
        Column("no", "序号", 9), Column("number", "问题编号", 27), Column("county", "县（市、区）", 14, pdf=False),
        Column("site", "安置点", 22, pdf=False), Column("place", "县（市、区）及安置点", 23, sheet=False),
        Column("description", "问题描述", 36), Column("result", "核查结果", 15), Column("comment", "核查意见", 30),
        Column("verifier", "核查人", 14), Column("closed_on", "销号日期", 27), Column("before", "整改前", 26, photos=True),
        Column("after", "整改后（销号依据）", 26, photos=True), Column("remarks", "备注", 20),
    ],
    "visit": [
        Column("no", "序号", 10), Column("section", "检查内容", 28), Column("item", "检查项目", 64), Column("result", "检查结果", 30),
        Column("photos", "现场照片", 50, photos=True),
    ],
    "assessment": [
        Column("no", "排名", 12), Column("county", "县（市、区）", 24), Column("plan", "计划督查（完成/计划）", 30),
        Column("visits", "督查次数", 18), Column("found", "发现问题", 18), Column("on_time", "按期销号率", 24),
        Column("overdue", "逾期未整改", 22), Column("repeats", "复发问题", 18), Column("self", "县级自查覆盖率", 26),
        Column("score", "得分", 18), Column("flag", "通报", 16), Column("note", "说明", 51),
    ],
    "work": [
        Column("no", "序号", 10), Column("date", "督查日期", 24), Column("inspector", "督查人员", 30),
        Column("county", "县（市、区）", 18), Column("site", "安置点", 34), Column("arrival", "到达现场（时间、距安置点）", 40),
        Column("templates", "检查表", 55), Column("checked", "检查项", 16), Column("failed", "不符合项", 16),
        Column("issues", "发现问题", 34),
    ],
}


def cn_date(d) -> str:
    """2026年9月1日: dates as an office document writes them."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _day(value) -> str:
    return cn_date(clock.local(clock.aware(value)).date()) if value else ""


def _date(value):
    """An instant's date in Asia/Shanghai (a date cell in a spreadsheet, 2026年9月1日 in a PDF)."""
    return clock.local(clock.aware(value)).date() if value else ""


def _minute(value) -> str:
    if not value:
        return ""
    at = clock.local(clock.aware(value))
    return f"{cn_date(at.date())} {at:%H:%M}"


async def _names(table, column) -> dict[int, str]:
    return {r["id"]: r[column._meta.name] for r in await table.select(table.id, column)}


def _issue_filters(f: LedgerFilters, state: str | None) -> Filters:
    """Who may see what, and the filters other than the period (the period rule is per kind)."""
    return Filters(county_id=f.county_id, site_id=f.site_id, area=f.area, department_id=f.department_id, state=state)


def _bounds(f: LedgerFilters) -> tuple[datetime | None, datetime | None]:
    """The period as instants: from the start of its first day to the start of the day after its last
    (Asia/Shanghai); None where open."""
    lo = datetime.combine(f.date_from, time(), clock.SHANGHAI) if f.date_from else None
    hi = datetime.combine(f.date_to + timedelta(days=1), time(), clock.SHANGHAI) if f.date_to else None
    return lo, hi


def whole_month(f: LedgerFilters) -> bool:
    """The period is one calendar month (the summary then says 上月结转 / 本月新增 …)."""
    return bool(f.date_from and f.date_to and f.date_from.day == 1 and (f.date_to + timedelta(days=1)).day == 1
                and (f.date_from.year, f.date_from.month) == (f.date_to.year, f.date_to.month))


#: which issues a period takes, per kind (printed on the ledger as 统计口径)
RULES = {
    "issues": "期内任何时候未销号的问题：期初结转（期前发现、期初未销号）和期内新增；期内销号的也列出",
    "rectification": "期内处于整改中的问题（期末前已开始整改或提交过整改、期初尚未销号）；整改措施为期末前最近一轮",
    "closure": "期内销号的问题（按销号日期）",
}


def _open_in_period(lo: datetime | None, hi: datetime | None) -> list[Any]:
    """Issues not closed at some time in [lo, hi): found before its end, not closed before its start."""
    clauses = []
    if hi is not None:
        clauses.append(Issue.found_at < hi)
    if lo is not None:
        clauses.append(Issue.closed_at.is_null() | (Issue.closed_at >= lo))
    return clauses


async def _rectifying_by(ids: list[int], hi: datetime | None) -> set[int]:
    """Of these issues, those whose rectification had begun before ``hi``: a round submitted, or
    the 开始整改 move (read from the audit log, where every move is recorded)."""
    from server.audit.tables import AuditEvent

    if not ids:
        return set()
    rounds = Rectification.select(Rectification.issue).where(Rectification.issue.is_in(ids))
    started = AuditEvent.select(AuditEvent.object_id).where(
        (AuditEvent.action == "issue.start") & AuditEvent.object_id.is_in([str(i) for i in ids]))
    if hi is not None:
        rounds, started = rounds.where(Rectification.submitted_at < hi), started.where(AuditEvent.at < hi)
    return {r["issue"] for r in await rounds} | {int(r["object_id"]) for r in await started}


def _flow(issues: list[dict], lo: datetime | None, hi: datetime | None, month: bool) -> tuple[list[str], dict]:
    """The issue ledger's summary per county: carried over, new, closed in the period, open at its end."""
    names = ["上月结转", "本月新增", "本月销号", "月末未销号"] if month else ["期初结转", "期内新增", "期内销号", "期末未销号"]
    counts: dict[int, Counter] = {}
    for i in issues:
        found, closed = clock.aware(i["found_at"]), clock.aware(i["closed_at"]) if i["closed_at"] else None
        c = counts.setdefault(i["county"], Counter())
        c[names[0]] += lo is not None and found < lo
        c[names[1]] += lo is None or found >= lo
        c[names[2]] += closed is not None and (hi is None or closed < hi)
        c[names[3]] += closed is None or (hi is not None and closed >= hi)
    return names, counts


async def _photos(uuids: set[str]) -> dict[str, Photo]:
    """Thumbnails with their caption: when taken (EXIF, else capture) and how far from the site."""
    from server.photos.service import store

    if not uuids:
        return {}
    st = store()
    cache = get_settings().media_dir / "cache"  # this node's copies when photos are kept in S3
    out = {}
    rows = await PhotoRow.select(PhotoRow.uuid, PhotoRow.sha256, PhotoRow.taken_at, PhotoRow.captured_at,
                                 PhotoRow.created_at, PhotoRow.distance_m).where(PhotoRow.uuid.is_in(_uuids(uuids)))
    for r in rows:
        when = r["taken_at"] or r["captured_at"] or r["created_at"]
        caption = _minute(when)
        if r["distance_m"] is not None:
            caption += f" · 距点 {r['distance_m']:.0f} 米" if r["distance_m"] < 10_000 else f" · 距点 {r['distance_m'] / 1000:.0f} 公里"
        path = await asyncio.to_thread(st.local_file, "thumbs", r["sha256"], cache_root=cache)
        if path is not None:
            out[str(r["uuid"])] = Photo(uuid=str(r["uuid"]), path=str(path), caption=caption)
    return out


def _uuids(values) -> list[UUID]:
    out = []
    for v in values:
        try:
            out.append(UUID(str(v)))
        except ValueError:
            continue
    return out


def _pick(photos: dict[str, Photo], uuids, limit: int = 2) -> list[Photo]:
    return [photos[u] for u in (uuids or []) if u in photos][:limit]


async def build(p: Principal, kind: str, f: LedgerFilters, as_of: datetime | None = None) -> Ledger:
    """The ledger's rows as they stood at ``as_of`` (the moment it was asked for; default now):
    overdue and the default assessment period are judged on that day, not on the day a worker
    happened to render it (a job asked for at 23:59 and rendered after midnight says the same)."""
    as_of = as_of or clock.now()
    if kind not in KINDS:
        from server.lib.errors import Invalid

        raise Invalid("unknown_ledger", f"没有这种台账：{kind}（可选：{'、'.join(KINDS)}）")
    counties = await _names(County, County.name)
    sites = await _names(Site, Site.name)
    departments = await _names(Department, Department.name)
    users = await _names(User, User.display_name)
    place = counties.get(f.county_id, "") if f.county_id else CITY
    short = period_short(f)
    ledger = Ledger(
        kind=kind, title=f"{place}易地扶贫搬迁安置点{KINDS[kind]}" + (f"（{short}）" if short else ""), issuer=issuer(p, counties),
        period=period_text(f), filters_text=filters_text(f, counties, sites, departments),
        generated_at=_minute(clock.now()), columns=COLUMNS[kind], rows=[],
        file_stem=f"{place}{KINDS[kind]}" + (f"-{short}" if short else ""),
    )
    names = {"counties": counties, "sites": sites, "departments": departments, "users": users}
    if kind == "assessment":
        await _assessment_rows(p, f, ledger, as_of)
    elif kind == "visit":
        await _visit_rows(p, f, ledger, names)
    elif kind == "work":
        await _work_rows(p, f, ledger, names)
    else:
        await _issue_rows(p, kind, f, ledger, names, as_of)
    ledger.seal()
    return ledger


def issuer(p: Principal, counties: dict[int, str]) -> str:
    if p.county_id is not None and not p.is_city:
        return f"{counties.get(p.county_id, '')}易地扶贫搬迁工作专班"
    return CITY_ISSUER


def period_text(f: LedgerFilters) -> str:
    if f.date_from and f.date_to:
        return f"{cn_date(f.date_from)} 至 {cn_date(f.date_to)}"
    if f.date_from:
        return f"{cn_date(f.date_from)} 起"
    if f.date_to:
        return f"截至 {cn_date(f.date_to)}"
    return "全部时间"


def period_short(f: LedgerFilters) -> str:
    """The period as a title and a file name say it: 2026年11月, or the two dates."""
    if whole_month(f):
        return f"{f.date_from.year}年{f.date_from.month}月"
    if f.date_from and f.date_to:
        return f"{cn_date(f.date_from)}至{cn_date(f.date_to)}"
    if f.date_from:
        return f"{cn_date(f.date_from)}起"
    if f.date_to:
        return f"截至{cn_date(f.date_to)}"
    return ""


def filters_text(f: LedgerFilters, counties, sites, departments) -> str:
    parts = []
    if f.county_id:
        parts.append(f"县（市、区）：{counties.get(f.county_id, f.county_id)}")
    if f.site_id:
        parts.append(f"安置点：{sites.get(f.site_id, f.site_id)}")
    if f.area:
        parts.append(f"类别：{f.area}")
    if f.department_id:
        parts.append(f"责任部门：{departments.get(f.department_id, f.department_id)}")
    if f.state:
        parts.append(f"状态：{lifecycle.STATE_NAMES.get(f.state, f.state)}")
    return "；".join(parts) or "全部"


async def _issue_rows(p: Principal, kind: str, f: LedgerFilters, ledger: Ledger, names, as_of: datetime) -> None:
    query = Issue.select()
    filters = _issue_filters(f, state="closed" if kind == "closure" else f.state)
    lo, hi = _bounds(f)
    clauses = where(p, filters)
    if kind == "closure":
        clauses += [c for c in ((Issue.closed_at >= lo) if lo else None, (Issue.closed_at < hi) if hi else None) if c is not None]
    else:
        clauses += _open_in_period(lo, hi)
    for clause in clauses:
        query = query.where(clause)
    issues = await query.order_by(Issue.county).order_by(Issue.found_at).order_by(Issue.id).output(load_json=True)
    if kind == "rectification" and (lo or hi):  # without a period: every issue to rectify, begun or not
        begun = await _rectifying_by([i["id"] for i in issues], hi)
        issues = [i for i in issues if i["id"] in begun]
    if f.date_from or f.date_to:
        ledger.rule = RULES[kind]
    ids = [i["id"] for i in issues]
    rounds: dict[int, list[dict]] = {}
    if issues:
        query = Rectification.select().where(Rectification.issue.is_in(ids))
        if hi is not None and kind != "closure":
            query = query.where(Rectification.submitted_at < hi)  # what had been done by the period's end
        for r in await query.order_by(Rectification.round).output(load_json=True):
            rounds.setdefault(r["issue"], []).append(r)
    remarks = await _remarks(issues, rounds, hi)
    wanted = set()
    for i in issues:
        wanted.update((i["photos"] or [])[:2])
        for r in rounds.get(i["id"], [])[-1:]:
            wanted.update(r["photos"] or [])
    photos = await _photos(wanted) if kind != "issues" else {}
    day = clock.local(as_of).date()
    if f.date_to and f.date_to < day:
        day = f.date_to  # overdue as it stood at the period's end
    counts: dict[str, Counter] = {}
    for n, i in enumerate(issues, 1):
        county = names["counties"].get(i["county"], "")
        counts.setdefault(county, Counter())[lifecycle.STATE_NAMES[i["state"]]] += 1
        unit = names["departments"].get(i["department"], "") if i["department"] else ""
        last = (rounds.get(i["id"]) or [None])[-1]
        site = names["sites"].get(i["site"], "")
        base = {"no": n, "number": i["number"] or "", "county": county, "site": site, "place": f"{county} {site}",
                "description": i["description"], "remarks": "；".join(remarks.get(i["id"], []))}
        closed_by_end = i["closed_at"] is not None and (hi is None or clock.aware(i["closed_at"]) < hi)
        late = overdue_days(i, last, day, closed_by_end)
        if kind == "issues":
            # the state at the period's end: closed after it, the issue was still open then
            if closed_by_end or i["state"] != "closed":
                state = lifecycle.STATE_NAMES[i["state"]]
            else:
                state = f"期末未销号（{_day(i['closed_at'])}销号）"
            finder = names["users"].get(i["found_by"], "") if i["found_by"] else ""
            found_by = f"{finder}（{SOURCE_SHORT.get(i['source'], i['source'])}）"
            ledger.rows.append({**base, "area": f"{i['area']}·{i['section']}" if i["section"] else i["area"],
                                "severity": SEVERITY_NAMES.get(i["severity"], i["severity"]),
                                "found_on": _date(i["found_at"]), "found_by": found_by, "found": f"{_day(i['found_at'])} {found_by}",
                                "unit": unit or "（未指定）", "person": i["responsible_person"] or "（未指定）",
                                "deadline": i["deadline"], "overdue": late, "state": state})
        elif kind == "rectification":
            progress = lifecycle.STATE_NAMES[i["state"]]
            if len(rounds.get(i["id"], [])) > 1:
                progress += f"（第{len(rounds[i['id']])}轮）"
            completed = last["completed_on"] if last and last["completed_on"] else None
            ledger.rows.append({**base, "measures": last["measures"] if last else "（尚未提交整改）",
                                "unit": unit or "（未指定）",
                                "person": (last["responsible_person"] if last else "") or i["responsible_person"] or "（未指定）",
                                "deadline": i["deadline"], "progress": f"{progress}；{cn_date(completed)}完成" if completed else progress,
                                "completed_on": completed or "", "overdue": late,
                                "before": _pick(photos, i["photos"], 1), "after": _pick(photos, last["photos"] if last else [], 1)})
        else:  # closure
            verifier = names["users"].get(i["closed_by"], "") if i["closed_by"] else ""
            # only what was photographed after the rectification justifies closing, never the finding photo
            evidence = _pick(photos, last["photos"] if last else [], 1)
            comment = i["verification_comment"] or "—"
            if not evidence and last and last["outcome_reason"]:
                comment = last["outcome_reason"]  # the verifier's comment and why there is no after-photo
            ledger.rows.append({**base, "result": "核查通过，予以销号", "comment": comment,
                                "verifier": verifier, "closed_on": _date(i["closed_at"]),
                                "before": _pick(photos, i["photos"], 1), "after": evidence})
    if kind == "issues" and (lo or hi):
        states, flow = _flow(issues, lo, hi, whole_month(f))
        ledger.summary_states, ledger.summary_total = states, "台账条数"
        ledger.summary = sorted((names["counties"].get(c, ""), {s: n[s] for s in states}, n[states[0]] + n[states[1]])
                                for c, n in flow.items())
        return
    _summarise(ledger, counts, [lifecycle.STATE_NAMES[s] for s in ("open", "rectifying", "submitted", "closed")])


def arrival_how(v: dict) -> str:
    """How the arrival was recorded, after its time: the distance to the site; marked when it came
    from a photo's EXIF, or was entered by hand (with the reason)."""
    out = f"，距安置点 {v['arrival_distance_m']:.0f} 米" if v["arrival_distance_m"] is not None else ""
    if v.get("arrival_source") == "exif":
        out += "（按照片EXIF位置）"
    elif v.get("arrival_source") == "manual":
        out += f"（手动登记，未定位：{v.get('arrival_reason') or '未说明'}）"
    return out


def overdue_days(issue: dict, last: dict | None, day, closed_by_end: bool) -> int | str:
    """Days past the deadline on ``day`` (closed: on the day it was closed); empty when not overdue.
    A rectification handed in by the deadline and waiting for verification is not the county's delay."""
    deadline = issue["deadline"]
    if closed_by_end:
        late = deadlines.days_late(deadline, clock.local(clock.aware(issue["closed_at"])).date())
        if last is not None and clock.local(clock.aware(last["submitted_at"])).date() <= deadline:
            return ""  # handed in on time; the verification took longer
        return late if late > 0 else ""
    if not deadlines.is_overdue(deadline, day, "open"):
        return ""
    if issue["state"] == "submitted" and last is not None and last["outcome"] == "" \
            and clock.local(clock.aware(last["submitted_at"])).date() <= deadline:
        return ""
    return deadlines.days_late(deadline, day)


async def _remarks(issues: list[dict], rounds: dict[int, list[dict]], hi: datetime | None) -> dict[int, list[str]]:
    """备注 per issue: rounds sent back and why, re-findings, the issue it reopens, waiting for verification."""
    from server.issues.tables import Refinding

    out: dict[int, list[str]] = {}
    ids = [i["id"] for i in issues]
    if not ids:
        return out
    for i in issues:
        notes = out.setdefault(i["id"], [])
        for r in rounds.get(i["id"], []):
            if r["outcome"] == "rejected":
                notes.append(f"第{r['round']}轮整改被退回：{r['outcome_reason'] or '未说明原因'}")
        last = (rounds.get(i["id"]) or [None])[-1]
        if last is not None and last["outcome"] == "" and i["state"] == "submitted":
            notes.append(f"{_day(last['submitted_at'])}提交整改，待核查")
    query = Refinding.select(Refinding.issue, Refinding.found_at).where(Refinding.issue.is_in(ids))
    if hi is not None:
        query = query.where(Refinding.found_at < hi)
    again: dict[int, list] = {}
    for r in await query:
        again.setdefault(r["issue"], []).append(r["found_at"])
    for issue_id, times in again.items():
        out[issue_id].append(f"复查仍未整改 {len(times)} 次（最近 {_day(max(times, key=clock.aware))}）")
    reopened = [i["reopens"] for i in issues if i["reopens"]]
    if reopened:
        numbers = {r["id"]: r["number"] or str(r["id"]) for r in await Issue.select(Issue.id, Issue.number).where(Issue.id.is_in(reopened))}
        for i in issues:
            if i["reopens"]:
                out[i["id"]].append(f"销号后再次发现，原问题 {numbers.get(i['reopens'], i['reopens'])}")
    return out


async def _work_rows(p: Principal, f: LedgerFilters, ledger: Ledger, names) -> None:
    query = Inspection.select().where(Inspection.state == "submitted").where(Inspection.superseded_by.is_null())
    scope = scope_where(p, county=Inspection.county, site=Inspection.site)
    if scope is not None:
        query = query.where(scope)
    if f.county_id:
        query = query.where(Inspection.county == f.county_id)
    if f.site_id:
        query = query.where(Inspection.site == f.site_id)
    if f.date_from:
        query = query.where(Inspection.submitted_at >= datetime.combine(f.date_from, time(), clock.SHANGHAI))
    if f.date_to:
        query = query.where(Inspection.submitted_at < datetime.combine(f.date_to + timedelta(days=1), time(), clock.SHANGHAI))
    visits = await query.order_by(Inspection.submitted_at).order_by(Inspection.id).output(load_json=True)
    every_issue = [i for v in visits if isinstance(v["issue_ids"], list) for i in v["issue_ids"]]
    numbers = {r["id"]: r["number"] or str(r["id"]) for r in await Issue.select(Issue.id, Issue.number).where(
        Issue.id.is_in(every_issue))} if every_issue else {}
    from server.checklists.loader import registry

    reg = registry()
    # the visit's evidence photos (its photos map): taken near the site and during the visit?
    owner = {}
    for v in visits:
        for byitem in (v["photos"] or {}).values():
            for ids in byitem.values():
                for uuid in ids:
                    owner[uuid] = str(v["uuid"])
    photo_flags: dict[str, list[bool]] = {}
    if owner:
        for ph in await PhotoRow.select(PhotoRow.uuid, PhotoRow.far_from_site, PhotoRow.time_mismatch,
                                        PhotoRow.outside_visit).where(PhotoRow.uuid.is_in(_uuids(owner))):
            odd = bool(ph["far_from_site"] or ph["time_mismatch"] or ph["outside_visit"])
            photo_flags.setdefault(owner[str(ph["uuid"])], []).append(odd)
    counts: dict[str, Counter] = {}
    for n, v in enumerate(visits, 1):
        county = names["counties"].get(v["county"], "")
        templates = v["templates"] if isinstance(v["templates"], list) else []
        titles = []
        for t in templates:
            try:
                titles.append(reg.get(t["id"], t["version"]).title)
            except Exception:  # noqa: BLE001 - a retired template still names itself
                titles.append(t["id"])
        distance = arrival_how(v)
        flags = photo_flags.get(str(v["uuid"]), [])
        if flags:
            odd = sum(flags)
            distance += f"；照片 {len(flags)} 张，" + (f"{odd} 张位置或时间与到场不符" if odd else "位置时间均相符")
        issue_ids = v["issue_ids"] if isinstance(v["issue_ids"], list) else []
        raised = "、".join(numbers.get(i, str(i)) for i in issue_ids)
        counts.setdefault(county, Counter())["督查次数"] += 1
        ledger.rows.append({
            "no": n, "date": _minute(v["started_at"] or v["arrival_at"] or v["submitted_at"]),
            "inspector": names["users"].get(v["inspector"], ""), "county": county, "site": names["sites"].get(v["site"], ""),
            "arrival": f"{_minute(v['arrival_at'])}{distance}" if v["arrival_at"] else "未记录",
            "templates": "、".join(titles), "checked": v["items_checked"], "failed": v["items_failed"],
            "issues": f"{len(issue_ids)} 个：{raised}" if issue_ids else "无",
        })
    _summarise(ledger, counts, ["督查次数"])


async def _assessment_rows(p: Principal, f: LedgerFilters, ledger: Ledger, as_of: datetime) -> None:
    """年度考核: the ranking with every indicator; the scoring table is printed with it."""
    from datetime import date

    from server.assessment.service import assess

    today = clock.local(as_of).date()
    result = await assess(p, f.date_from or date(today.year, 1, 1), f.date_to or today, today=today)
    ledger.title = f"运城市易地扶贫搬迁后续扶持工作年度考核排名（{cn_date(result['from'])}至{cn_date(result['to'])}）"
    ledger.file_stem = f"运城市年度考核排名-{cn_date(result['from'])}至{cn_date(result['to'])}"
    ledger.period_label = "考核期间"
    ledger.period = f"{cn_date(result['from'])} 至 {cn_date(result['to'])}"
    ledger.facts = [(f"{i['name']}（{i['weight']:g} 分）", f"{i['rule']}；{'越高越好' if i['better'] == 'higher' else '越低越好'}")
                    for i in result["rules"]] + [("无应办事项", result["nothing_to_measure"]),
                                                 ("通报", f"排名最后 {result['flag_bottom']} 位的县（市、区）予以通报")]

    def pct(v):
        return Figure(v, "—（无应办事项，不计分）" if v is None else f"{v * 100:.1f}%", "0.0%")

    names = {i["key"]: i["name"] for i in result["rules"]}
    for r in result["counties"]:
        left_out = [names[k] for k, v in r["rates"].items() if v is None and k in names]
        note = f"安置点 {r['sites']} 个" + (f"；不计分：{'、'.join(left_out)}" if left_out else "")
        ledger.rows.append({
            "no": r["rank"] if r["rank"] is not None else "—", "county": r["county_name"],
            "plan": f"{r['visits_planned_done']}/{r['visits_planned']}",
            "visits": r["visits_made"], "found": r["issues_found"], "on_time": pct(r["rates"]["on_time_closure"]),
            "overdue": r["overdue"], "repeats": r["repeat_findings"], "self": pct(r["rates"]["self_coverage"]),
            "score": Figure(r["score"], "—（无可考核事项，不排名）" if r["score"] is None else f"{r['score']:.2f}", "0.00"),
            "flag": "通报" if r["flagged"] else "", "note": note,
        })


async def _visit_rows(p: Principal, f: LedgerFilters, ledger: Ledger, names) -> None:
    """督查记录: one visit, every item of its templates with the answer, and its photos."""
    from server.checklists.evaluation import evaluate
    from server.checklists.loader import registry
    from server.checklists.model import CHECK_VALUES
    from server.inspections.service import can_read
    from server.lib.errors import Invalid, NotFound
    from server.sites.service import get_site, population_known, rule_attributes

    try:
        uuid = UUID(str(f.inspection))
    except ValueError:
        raise Invalid("bad_inspection", "督查记录须指定一次督查（inspection 为其 UUID）") from None
    visit = await Inspection.select().where(Inspection.uuid == uuid).output(load_json=True).first()
    if visit is None or not can_read(p, visit):
        raise NotFound("督查记录不存在")
    site = await get_site(None, visit["site"])
    attrs = rule_attributes(site)
    reg = registry()
    ledger.landscape = False
    ledger.title = "易地扶贫搬迁安置点督查记录"
    ledger.file_stem = f"督查记录-{site.county_name}{site.name}-{_day(visit['submitted_at'] or visit['started_at'])}"
    ledger.period = _day(visit["submitted_at"] or visit["started_at"])
    ledger.filters_text = f"{site.county_name} {site.name}"
    distance = arrival_how(visit)
    titles = []
    wanted = set()
    for byitem in (visit["photos"] or {}).values():
        for ids in byitem.values():
            wanted.update(ids)
    photos = await _photos(wanted)
    raised_rows = await Issue.select(Issue.id, Issue.number, Issue.template_id, Issue.item_key, Issue.description,
                                     Issue.requirement, Issue.deadline).where(Issue.id.is_in(visit["issue_ids"] or [-1])).order_by(Issue.id)
    raised = {(r["template_id"], r["item_key"]): r["number"] or str(r["id"]) for r in raised_rows}
    n = 0
    for ref in visit["templates"]:
        template = reg.get(ref["id"], ref["version"])
        titles.append(f"{template.title}（第{template.version}版）")
        answers = (visit["answers"] or {}).get(template.id, {})
        evidence = (visit["photos"] or {}).get(template.id, {})
        ev = evaluate(template, attrs, answers, photos=evidence, strict=False, visit_date=visit_day(visit))
        for section, item in template.items():
            n += 1
            value = answers.get(item.key)
            if not ev.applicable[item.key]:
                result = "不适用（本安置点）"
            elif value in (None, "", []):
                result = "未填"
            elif item.type == "check":
                result = CHECK_VALUES.get(value, str(value))
                reason = ((visit["item_notes"] or {}).get(template.id) or {}).get(item.key) if value == "na" else None
                if reason:
                    result += f"。理由：{reason}"
            elif item.type in ("single", "multi"):
                labels = {o.value: o.label for o in item.options}
                result = "、".join(labels.get(v, v) for v in (value if isinstance(value, list) else [value]))
            elif item.type == "photo":
                result = f"{len(value)} 张照片"
            else:
                result = f"{value}{item.unit}"
            if ev.failed.get(item.key):
                number = raised.get((template.id, item.key))
                verdict = "" if item.type == "check" else "不符合，"  # a check item's answer says 不符合 already
                result += f"（{verdict}问题 {number}）" if number else ("" if item.type == "check" else "（不符合）")
                note = ((visit["item_notes"] or {}).get(template.id) or {}).get(item.key)
                if note:
                    result += f"。现场：{note}"
            ids = list(evidence.get(item.key, [])) + (list(value) if item.type == "photo" and isinstance(value, list) else [])
            ledger.rows.append({"no": n, "section": f"{template.title.replace('督查表', '')}·{section.title}",
                                "item": f"{item.text}〔{item.basis}〕" if item.basis else item.text,
                                "result": result, "photos": _pick(photos, ids, 2)})
    ledger.period_label = "督查日期"
    ledger.facts = [
        ("安置点", f"{site.county_name} {site.name}"), ("督查人员", names["users"].get(visit["inspector"], "")),
        ("督查方式", "“四不两直”暗访" if visit["unannounced"] else "常规检查"),
        ("到达现场", f"{_minute(visit['arrival_at'])}{distance}" if visit["arrival_at"] else "未记录"),
        ("提交时间", _minute(visit["submitted_at"])), ("检查表", "、".join(titles)),
        ("检查结果", f"检查 {visit['items_checked']} 项，不符合 {visit['items_failed']} 项，生成问题 {len(visit['issue_ids'] or [])} 个"),
        ("督查备注", visit["notes"] or "—"),
    ] + ([("搬迁人口", "未登记：按人口判断的检查项都已询问（请县级专班补登）")] if not population_known(site) else []) + [(f"问题 {r['number'] or r['id']}", f"{r['description']}。整改要求：{r['requirement'] or '按检查项要求整改'}；整改时限：{cn_date(r['deadline'])}")
         for r in raised_rows]
    ledger.signatures = ["督查人员（签字）：", "被督查单位负责人（签字）：", "被督查单位意见："]


def _summarise(ledger: Ledger, counts: dict[str, Counter], states: list[str]) -> None:
    ledger.summary_states = states
    ledger.summary = [(county, {s: c.get(s, 0) for s in states}, sum(c.values())) for county, c in sorted(counts.items())]
