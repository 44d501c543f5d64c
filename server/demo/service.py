"""Load the demo data once: counties, departments, ~40 invented sites, one user per role."""

from __future__ import annotations

import random

from server.accounts import service as accounts
from server.accounts.roles import Role
from server.accounts.schemas import UserCreate
from server.demo.data import (
    COUNTIES,
    DEMO_PASSWORD,
    DEPARTMENTS,
    SITE_WORDS,
    TOWNSHIP_SUFFIXES,
    USERS,
)
from server.lib import db
from server.sites import service as sites
from server.sites.schemas import SiteCreate
from server.sites.tables import County, Department, Site

SEED = 20210823  # the policy's date: the same demo every time


async def ensure_reference_data() -> None:
    """The 13 counties and the departments (real names; idempotent)."""
    async with db.write():
        for name, code, _, _ in COUNTIES:
            if not await County.exists().where(County.code == code):
                await County.insert(County(name=name, code=code))
        for code, name in DEPARTMENTS:
            if not await Department.exists().where(Department.code == code):
                await Department.insert(Department(code=code, name=name))


def _sites_plan() -> list[dict]:
    rng = random.Random(SEED)
    plan = []
    for index, (county, _, lat, lon) in enumerate(COUNTIES):
        for n in range(3 + (1 if index == 0 else 0)):
            size = rng.choice(["small", "mid", "mid", "large"])
            registered = {"small": rng.randint(40, 99), "mid": rng.randint(100, 799), "large": rng.randint(800, 3200)}[size]
            word = rng.choice(SITE_WORDS)
            township = f"{county[:1]}{rng.choice('东西南北中')}{rng.choice(TOWNSHIP_SUFFIXES)}"
            plan.append({
                "county": county,
                "name": f"{township}{word}{'小区' if size == 'large' else '安置点'}{n + 1}号（虚构）",
                "township": township,
                "address": f"运城市{county}{township}{word}路{rng.randint(1, 199)}号（虚构地址）",
                "lat": round(lat + rng.uniform(-0.06, 0.06), 6),
                "lon": round(lon + rng.uniform(-0.07, 0.07), 6),
                "registered_people": registered,
                "other_people": rng.randint(0, registered // 3),
                "households": max(1, registered // rng.randint(3, 5)),
                "building_count": max(1, registered // 120),
                "has_workshop": registered < 800 and rng.random() < 0.7,
                "has_first_secretary": registered >= 100,
                "has_greenhouses": rng.random() < 0.5,
                "has_lift": size == "large",
                "has_piped_gas": size != "small",
            })
    return plan


async def load_demo() -> dict:
    """Load everything once; a second call changes nothing. Returns counts."""
    await ensure_reference_data()
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    created_sites = 0
    if not await Site.exists().where(Site.invented == True):
        for spec in _sites_plan():
            county = spec.pop("county")
            await sites.create_site(None, SiteCreate(county_id=counties[county], **spec), invented=True)
            created_sites += 1
    departments = {r["code"]: r["id"] for r in await Department.select(Department.id, Department.code)}
    created_users = 0
    from server.accounts.tables import User

    for username, display, role, county, dept, with_site in USERS:
        if await User.exists().where(User.username == username):
            continue
        site_id = None
        if with_site:
            row = await Site.select(Site.id).where(Site.county == counties[county]).order_by(Site.id).first()
            site_id = row["id"]
        data = UserCreate(
            username=username, display_name=display, password=DEMO_PASSWORD, role=Role(role),
            county_id=counties[county] if county and role != "site_manager" else None,
            site_id=site_id, department_id=departments[dept] if dept else None,
        )
        await accounts.create_user(None, data, invented=True)
        created_users += 1
    from server.demo.history import load_history

    history = await load_history()
    # today's escalation notices, so the demo's phones show 提醒 at once (the server sends them daily)
    from server.notices.service import escalation_notices

    notices = await escalation_notices()
    return {"sites": created_sites, "users": created_users, **history, "notices": notices["notices"]}
