"""Users, sessions and failed logins."""

from typing import Any

from piccolo.columns import Boolean, Timestamptz, Varchar
from piccolo.columns.column_types import ForeignKey, OnDelete
from piccolo.table import Table

from server.sites.tables import County, Department, Site


class User(Table, tablename="app_user"):
    """A person with one role and the scope that role needs."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=64)
    password_hash = Varchar(length=256)
    role = Varchar(length=24)
    county = ForeignKey(references=County, null=True, on_delete=OnDelete.restrict)
    site = ForeignKey(references=Site, null=True, on_delete=OnDelete.restrict)
    department = ForeignKey(references=Department, null=True, on_delete=OnDelete.restrict)
    phone = Varchar(length=32, default="")
    #: where 催办 and 报送 notices are mailed (empty: in-app inbox only)
    email = Varchar(length=128, default="")
    active = Boolean(default=True)
    invented = Boolean(default=False)
    created_at = Timestamptz()


class Session(Table, tablename="user_session"):
    """A login; the cookie holds a token whose SHA-256 is stored here."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User, on_delete=OnDelete.cascade, index=True)
    csrf_token = Varchar(length=64)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    user_agent = Varchar(length=256, default="")


class LoginFailure(Table, tablename="login_failure"):
    """One failed login, kept for the throttling window."""

    id: Any  # the primary key Piccolo adds (an annotation only, for type checkers)
    username = Varchar(length=64, index=True)
    address = Varchar(length=64, index=True)
    at = Timestamptz(index=True)
