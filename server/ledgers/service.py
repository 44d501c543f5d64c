"""Ledger jobs: request, run in a worker process, progress, the file; submissions (报送); verify."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from server.accounts.guards import Principal
from server.accounts.policy import can_read_ledger_job
from server.accounts.roles import Role
from server.audit import service as audit
from server.ledgers import files, mail
from server.ledgers.model import KINDS, LedgerFilters
from server.ledgers.tables import LedgerJob, LedgerSubmission
from server.lib import clock, db
from server.lib.bounds import MONTH_PATTERN
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.settings import get_settings

#: who asks for a ledger from the command line (``ducha ledger``)
log = logging.getLogger("ducha")

SHELL_ACTOR = audit.Actor(None, "shell")

FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: the ledgers a county reports every month (policy 四(一))
REQUIRED = ("work", "issues", "rectification")
ROOT = Path(__file__).resolve().parents[2]


def filters_of(job: dict[str, Any]) -> LedgerFilters:
    f = dict(job["filters"] or {})
    for k in ("date_from", "date_to"):
        if f.get(k):
            f[k] = date.fromisoformat(f[k])
    return LedgerFilters(**f)


def _scoped_filters(p: Principal, f: dict[str, Any]) -> dict[str, Any]:
    """The county side gets its own county's ledgers only, whatever it asks for."""
    if p.is_city:
        return f
    if p.county_id is None:
        raise Forbidden("没有所属县区的账号不能生成台账")
    if f.get("county_id") not in (None, p.county_id):
        raise Forbidden("只能生成本县（市、区）的台账")
    out = {**f, "county_id": p.county_id}
    if p.role is Role.SITE_MANAGER:
        out["site_id"] = p.site_id
    if p.role is Role.DEPARTMENT:
        out["department_id"] = p.department_id
    return out


async def request(p: Principal | None, kind: str, fmt: str, filters: dict[str, Any], uuid: UUID | None = None) -> dict[str, Any]:
    """A new job (or the same one again for a retried UUID); ``p`` None is the shell (city scope)."""
    if kind not in KINDS:
        raise Invalid("unknown_ledger", f"没有这种台账：{kind}（可选：{', '.join(KINDS)}）")
    if fmt not in FORMATS:
        raise Invalid("unknown_format", "格式只能是 pdf 或 xlsx")
    if kind == "visit":
        await _check_visit(p, filters.get("inspection"))
    if kind == "assessment" and p is not None and not p.is_city:
        raise Forbidden("年度考核只对市级开放")
    if filters.get("date_from") and filters.get("date_to") and filters["date_from"] > filters["date_to"]:
        raise Invalid("bad_period", f"开始日期（{filters['date_from']}）不能晚于结束日期（{filters['date_to']}）")
    filters = _scoped_filters(p, filters) if p else filters
    await _check_filters(filters)
    uuid = uuid or uuid4()
    existing = await LedgerJob.select().where(LedgerJob.uuid == uuid).output(load_json=True).first()
    if existing is not None:
        if p and existing["requested_by"] != p.id:
            raise NotFound("没有这个台账任务")
        return existing
    stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v not in (None, "")}
    row = LedgerJob(uuid=uuid, kind=kind, format=fmt, filters=stored, requested_by=p.id if p else None,
                    county=p.county_id if p and not p.is_city else None, created_at=clock.now())
    try:
        async with db.write():
            await row.save()
            await audit.record(p.actor if p else SHELL_ACTOR, "ledger.request", "ledger_job", uuid,
                               data={"kind": kind, "format": fmt, "filters": stored})
    except Exception as exc:
        if not db.is_unique_violation(exc):
            raise
        # the same UUID sent twice at once: the other request made the job; this one answers with it
        return await request(p, kind, fmt, filters, uuid)
    return await get_row(uuid)


async def _check_filters(f: dict[str, Any]) -> None:
    """A filter that names nothing gives a message, not an empty ledger that looks like good news."""
    from server.checklists.model import AREAS
    from server.sites.tables import County, Department, Site

    if f.get("area") and f["area"] not in AREAS:
        raise Invalid("unknown_area", f"没有这个类别：{f['area']}（可选：{'、'.join(AREAS)}）")
    if f.get("county_id") and not await County.exists().where(County.id == f["county_id"]):
        raise NotFound("没有这个县（市、区）")
    if f.get("site_id"):
        site = await Site.select(Site.county).where(Site.id == f["site_id"]).first()
        if site is None or (f.get("county_id") and site["county"] != f["county_id"]):
            raise NotFound("没有这个安置点（或不属于所选县区）")
    if f.get("department_id") and not await Department.exists().where(Department.id == f["department_id"]):
        raise NotFound("没有这个责任部门")


