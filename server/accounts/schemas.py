"""What the accounts API takes and returns."""

from __future__ import annotations

from typing import Annotated

import msgspec

from server.accounts.roles import Role
from server.lib.bounds import Id

Username = Annotated[str, msgspec.Meta(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Password


class Me(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: Role
    role_name: str
    county_id: int | None
    site_id: int | None
    department_id: int | None
    csrf_token: str


#: an address for notices, or "" for none
Email = Annotated[str, msgspec.Meta(max_length=128, pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")]


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    username: Username
    display_name: Name
    password: Password
    role: Role
    county_id: Id | None = None
    site_id: Id | None = None
    department_id: Id | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32)] = ""
    email: Email = ""


class UserUpdate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: Name | None = None
    password: Password | None = None
    active: bool | None = None
    phone: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    email: Email | None = None


class UserOut(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: Role
    county_id: int | None
    site_id: int | None
    department_id: int | None
    phone: str
    email: str
    active: bool
