"""Issues over HTTP: read one, and move it through its lifecycle."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from server.issues import service
from server.issues.schemas import IssueOut, RectificationIn, VerificationIn


class IssuesController(Controller):
    path = "/api/issues"
    tags = ["issues"]

    @get("/{issue_id:int}", operation_id="getIssue")
    async def get_issue(self, request: Request, issue_id: FromPath[int]) -> IssueOut:
        return await service.get(request.user, issue_id)

    @post("/{issue_id:int}/start", operation_id="startIssue", status_code=200)
    async def start(self, request: Request, issue_id: FromPath[int]) -> IssueOut:
        return await service.start(request.user, issue_id)

    @post("/{issue_id:int}/rectifications", operation_id="rectifyIssue", status_code=200)
    async def rectify(self, request: Request, issue_id: FromPath[int], data: JSONBody[RectificationIn]) -> IssueOut:
        return await service.rectify(request.user, issue_id, data)

    @post("/{issue_id:int}/verification", operation_id="verifyIssue", status_code=200)
    async def verify(self, request: Request, issue_id: FromPath[int], data: JSONBody[VerificationIn]) -> IssueOut:
        return await service.verify(request.user, issue_id, data)