async def _check_visit(p: Principal | None, inspection: str | None) -> None:
    """A visit report names a visit the caller may read (404 otherwise, as if it did not exist)."""
    from server.inspections.service import can_read
    from server.inspections.tables import Inspection

    try:
        uuid = UUID(str(inspection))
    except ValueError:
        raise Invalid("bad_inspection", "督查记录须指定一次督查（inspection 为其 UUID）") from None
    row = await Inspection.select().where(Inspection.uuid == uuid).first()
    if row is None or (p is not None and not can_read(p, row)):
        raise NotFound("督查记录不存在")


async def move_job(uuid: UUID, to: str, from_states: tuple[str, ...], values: dict | None = None, *,
                   reason: str = "") -> bool:
    """Move a job between states (queued, running, done, failed) with its audit event in one
    transaction; False when the job was not in ``from_states`` (another runner moved it first)."""
    async with db.write():
        moved = await LedgerJob.update({LedgerJob.state: to, **(values or {})}).where(
            (LedgerJob.uuid == uuid) & LedgerJob.state.is_in(list(from_states))).returning(LedgerJob.id)
        if moved:
            await audit.record(audit.SYSTEM, f"ledger.{to}", "ledger_job", uuid,
                               data={"from": list(from_states), **({"reason": reason[:500]} if reason else {})})
    return bool(moved)


async def get_row(uuid: UUID) -> dict[str, Any]:
    row = await LedgerJob.select().where(LedgerJob.uuid == uuid).output(load_json=True).first()
    if row is None:
        raise NotFound("没有这个台账任务")
    return row


#: who may read a ledger job: the rule lives in the policy module
can_see = can_read_ledger_job


async def get(p: Principal, uuid: UUID) -> dict[str, Any]:
    job = await get_row(uuid)
    if not can_see(p, job):
        raise NotFound("没有这个台账任务")
    return job


async def listing(p: Principal, limit: int = 50) -> list[dict[str, Any]]:
    query = LedgerJob.select().order_by(LedgerJob.id, ascending=False).limit(limit)
    if not p.is_city:
        query = query.where((LedgerJob.requested_by == p.id) | (LedgerJob.county == p.county_id) if p.role is Role.COUNTY_TEAM
                            else LedgerJob.requested_by == p.id)
    return await query.output(load_json=True)


# -- the runner: one worker process per job, at most one at a time per server process ----------

_slots = asyncio.Semaphore(1)
_tasks: set[asyncio.Task] = set()
_procs: dict[UUID, asyncio.subprocess.Process] = {}
_stopping = False  # the server is shutting down: no job starts
_terminating = False  # ... and its grace is over: running jobs are stopped and queued again
#: how long a stopping server waits for a ledger being rendered before it stops it
SHUTDOWN_GRACE = 15.0


def too_long(exc: Exception) -> str:
    """What a job stopped at the time limit says."""
    return f"生成超时：{exc}。台账太大，请按县或按月缩小范围后重试"


def start(uuid: UUID) -> None:
    task = asyncio.get_running_loop().create_task(_run(uuid))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _run(uuid: UUID) -> None:
    async with _slots:
        if _stopping:  # stays queued; the next start resumes it
            return
        from server.jobs import queue, retry

        if queue.enabled():  # the queue's workers render it, on whichever machine
            await queue.defer_ledger(uuid)
            return
        env = None
        if get_settings().test_clock or clock.is_set():  # a clock set by a test: the worker goes on from the same instant
            env = {**os.environ, "DUCHA_TEST_CLOCK": clock.now().isoformat()}
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "server.ledgers.worker", str(uuid), cwd=str(ROOT), env=env)
        _procs[uuid] = proc
        if _terminating:
            proc.terminate()
        try:
            code = await retry.within(retry.limit(), proc.wait())
        except retry.TimedOut as exc:  # stopped where it is (its render pool's processes end with it)
            proc.kill()
            await proc.wait()
            error = too_long(exc)
            await move_job(uuid, "failed", ("queued", "running"), {LedgerJob.error: error, LedgerJob.finished_at: clock.now()},
                           reason=error)
            return
        finally:
            _procs.pop(uuid, None)
    if code == 0:
        return
    if _terminating:  # stopped by a server shutting down: rendered anew at the next start
        await move_job(uuid, "queued", ("running",), {LedgerJob.rows_done: 0, LedgerJob.started_at: None},
                       reason="server shutting down")
    else:
        error = f"生成进程异常退出（{code}），请重试"
        await move_job(uuid, "failed", ("queued", "running"), {LedgerJob.error: error, LedgerJob.finished_at: clock.now()},
                       reason=error)


