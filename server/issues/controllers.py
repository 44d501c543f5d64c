"""Issues over HTTP: lists and counts, one issue, and its lifecycle."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Literal

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter

from server.issues import queries, service
from server.issues.schemas import (
    AssignmentResult,
    Inbox,
    IssueAssignment,
    IssueCreate,
    IssueOut,
    IssuePage,
    IssueUpdate,
    RectificationIn,
    RepeatFinding,
    StateCounts,
    VerificationIn,
)
from server.lib.bounds import Offset, PathId, QueryId, check_day

State = Literal["open", "rectifying", "submitted", "closed"]
Sort = Literal["found_at", "-found_at", "deadline", "-deadline", "severity"]


def _filters(county_id, site_id, area, department_id, state, severity, source, overdue, found_from, found_to) -> queries.Filters:
    check_day(found_from, "开始日期")
    check_day(found_to, "结束日期")
    return queries.Filters(county_id=county_id, site_id=site_id, area=area, department_id=department_id, state=state,
                           severity=severity, source=source, overdue=overdue, found_from=found_from, found_to=found_to)


class IssuesController(Controller):
    path = "/api/issues"
    tags = ["issues"]

    @get("/", operation_id="listIssues")
    async def list_issues(
        self, request: Request,
        county_id: QueryId = None,
        site_id: QueryId = None,
        area: Annotated[str | None, QueryParameter(max_length=32)] = None,
        department_id: QueryId = None,
        issue_state: Annotated[State | None, QueryParameter(name="state")] = None,
        severity: Annotated[Literal["minor", "major", "critical"] | None, QueryParameter()] = None,
        source: Annotated[Literal["visit", "self_check", "complaint", "department"] | None, QueryParameter()] = None,
        overdue: Annotated[bool | None, QueryParameter()] = None,
        found_from: Annotated[date | None, QueryParameter(name="from")] = None,
        found_to: Annotated[date | None, QueryParameter(name="to")] = None,
        q: Annotated[str | None, QueryParameter(max_length=64, description="问题编号（如 盐湖-2026-0057）或问题描述中的文字")] = None,
        sort: Annotated[Sort, QueryParameter()] = "-found_at",
        offset: Offset = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> IssuePage:
        f = _filters(county_id, site_id, area, department_id, issue_state, severity, source, overdue, found_from, found_to)
        f = dataclasses.replace(f, q=q or None)
        return await queries.list_issues(request.user, f, sort=sort, offset=offset, limit=limit)

    @get("/counts", operation_id="countIssues")
    async def counts(
        self, request: Request,
        county_id: QueryId = None,
        area: Annotated[str | None, QueryParameter(max_length=32)] = None,
        found_from: Annotated[date | None, QueryParameter(name="from")] = None,
        found_to: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> list[StateCounts]:
        f = _filters(county_id, None, area, None, None, None, None, None, found_from, found_to)
        return await queries.counts(request.user, f)

    @get("/repeats", operation_id="repeatFindings")
    async def repeats(self, request: Request, county_id: QueryId = None) -> list[RepeatFinding]:
        f = _filters(county_id, None, None, None, None, None, None, None, None, None)
        return await queries.repeats(request.user, f)

    @get("/inbox", operation_id="issueInbox")
    async def inbox(self, request: Request) -> Inbox:
        return Inbox(**await queries.inbox(request.user))

    @post("/", operation_id="createIssue", status_code=200)
    async def create(self, request: Request, data: JSONBody[IssueCreate]) -> IssueOut:
        return await service.create(request.user, data)

    @post("/assignment", operation_id="assignIssues", status_code=200)
    async def assign(self, request: Request, data: JSONBody[IssueAssignment]) -> AssignmentResult:
        return await service.assign_many(request.user, data)

    @get("/{issue_id:int}", operation_id="getIssue")
    async def get_issue(self, request: Request, issue_id: PathId) -> IssueOut:
        return await service.get(request.user, issue_id)

    @patch("/{issue_id:int}", operation_id="updateIssue")
    async def update(self, request: Request, issue_id: PathId, data: JSONBody[IssueUpdate]) -> IssueOut:
        return await service.update(request.user, issue_id, data)

    @post("/{issue_id:int}/start", operation_id="startIssue", status_code=200)
    async def start(self, request: Request, issue_id: PathId) -> IssueOut:
        return await service.start(request.user, issue_id)

    @post("/{issue_id:int}/rectifications", operation_id="rectifyIssue", status_code=200)
    async def rectify(self, request: Request, issue_id: PathId, data: JSONBody[RectificationIn]) -> IssueOut:
        return await service.rectify(request.user, issue_id, data)

    @post("/{issue_id:int}/verification", operation_id="verifyIssue", status_code=200)
    async def verify(self, request: Request, issue_id: PathId, data: JSONBody[VerificationIn]) -> IssueOut:
        return await service.verify(request.user, issue_id, data)
