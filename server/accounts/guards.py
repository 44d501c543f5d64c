"""The one place that decides who may read and write what.

Every route gets the caller as a :class:`Principal` and asks here. An object outside
the caller's scope is reported as not found (404), never as forbidden, so its
existence does not leak; a role that may never do an action gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Where, WhereRaw

from server.accounts.roles import CITY_ROLES, Role
from server.lib.errors import Forbidden, NotFound


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    id: int
    username: str
    display_name: str
    role: Role
    county_id: int | None = None
    site_id: int | None = None
    department_id: int | None = None
    session_id: int | None = None

    @property
    def is_city(self) -> bool:
        return self.role in CITY_ROLES

    @property
    def actor(self):
        from server.audit.service import Actor

        return Actor(self.id, self.username)



def principal_of(user: dict[str, Any], session_id: int | None = None) -> Principal:
    """The Principal of a ``user`` table row (a session, a job or the shell acting for the user)."""
    return Principal(id=user["id"], username=user["username"], display_name=user["display_name"], role=Role(user["role"]),
                     county_id=user["county"], site_id=user["site"], department_id=user["department"], session_id=session_id)


#: the shell (``ducha`` commands): the city office's view
SHELL = Principal(id=0, username="shell", display_name="命令行", role=Role.CITY_ADMIN)

def require_role(p: Principal, *roles: Role, message: str = "您的角色不能执行此操作") -> None:
    if p.role not in roles:
        raise Forbidden(message)


def visible(p: Principal, *, county_id: int | None, site_id: int | None = None, department_id: int | None = None) -> bool:
    """May ``p`` read an object placed at this county / site / department?"""
    if p.is_city:
        return True
    if p.role is Role.COUNTY_TEAM:
        return county_id is not None and county_id == p.county_id
    if p.role is Role.SITE_MANAGER:
        return site_id is not None and site_id == p.site_id
    if p.role is Role.DEPARTMENT:
        if p.county_id is not None and county_id != p.county_id:
            return False
        return department_id is not None and department_id == p.department_id
    return False


def require_visible(p: Principal, **place: Any) -> None:
    if not visible(p, **place):
        raise NotFound()


def scope_where(
    p: Principal,
    *,
    county: Column | None = None,
    site: Column | None = None,
    department: Column | None = None,
) -> Where | WhereRaw | None:
    """The WHERE clause that limits a listing to ``p``'s scope (None: everything)."""
    if p.is_city:
        return None
    if p.role is Role.COUNTY_TEAM and county is not None:
        return county == p.county_id
    if p.role is Role.SITE_MANAGER and site is not None:
        return site == p.site_id
    if p.role is Role.DEPARTMENT and department is not None:
        clause: Any = department == p.department_id
        if p.county_id is not None and county is not None:
            clause = clause & (county == p.county_id)
        return clause
    return WhereRaw("1 = 0")


def site_where(p: Principal, site_table) -> Where | WhereRaw | None:
    """Sites ``p`` may see: a county team its county, a site manager its site,
    a department user the sites of its county (all when not bound to one)."""
    if p.is_city:
        return None
    if p.role is Role.COUNTY_TEAM:
        return site_table.county == p.county_id
    if p.role is Role.SITE_MANAGER:
        return site_table.id == p.site_id
    if p.role is Role.DEPARTMENT:
        return None if p.county_id is None else site_table.county == p.county_id
    return WhereRaw("1 = 0")


def site_visible(p: Principal, site: dict[str, Any]) -> bool:
    if p.is_city:
        return True
    if p.role is Role.COUNTY_TEAM:
        return site["county"] == p.county_id
    if p.role is Role.SITE_MANAGER:
        return site["id"] == p.site_id
    if p.role is Role.DEPARTMENT:
        return p.county_id is None or site["county"] == p.county_id
    return False