#: a running job's worker renews its lease every heartbeat(); a lease not renewed for lease() means the
#: worker (or the whole server) is gone, and the job is queued again and rendered afresh
def lease() -> timedelta:
    return timedelta(seconds=get_settings().ledger_lease_seconds)


def heartbeat() -> float:
    return get_settings().ledger_lease_seconds / 3


#: how often a server looks for lapsed leases
LEASE_CHECK = 30.0


def open_runner() -> None:
    """Jobs may start (again): at start-up, after a ``stop()``."""
    global _stopping, _terminating
    _stopping = _terminating = False


async def requeue_lapsed() -> list[UUID]:
    """Jobs whose worker stopped renewing its lease (killed, or its server with it) go back to the
    queue and start again here; a worker claims each job once, so any number of servers may call this."""
    lapsed = await LedgerJob.select(LedgerJob.uuid).where(
        (LedgerJob.state == "running") & (LedgerJob.lease_until.is_null() | (LedgerJob.lease_until < clock.now())))
    moved = [r["uuid"] for r in lapsed
             if await move_job(r["uuid"], "queued", ("running",), {LedgerJob.rows_done: 0, LedgerJob.lease_until: None},
                               reason="lease lapsed: its worker stopped")]
    for uuid in moved:
        start(uuid)
    return moved


async def resume_unfinished() -> None:
    """On start-up: queued jobs are run, and running jobs whose lease lapsed are queued again."""
    open_runner()
    await requeue_lapsed()
    for row in await LedgerJob.select(LedgerJob.uuid).where(LedgerJob.state == "queued"):
        start(row["uuid"])


async def watch_leases() -> None:
    """While the server runs: every LEASE_CHECK seconds, queue again the jobs whose lease lapsed."""
    while not _stopping:
        await asyncio.sleep(LEASE_CHECK)
        try:
            await requeue_lapsed()
        except Exception:
            log.exception("checking ledger job leases failed")


async def stop(grace: float = SHUTDOWN_GRACE) -> None:
    """On shutdown: no new job starts (queued ones wait for the next start); a job being rendered
    gets ``grace`` seconds to finish, then its process is stopped and the job queued again, so the
    next start renders it instead of leaving it "running" (and no worker outlives the server)."""
    global _stopping, _terminating
    _stopping = True
    if _tasks:
        await asyncio.wait(set(_tasks), timeout=grace)
    _terminating = True
    for proc in list(_procs.values()):
        if proc.returncode is None:
            proc.terminate()
    if _tasks:
        await asyncio.wait(set(_tasks), timeout=10)


# -- submissions (报送) -----------------------------------------------------------------------------

PERIOD = re.compile(MONTH_PATTERN)


def due_on(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next + timedelta(days=get_settings().ledger_due_day - 1)


def month_bounds(period: str) -> tuple[date, date]:
    """The first and last day of the month "YYYY-MM"."""
    year, month = int(period[:4]), int(period[5:])
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, 1), first_next - timedelta(days=1)


#: filters that make a ledger less than the whole county's
PARTIAL = {"site_id": "安置点", "area": "类别", "department_id": "责任部门", "state": "状态", "inspection": "督查记录"}


