"""A person's notices (提醒) over HTTP: their own only."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from server.notices import service
from server.notices.schemas import Inbox, ReadIn, ReadOut


class NoticesController(Controller):
    path = "/api/notices"
    tags = ["notices"]

    @get("/", operation_id="myNotices", description="The caller's notices, newest first (50), and how many are unread.")
    async def mine(self, request: Request, unread: Annotated[bool, QueryParameter(description="only unread ones")] = False) -> Inbox:
        return msgspec.convert(await service.mine(request.user, unread=unread), Inbox)

    @post("/read", operation_id="readNotices", status_code=200,
          description="Mark the caller's notices read: the ids given (others' ids are ignored), or all when none are given.")
    async def read(self, request: Request, data: JSONBody[ReadIn]) -> ReadOut:
        return ReadOut(marked=await service.mark_read(request.user, data.ids))
