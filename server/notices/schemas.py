"""What the notices API takes and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec


class NoticeOut(msgspec.Struct):
    id: int
    kind: str
    #: the issue it is about (0: none)
    issue_id: int
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class Inbox(msgspec.Struct):
    items: list[NoticeOut]
    #: the caller's unread notices (all of them, not only those listed)
    unread: int


class ReadIn(msgspec.Struct, forbid_unknown_fields=True):
    """Notices to mark read: these ids, or every unread one when ``ids`` is absent."""

    ids: Annotated[list[int], msgspec.Meta(max_length=500)] | None = None


class ReadOut(msgspec.Struct):
    marked: int