def check_monthly(job: dict[str, Any], county_id: int, period: str, today: date) -> None:
    """What a month's submission is: this county's whole-county PDF of a required kind, for exactly
    that calendar month, made after the month was over. Anything else is refused with the reason."""
    first, last = month_bounds(period)
    label = f"{first.year}年{first.month}月"
    if job["kind"] not in REQUIRED:
        names = "、".join(KINDS[k] for k in REQUIRED)
        raise Invalid("not_required_kind", f"{KINDS[job['kind']]}不属于月度报送的台账（每月报送：{names}）")
    if job["format"] != "pdf":
        raise Invalid("not_pdf", "报送须为 PDF 台账（电子表格仅供本单位使用）")
    f = job["filters"] or {}
    if f.get("county_id") != county_id:
        raise Forbidden("只能报送本县生成的台账")
    narrowed = [name for key, name in PARTIAL.items() if f.get(key)]
    if narrowed:
        raise Invalid("not_whole_county", f"这份台账按{'、'.join(narrowed)}筛选过，不是全县台账；报送须为不加筛选的全县台账")
    if last >= today:
        raise Invalid("period_not_over", f"{label}尚未结束，月度台账须在月末之后生成并报送")
    if (f.get("date_from"), f.get("date_to")) != (first.isoformat(), last.isoformat()):
        got = f"{f.get('date_from') or '不限'} 至 {f.get('date_to') or '不限'}"
        raise Invalid("wrong_period", f"这份台账的时间范围是 {got}，不是{label}（{first} 至 {last}）；请按报送月份重新生成")
    if clock.local(clock.aware(job["created_at"])).date() <= last:
        raise Invalid("made_too_early", f"这份台账生成于{label}结束之前，未包含整月情况；请重新生成后报送")


async def submit(p: Principal, uuid: UUID, period: str, note: str = "") -> dict[str, Any]:
    """报送 a finished ledger for a month. Sending the same file again is the same submission; sending
    another file of the same kind for a month already reported is a correction (更正): the earlier
    submission stays on record and the new one names it."""
    if p.role is not Role.COUNTY_TEAM:
        raise Forbidden("只有县级专班可以报送台账")
    if not PERIOD.match(period or ""):
        raise Invalid("bad_period", "报送月份格式应为 YYYY-MM，例如 2026-11")
    job = await get(p, uuid)
    if job["county"] != p.county_id:
        raise Forbidden("只能报送本县生成的台账")
    if job["state"] != "done":
        raise Conflict("台账尚未生成完成，不能报送", code="not_ready")
    now = clock.now()
    check_monthly(job, p.county_id, period, clock.local(now).date())
    if hashlib.sha256(await asyncio.to_thread(files.read, job)).hexdigest() != job["sha256"]:
        raise Conflict("台账文件与生成时的摘要不符，请重新生成", code="file_changed")
    due = due_on(period)
    from server.sites.tables import County

    async with db.write():
        await db.lock_row(County, p.county_id)  # one submission at a time per county
        same = await LedgerSubmission.select().where((LedgerSubmission.job == job["id"]) & (LedgerSubmission.period == period)).first()
        if same is not None:
            return same  # a retried submission is the same submission
        earlier = await LedgerSubmission.select().where(
            (LedgerSubmission.county == p.county_id) & (LedgerSubmission.kind == job["kind"]) & (LedgerSubmission.period == period)
        ).order_by(LedgerSubmission.id, ascending=False).first()
        if earlier is not None and not note.strip():
            raise Invalid("correction_note_required", f"{period} 的{KINDS[job['kind']]}已报送过；更正报送须写明更正原因")
        row = LedgerSubmission(job=job["id"], county=p.county_id, kind=job["kind"], period=period, sha256=job["sha256"],
                               digest=job["digest"], submitted_by=p.id, submitted_at=now, due_on=due,
                               late=clock.local(now).date() > due, replaces=earlier["id"] if earlier else None, note=note.strip())
        await row.save()
        await audit.record(p.actor, "ledger.submit", "ledger_job", uuid,
                           data={"period": period, "kind": job["kind"], "sha256": job["sha256"],
                                 "replaces": earlier["id"] if earlier else None, "note": note.strip()})
    await mail.notify_submission(row.to_dict(), job)
    return await LedgerSubmission.select().where(LedgerSubmission.id == row.id).first()


