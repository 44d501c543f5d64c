"""Ledgers over HTTP: request a job, watch its progress, download the file, submit it (报送)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any, cast
from urllib.parse import quote
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import FromPath, JSONBody, QueryParameter

from server.ledgers import files, service
from server.ledgers.model import KINDS
from server.ledgers.schemas import CountySubmissions, FileVerdict, JobOut, LedgerRequest, SubmissionIn, SubmissionOut
from server.lib import clock
from server.lib.errors import Conflict, Invalid

VERDICTS = {"same": "一致：是本系统生成的原件", "altered": "不一致：文件被修改过", "unknown": "无法核对：不是本系统生成的台账"}
VERIFY_MAX_BYTES = 100 * 1024 * 1024
STATE_NAMES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败"}


def job_out(job: dict[str, Any]) -> JobOut:
    total = job["rows_total"]
    percent = 100 if job["state"] == "done" else (int(job["rows_done"] * 100 / total) if total else 0)
    return JobOut(
        uuid=job["uuid"], kind=job["kind"], kind_name=KINDS[job["kind"]], format=job["format"], filters=job["filters"] or {},
        state=job["state"], state_name=STATE_NAMES[job["state"]], rows_total=total, rows_done=job["rows_done"], percent=percent,
        pages=job["pages"], file_name=job["file_name"], size_bytes=job["size_bytes"], sha256=job["sha256"], digest=job["digest"],
        error=job["error"], created_at=clock.aware(job["created_at"]),
        finished_at=clock.aware(job["finished_at"]) if job["finished_at"] else None,
        file_url=f"/api/ledgers/{job['uuid']}/file" if job["state"] == "done" else None,
    )


@dataclass
class _LedgerFileOperation(Operation):
    """The file is a PDF or a spreadsheet: both media types documented for the 200."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {media: OpenAPIMediaType(schema=binary) for media in service.FORMATS.values()}


class LedgersController(Controller):
    path = "/api/ledgers"
    tags = ["ledgers"]

    @post("/", operation_id="requestLedger", status_code=202)
    async def request_ledger(self, request: Request, data: JSONBody[LedgerRequest]) -> JobOut:
        filters = {k: getattr(data, k) for k in ("county_id", "site_id", "area", "department_id", "state", "date_from", "date_to", "inspection")}
        if filters["inspection"] is not None:
            filters["inspection"] = str(filters["inspection"])
        job = await service.request(request.user, data.kind, data.format, filters, data.uuid)
        if job["state"] == "queued":
            service.start(job["uuid"])
        return job_out(job)

    @get("/", operation_id="listLedgers")
    async def list_ledgers(self, request: Request) -> list[JobOut]:
        return [job_out(j) for j in await service.listing(request.user)]

    @get("/submissions", operation_id="ledgerSubmissions")
    async def submissions(self, request: Request, period: Annotated[str, QueryParameter(pattern=r"^\d{4}-\d{2}$")]) -> list[CountySubmissions]:
        return msgspec.convert(await service.inbox(request.user, period), list[CountySubmissions])

    @post("/verification", operation_id="verifyLedgerFile", status_code=200, request_max_body_size=VERIFY_MAX_BYTES + 1,
          description="Body: a ledger file (PDF or XLSX) as received. Answers whether it is byte for byte the file this server made.")
    async def verify_file(self, request: Request) -> FileVerdict:
        data = await request.body()
        if not data:
            raise Invalid("empty_file", "请选择要核对的台账文件（PDF 或 XLSX）")
        if len(data) > VERIFY_MAX_BYTES:
            raise Invalid("file_too_large", f"文件超过 {VERIFY_MAX_BYTES // 1024 // 1024} MB，不是本系统生成的台账")
        verdict, message, job = await service.verify(data)
        return FileVerdict(verdict=cast(Any, verdict), verdict_name=VERDICTS[verdict], message=message,
                           kind_name=KINDS[job["kind"]] if job else None, digest=job["digest"] if job else None,
                           file_name=job["file_name"] if job and verdict == "same" else None)

    @get("/{uuid:uuid}", operation_id="getLedger")
    async def get_ledger(self, request: Request, uuid: FromPath[UUID]) -> JobOut:
        return job_out(await service.get(request.user, uuid))

    @get("/{uuid:uuid}/file", operation_id="getLedgerFile", media_type="application/octet-stream",
         operation_class=_LedgerFileOperation, opt={"errors": {409}})
    async def file(self, request: Request, uuid: FromPath[UUID]) -> Response[bytes]:
        job = await service.get(request.user, uuid)
        if job["state"] != "done":
            raise Conflict(f"台账{STATE_NAMES[job['state']]}，文件尚不可下载", code="not_ready")
        data = await asyncio.to_thread(files.read, job)
        name = quote(job["file_name"])
        return Response(data, media_type=service.FORMATS[job["format"]], headers={
            "Content-Disposition": f"attachment; filename=\"ledger.{job['format']}\"; filename*=UTF-8''{name}",
            "X-Content-SHA256": job["sha256"]})

    @post("/{uuid:uuid}/submission", operation_id="submitLedger", status_code=200)
    async def submit(self, request: Request, uuid: FromPath[UUID], data: JSONBody[SubmissionIn]) -> SubmissionOut:
        row = await service.submit(request.user, uuid, data.period, data.note)
        return SubmissionOut(id=row["id"], period=row["period"], kind=row["kind"], sha256=row["sha256"], digest=row["digest"],
                             submitted_at=clock.aware(row["submitted_at"]), due_on=row["due_on"], late=row["late"], emailed=row["emailed"],
                             replaces=row["replaces"], note=row["note"])
