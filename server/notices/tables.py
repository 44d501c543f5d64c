"""Notices (提醒): what the server tells a person without being asked, kept as their in-app inbox."""

from typing import Any

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.accounts.tables import User


class Notice(Table, tablename="notice"):
    """One notice to one person. ``key`` makes it once-only: the same issue at the same rung of the
    escalation ladder is told to the same person once, however often (or on however many nodes) the
    daily run goes."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    key = Varchar(length=96, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=16)  # escalation
    #: the issue it is about (0: none)
    issue_id = Integer(default=0, index=True)
    title = Varchar(length=200)
    body = Text(default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)
    #: when it went out by mail (null: in-app only: no address, no SMTP, or not yet)
    mailed_at = Timestamptz(null=True, default=None)