async def inbox(p: Principal, period: str) -> list[dict[str, Any]]:
    """The city office's view of a month: per county and required ledger, what came, when, late or missing."""
    from server.accounts.tables import User
    from server.sites.tables import County

    if not p.is_city:
        raise Forbidden("只有市级可以查看报送情况")
    if not PERIOD.match(period or ""):
        raise Invalid("bad_period", "月份格式应为 YYYY-MM，例如 2026-11")
    due = due_on(period)
    today = clock.today()
    users = {u["id"]: u["display_name"] for u in await User.select(User.id, User.display_name)}
    rows = await LedgerSubmission.select(LedgerSubmission.all_columns(), LedgerSubmission.job.uuid.as_alias("job_uuid")) \
        .where(LedgerSubmission.period == period).order_by(LedgerSubmission.submitted_at)
    sent: dict[tuple[int, str], list[dict]] = {}
    for r in rows:
        sent.setdefault((r["county"], r["kind"]), []).append(r)
    jobs = {j["id"]: j for j in await LedgerJob.select().where(LedgerJob.id.is_in([r["job"] for r in rows] or [-1])).output(load_json=True)}
    out = []
    for county in await County.select().order_by(County.code):
        ledgers = []
        for kind in REQUIRED:
            history = sent.get((county["id"], kind), [])
            if not history:
                ledgers.append({"kind": kind, "name": KINDS[kind], "status": "missing" if today > due else "pending",
                                "status_name": "逾期未报" if today > due else "未报送", "files": []})
                continue
            first = history[0]  # on time or late is judged on the first submission; corrections follow it
            files = [_sent_file(r, jobs[r["job"]], users, county["name"]) for r in history]
            ledgers.append({"kind": kind, "name": KINDS[kind], "status": "late" if first["late"] else "on_time",
                            "status_name": ("逾期报送" if first["late"] else "按时报送") + ("（已更正）" if len(history) > 1 else ""),
                            **files[-1], "files": files})
        out.append({"county_id": county["id"], "county_name": county["name"], "period": period, "due_on": due, "ledgers": ledgers})
    return out


def _sent_file(r: dict, job: dict, users: dict[int, str], county: str) -> dict[str, Any]:
    """One submitted file as the city sees it: when, by whom, and what the file covers."""
    f = job["filters"] or {}
    return {"submitted_at": r["submitted_at"], "submitted_by": users.get(r["submitted_by"], ""), "sha256": r["sha256"],
            "digest": r["digest"], "late": r["late"], "correction": r["replaces"] is not None, "note": r["note"],
            "covers": f"{county}全县，{f.get('date_from', '不限')} 至 {f.get('date_to', '不限')}",
            "file": f"/api/ledgers/{r['job_uuid']}/file", "file_name": job["file_name"]}


# -- verify a printed or sent file ------------------------------------------------------------------

DIGEST = re.compile(r"台账摘要.{0,20}?([0-9a-f]{64})")


async def verify(data: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(verdict, message, job): ``same`` (byte for byte the file the server made), ``altered``
    (the digest is known but the file differs), ``unknown`` (no such ledger on this server)."""
    sha = hashlib.sha256(data).hexdigest()
    job = await LedgerJob.select().where(LedgerJob.sha256 == sha).output(load_json=True).first()
    if job is not None:
        return "same", f"与服务器存档一致：{KINDS[job['kind']]}，生成于 {clock.local(clock.aware(job['finished_at'])):%Y-%m-%d %H:%M}，摘要 {job['digest']}", job
    digest = await asyncio.to_thread(_digest_in, data)  # parsing a big PDF is not for the event loop
    if digest:
        job = await LedgerJob.select().where(LedgerJob.digest == digest).output(load_json=True).first()
        if job is not None:
            return "altered", f"文件中的台账摘要 {digest} 属于服务器上的{KINDS[job['kind']]}，但文件内容与存档不同：可能被修改过", job
        return "unknown", f"服务器上没有摘要为 {digest} 的台账", None
    return "unknown", "文件中找不到台账摘要，也不是服务器生成的任何文件", None


def _digest_in(data: bytes) -> str | None:
    import io

    try:
        from pypdf import PdfReader

        text = "".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages[:1])
    except Exception:  # noqa: BLE001 - not a PDF: maybe a spreadsheet
        text = ""
    if not text:
        try:
            from openpyxl import load_workbook

            wb = load_workbook(io.BytesIO(data), read_only=True)
            text = " ".join(str(c) for row in wb["说明"].iter_rows(values_only=True) for c in row if c)
        except Exception:  # noqa: BLE001
            return None
    m = DIGEST.search(text.replace("\n", ""))
    return m.group(1) if m else None
