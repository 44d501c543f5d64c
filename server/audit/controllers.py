"""The audit log over HTTP, for the city admin: the events (who, what, when, which object) and
whether the chain holds."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from server.accounts.guards import require_role
from server.accounts.roles import Role
from server.audit import service
from server.audit.schemas import ChainStatus, EventOut, EventPage
from server.audit.tables import AuditEvent
from server.lib import clock
from server.lib.bounds import Offset, check_day

ONLY = "审计日志只对市级管理员开放"


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/events", operation_id="listAuditEvents")
    async def events(
        self, request: Request,
        actor: Annotated[str | None, QueryParameter(max_length=64, description="用户名（完全一致）")] = None,
        action: Annotated[str | None, QueryParameter(max_length=64, description="动作，如 issue.update；以 . 结尾为前缀，如 plan.")] = None,
        object_type: Annotated[str | None, QueryParameter(max_length=32)] = None,
        object_id: Annotated[str | None, QueryParameter(max_length=64)] = None,
        day_from: Annotated[date | None, QueryParameter(name="from")] = None,
        day_to: Annotated[date | None, QueryParameter(name="to")] = None,
        offset: Offset = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> EventPage:
        require_role(request.user, Role.CITY_ADMIN, message=ONLY)
        check_day(day_from, "开始日期")
        check_day(day_to, "结束日期")
        clauses = []
        if actor:
            clauses.append(AuditEvent.actor == actor)
        if action:
            clauses.append(AuditEvent.action.like(f"{action}%") if action.endswith(".") else AuditEvent.action == action)
        if object_type:
            clauses.append(AuditEvent.object_type == object_type)
        if object_id:
            clauses.append(AuditEvent.object_id == object_id)
        if day_from:
            clauses.append(AuditEvent.at >= datetime.combine(day_from, time(), clock.SHANGHAI))
        if day_to:
            clauses.append(AuditEvent.at < datetime.combine(day_to + timedelta(days=1), time(), clock.SHANGHAI))
        query, count = AuditEvent.select().output(load_json=True), AuditEvent.count()
        for c in clauses:
            query, count = query.where(c), count.where(c)
        rows = await query.order_by(AuditEvent.seq, ascending=False).offset(offset).limit(limit)
        return EventPage(items=[EventOut(seq=int(r["seq"]), at=clock.aware(r["at"]), actor=r["actor"], action=r["action"],
                                         object_type=r["object_type"], object_id=r["object_id"], data=r["data"] or {},
                                         hash=r["hash"]) for r in rows],
                         total=await count, offset=offset, limit=limit)

    @get("/verification", operation_id="verifyAuditChain")
    async def verification(self, request: Request) -> ChainStatus:
        require_role(request.user, Role.CITY_ADMIN, message=ONLY)
        head = await service.anchor()
        verdict = await service.verify()
        return ChainStatus(ok=verdict.ok, events=verdict.events, first_broken_seq=verdict.first_broken_seq, reason=verdict.reason,
                           head_seq=head.seq, head_hash=head.hash, checked_at=clock.now())
