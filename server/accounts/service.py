"""Managing users (the city office does this)."""

from __future__ import annotations

from server.accounts.guards import Principal, require_role
from server.accounts.passwords import MIN_LENGTH, new_hash
from server.accounts.roles import CITY_ROLES, Role
from server.accounts.schemas import UserCreate, UserOut, UserUpdate
from server.accounts.tables import Session, User
from server.audit import service as audit
from server.lib import clock, db
from server.lib.errors import Invalid, NotFound
from server.sites.tables import County, Department, Site

PUBLIC = [User.id, User.username, User.display_name, User.role, User.county, User.site, User.department, User.phone, User.email, User.active]


def _out(row: dict) -> UserOut:
    return UserOut(
        id=row["id"], username=row["username"], display_name=row["display_name"], role=Role(row["role"]),
        county_id=row["county"], site_id=row["site"], department_id=row["department"], phone=row["phone"], email=row["email"], active=row["active"],
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise Invalid("weak_password", f"密码至少 {MIN_LENGTH} 位")


async def _scope_for(data: UserCreate) -> dict:
    """The county/site/department a role needs, checked to exist."""
    county, site, dept = data.county_id, data.site_id, data.department_id
    if data.role in CITY_ROLES:
        if county or site or dept:
            raise Invalid("bad_scope", "市级账号不应绑定县、安置点或部门")
        return {}
    if data.role is Role.COUNTY_TEAM and (not county or site or dept):
        raise Invalid("bad_scope", "县级专班账号必须且只能绑定一个县")
    if data.role is Role.SITE_MANAGER:
        if not site or dept:
            raise Invalid("bad_scope", "安置点账号必须绑定一个安置点")
        row = await Site.select(Site.county).where(Site.id == site).first()
        if row is None:
            raise Invalid("bad_scope", "安置点不存在")
        county = row["county"]
    if data.role is Role.DEPARTMENT:
        if not dept or site:
            raise Invalid("bad_scope", "部门账号必须绑定一个部门（可另选一个县）")
        if not await Department.exists().where(Department.id == dept):
            raise Invalid("bad_scope", "部门不存在")
    if county and not await County.exists().where(County.id == county):
        raise Invalid("bad_scope", "县不存在")
    return {"county": county, "site": site, "department": dept}


async def create_user(p: Principal | None, data: UserCreate, *, invented: bool = False) -> UserOut:
    """Create a user (p None: the command line)."""
    if p is not None:
        require_role(p, Role.CITY_ADMIN)
    _check_password(data.password)
    scope = await _scope_for(data)
    row = User(
        username=data.username, display_name=data.display_name, password_hash=await new_hash(data.password),
        role=data.role.value, phone=data.phone, email=data.email, active=True, invented=invented, created_at=clock.now(), **scope,
    )
    async with db.write():
        if await User.exists().where(User.username == data.username):
            raise Invalid("username_taken", "该用户名已被使用")
        try:
            await row.save()
        except Exception as exc:
            db.raise_conflict_on_unique(exc, "该用户名已被使用")
            raise
        out = _out(row.to_dict())
        await audit.record(p.actor if p else audit.SYSTEM, "user.create", "user", row.id, after=_audit_view(out))
    return out


def _audit_view(out: UserOut) -> dict:
    import msgspec

    return msgspec.to_builtins(out)


async def list_users(p: Principal) -> list[UserOut]:
    require_role(p, Role.CITY_ADMIN)
    return [_out(r) for r in await User.select(*PUBLIC).order_by(User.id)]


async def update_user(p: Principal, user_id: int, data: UserUpdate) -> UserOut:
    require_role(p, Role.CITY_ADMIN)
    async with db.write():
        before = await User.select(*PUBLIC).where(User.id == user_id).first()
        if before is None:
            raise NotFound("用户不存在")
        if data.active is False and user_id == p.id:
            raise Invalid("self_disable", "不能停用自己的账号（请由另一位市级管理员操作）")
        values: dict = {}
        if data.display_name is not None:
            values[User.display_name] = data.display_name
        if data.phone is not None:
            values[User.phone] = data.phone
        if data.email is not None:
            values[User.email] = data.email
        if data.password is not None:
            _check_password(data.password)
            values[User.password_hash] = await new_hash(data.password)
        if data.active is not None:
            values[User.active] = data.active
        if values:
            await User.update(values).where(User.id == user_id)
        if data.active is False or data.password is not None:
            # a disabled user, or one whose password changed, loses every session at once
            await Session.delete().where(Session.user == user_id)
        after = await User.select(*PUBLIC).where(User.id == user_id).first()
        await audit.record(
            p.actor, "user.update", "user", user_id, before=_audit_view(_out(before)), after=_audit_view(_out(after)),
            data={"fields": sorted(k._meta.name for k in values)},
        )
    return _out(after)
