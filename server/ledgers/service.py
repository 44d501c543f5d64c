"""Ledger jobs: request, run in a worker process, progress, the file; submissions (报送); verify."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from server.audit import service as audit
from server.accounts.guards import Principal
from server.accounts.roles import Role
from server.ledgers.model import KINDS, LedgerFilters
from server.ledgers.tables import LedgerJob, LedgerSubmission
from server.lib import clock, db
from server.lib.errors import Conflict, Forbidden, Invalid, NotFound
from server.settings import get_settings

FORMATS = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: the ledgers a county reports every month (policy 四(一))
REQUIRED = ("work", "issues", "rectification")
ROOT = Path(__file__).resolve().parents[2]


def folder() -> Path:
    return get_settings().media_dir / "ledgers"


def file_path(job: dict[str, Any]) -> Path:
    return folder() / f"{job['uuid']}.{job['format']}"


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
        raise Invalid("bad_period", "开始日期不能晚于结束日期")
    filters = _scoped_filters(p, filters) if p else filters
    uuid = uuid or uuid4()
    existing = await LedgerJob.select().where(LedgerJob.uuid == uuid).output(load_json=True).first()
    if existing is not None:
        if p and existing["requested_by"] != p.id:
            raise NotFound("没有这个台账任务")
        return existing
    stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v not in (None, "")}
    row = LedgerJob(uuid=uuid, kind=kind, format=fmt, filters=stored, requested_by=p.id if p else None,
                    county=p.county_id if p and not p.is_city else None, created_at=clock.now())
    async with db.write():
        await row.save()
        if p:
            await audit.record(p.actor, "ledger.request", "ledger_job", uuid, data={"kind": kind, "format": fmt, "filters": stored})
    return await get_row(uuid)


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


async def get_row(uuid: UUID) -> dict[str, Any]:
    row = await LedgerJob.select().where(LedgerJob.uuid == uuid).output(load_json=True).first()
    if row is None:
        raise NotFound("没有这个台账任务")
    return row


def can_see(p: Principal, job: dict[str, Any]) -> bool:
    if p.is_city or job["requested_by"] == p.id:
        return True
    return p.role is Role.COUNTY_TEAM and job["county"] is not None and job["county"] == p.county_id


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


def start(uuid: UUID) -> None:
    task = asyncio.get_running_loop().create_task(_run(uuid))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _run(uuid: UUID) -> None:
    async with _slots:
        if _stopping:  # stays queued; the next start resumes it
            return
        env = None
        if get_settings().test_clock:  # a server on a test clock: its worker goes on from the same instant
            env = {**os.environ, "DUCHA_TEST_CLOCK": clock.now().isoformat()}
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "server.ledgers.worker", str(uuid), cwd=str(ROOT), env=env)
        _procs[uuid] = proc
        if _terminating:
            proc.terminate()
        try:
            code = await proc.wait()
        finally:
            _procs.pop(uuid, None)
    if code == 0:
        return
    where = LedgerJob.uuid == uuid
    if _terminating:  # stopped by a server shutting down: rendered anew at the next start
        await LedgerJob.update({LedgerJob.state: "queued", LedgerJob.rows_done: 0, LedgerJob.started_at: None}).where(
            where & (LedgerJob.state == "running"))
    else:
        await LedgerJob.update({LedgerJob.state: "failed", LedgerJob.error: f"生成进程异常退出（{code}），请重试",
                                LedgerJob.finished_at: clock.now()}).where(where & LedgerJob.state.is_in(["queued", "running"]))


STALE = timedelta(minutes=30)


def open_runner() -> None:
    """Jobs may start (again): at start-up, after a ``stop()``."""
    global _stopping, _terminating
    _stopping = _terminating = False


async def resume_unfinished() -> None:
    """On start-up: queued jobs are run; a job left "running" for half an hour by a stopped server
    is queued again (a worker claims each job once, so several server workers may all call this)."""
    open_runner()
    await LedgerJob.update({LedgerJob.state: "queued"}).where(
        (LedgerJob.state == "running") & (LedgerJob.started_at < clock.now() - STALE))
    for row in await LedgerJob.select(LedgerJob.uuid).where(LedgerJob.state == "queued"):
        start(row["uuid"])


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

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def due_on(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    first_next = date(year + (month == 12), month % 12 + 1, 1)
    return first_next + timedelta(days=get_settings().ledger_due_day - 1)


async def submit(p: Principal, uuid: UUID, period: str) -> dict[str, Any]:
    if p.role is not Role.COUNTY_TEAM:
        raise Forbidden("只有县级专班可以报送台账")
    if not PERIOD.match(period or ""):
        raise Invalid("bad_period", "报送月份格式应为 YYYY-MM，例如 2026-11")
    job = await get(p, uuid)
    if job["county"] != p.county_id or job["format"] != "pdf":
        raise Forbidden("只能报送本县生成的 PDF 台账")
    if job["state"] != "done":
        raise Conflict("not_ready", "台账尚未生成完成，不能报送")
    if hashlib.sha256(file_path(job).read_bytes()).hexdigest() != job["sha256"]:
        raise Conflict("file_changed", "台账文件与生成时的摘要不符，请重新生成")
    same = await LedgerSubmission.select().where((LedgerSubmission.job == job["id"]) & (LedgerSubmission.period == period)).first()
    if same is not None:
        return same  # a retried submission is the same submission
    now = clock.now()
    due = due_on(period)
    row = LedgerSubmission(job=job["id"], county=p.county_id, kind=job["kind"], period=period, sha256=job["sha256"],
                           digest=job["digest"], submitted_by=p.id, submitted_at=now, due_on=due,
                           late=clock.local(now).date() > due)
    async with db.write():
        await row.save()
        await audit.record(p.actor, "ledger.submit", "ledger_job", uuid,
                                   data={"period": period, "kind": job["kind"], "sha256": job["sha256"]})
    from server.ledgers import mail

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
    latest = {(r["county"], r["kind"]): r for r in rows}
    out = []
    for county in await County.select().order_by(County.code):
        ledgers = []
        for kind in REQUIRED:
            r = latest.get((county["id"], kind))
            if r is None:
                ledgers.append({"kind": kind, "name": KINDS[kind], "status": "missing" if today > due else "pending",
                                "status_name": "逾期未报" if today > due else "未报送"})
            else:
                ledgers.append({"kind": kind, "name": KINDS[kind], "status": "late" if r["late"] else "on_time",
                                "status_name": "逾期报送" if r["late"] else "按时报送", "submitted_at": r["submitted_at"],
                                "submitted_by": users.get(r["submitted_by"], ""), "sha256": r["sha256"],
                                "file": f"/api/ledgers/{r['job_uuid']}/file"})
        out.append({"county_id": county["id"], "county_name": county["name"], "period": period, "due_on": due, "ledgers": ledgers})
    return out


# -- verify a printed or sent file ------------------------------------------------------------------

DIGEST = re.compile(r"台账摘要.{0,20}?([0-9a-f]{64})")


async def verify(data: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(verdict, message, job): ``same`` (byte for byte the file the server made), ``altered``
    (the digest is known but the file differs), ``unknown`` (no such ledger on this server)."""
    sha = hashlib.sha256(data).hexdigest()
    job = await LedgerJob.select().where(LedgerJob.sha256 == sha).output(load_json=True).first()
    if job is not None:
        return "same", f"与服务器存档一致：{KINDS[job['kind']]}，生成于 {clock.local(clock.aware(job['finished_at'])):%Y-%m-%d %H:%M}，摘要 {job['digest']}", job
    digest = _digest_in(data)
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
