"""The small world tests run in, and clients logged in as its users."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from server.settings import Settings

PASSWORD = "correct-horse-battery"


async def setup_database() -> None:
    from server.cli import migrate
    from server.lib import db

    if db.is_postgres():
        await db.execute("DROP SCHEMA IF EXISTS public CASCADE")
        await db.execute("CREATE SCHEMA public")
        await db.engine().start_connection_pool(max_size=10)
    await migrate()


def _tables():
    from piccolo.conf.apps import Finder
    from piccolo.table import sort_table_classes

    return list(reversed(sort_table_classes(Finder().get_table_classes())))


def table_names() -> list[str]:
    """Every table of the app, children before the tables they point to."""
    return [t._meta.tablename for t in _tables()]


async def reset_database() -> None:
    from server.lib import db

    names = table_names()
    if db.is_postgres():
        await db.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        async with db.write():
            for name in names:
                await db.execute(f"DELETE FROM {name}")


@dataclass
class World:
    app: object
    counties: dict[str, int]
    sites: dict[str, int]
    departments: dict[str, int]
    users: dict[str, int]
    clients: list = field(default_factory=list)
    running: asyncio.Task | None = None
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        """As a server starting: the app's lifespan is entered (its start-up hooks run) in a task of
        its own, which leaves it (shut-down hooks) on ``close`` (anyio wants one task for both)."""
        started = asyncio.Event()

        async def serve() -> None:
            async with self.app.lifespan():
                started.set()
                await self.stopping.wait()

        self.running = asyncio.create_task(serve())
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({self.running, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self.running.done():
            self.running.result()  # start-up failed: say why
        from server.app import settled

        await settled()  # the start-up clean-up of the media folder is over before the test writes there

    async def client(self, username: str | None = None) -> httpx.AsyncClient:
        """A client; logged in (CSRF header set) when a username is given.

        httpx's ASGI transport runs the app on the test's own event loop (the database
        pool lives there); the world enters the app's lifespan itself (``start``/``close``).
        """
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://testserver.local")
        self.clients.append(client)
        if username:
            r = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    async def close(self) -> None:
        """As a server stopping: clients closed, then the app's shut-down hooks (ledger workers
        finished or stopped: none outlives its test and writes into the next one's database)."""
        from server.ledgers import service as ledgers

        for c in self.clients:
            await c.aclose()
        self.clients.clear()
        self.stopping.set()
        if self.running is not None:
            await self.running
        await ledgers.stop()  # also the jobs a test started by hand, without the app
        ledgers.open_runner()


def settings_with(**overrides) -> Settings:
    base = Settings.from_env()
    values = {**base.__dict__, **overrides}
    return Settings(**values)


#: the instant the world is built at: before any instant a test sets, so nothing in it is "future"
WORLD_BUILT_AT = datetime(2024, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
_apps: dict[Settings, object] = {}


def app_for(settings: Settings):
    """One app per settings for the whole run (building one takes 0.15 s of CPU): the settings are
    made current again each time, as create_app does."""
    from server.app import create_app
    from server.settings import use_settings

    if settings not in _apps:
        _apps[settings] = create_app(settings)
    use_settings(settings)
    return _apps[settings]


async def build_world_rows() -> dict:
    """Two counties' worth of sites and one user per role (county A = 盐湖区, county B = 临猗县), on
    an empty database at WORLD_BUILT_AT; their ids by name."""
    from server.accounts.passwords import hash_password
    from server.accounts.tables import User
    from server.demo.service import ensure_reference_data
    from server.lib import clock
    from server.sites import service as sites
    from server.sites.schemas import SiteCreate
    from server.sites.tables import County, Department

    clock.freeze(WORLD_BUILT_AT)
    await ensure_reference_data()
    counties = {r["name"]: r["id"] for r in await County.select(County.id, County.name)}
    departments = {r["code"]: r["id"] for r in await Department.select(Department.id, Department.code)}
    site_specs = {
        "a1": (counties["盐湖区"], "盐湖测试安置点一", 35.03, 111.01, 650, True),
        "a2": (counties["盐湖区"], "盐湖测试安置点二", 35.05, 111.05, 1200, False),
        "b1": (counties["临猗县"], "临猗测试安置点一", 35.14, 110.77, 90, True),
    }
    site_ids = {}
    for key, (county, name, lat, lon, people, workshop) in site_specs.items():
        s = await sites.create_site(None, SiteCreate(county_id=county, name=name, lat=lat, lon=lon,
                                                     registered_people=people, has_workshop=workshop,
                                                     has_first_secretary=people >= 100))
        site_ids[key] = s.id
    password_hash = hash_password(PASSWORD)
    specs = {
        "admin": ("city_admin", None, None, None),
        "inspector": ("city_inspector", None, None, None),
        "county_a": ("county_team", counties["盐湖区"], None, None),
        "county_b": ("county_team", counties["临猗县"], None, None),
        "site_a1": ("site_manager", counties["盐湖区"], site_ids["a1"], None),
        "site_b1": ("site_manager", counties["临猗县"], site_ids["b1"], None),
        "fire_a": ("department", counties["盐湖区"], None, departments["xiaofang"]),
        "fire_city": ("department", None, None, departments["xiaofang"]),
    }
    users = {}
    for username, (role, county, site, dept) in specs.items():
        u = User(username=username, display_name=f"测试{username}", password_hash=password_hash, role=role,
                 county=county, site=site, department=dept, created_at=clock.now())
        await u.save()
        users[username] = u.id
    clock.freeze(None)
    return {"counties": counties, "sites": site_ids, "departments": departments, "users": users}


async def build_world(clock_start: datetime | None = None, **settings_overrides) -> World:
    """The world every test starts from: the snapshot "world" (built once per run) copied back, the
    clock started at ``clock_start`` (else the real time), and the app for these settings started."""
    from server.lib import clock
    from tests import snapshots

    if not snapshots.has("world"):
        await reset_database()
        await snapshots.take("world", await build_world_rows())
    ids = await snapshots.restore("world")
    clock.freeze(None)
    if clock_start is not None:
        clock.start_at(clock_start)
    from server.checklists import loader

    await loader.refresh()  # versions a previous test published are gone with its rows
    world = World(app=app_for(settings_with(**settings_overrides)), **ids)
    await world.start()
    return world
