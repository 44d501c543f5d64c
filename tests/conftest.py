"""One app and one database per engine.

The engine comes from DUCHA_DATABASE_URL (``make test`` runs the suite once on
SQLite and once on PostgreSQL). Migrations run once per session; every test starts
from empty tables plus a small world of counties, sites and one user per role.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_tmp = Path(tempfile.mkdtemp(prefix="ducha-test-"))
os.environ.setdefault("DUCHA_DATABASE_URL", f"sqlite:///{_tmp / 'test.sqlite'}")
os.environ.setdefault("DUCHA_MEDIA_DIR", str(_tmp / "media"))
os.environ.setdefault("DUCHA_SECRET_KEY", "test-secret")
os.environ["PICCOLO_CONF"] = "piccolo_conf"
sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from tests.world import World, build_world, reset_database, setup_database  # noqa: E402


def pytest_report_header(config) -> str:
    url = os.environ["DUCHA_DATABASE_URL"]
    return f"ducha database: {'PostgreSQL' if url.startswith('postgres') else 'SQLite'} ({url})"


@pytest.fixture(scope="session")
async def database():
    await setup_database()
    yield
    from server.lib import db

    if db.is_postgres():
        await db.engine().close_connection_pool()


@pytest.fixture
async def world(database) -> World:
    """Empty tables, the clock running, then the small world every test may use."""
    from server.lib import clock

    clock.freeze(None)
    await reset_database()
    w = await build_world()
    yield w
    await w.close()
    clock.freeze(None)
