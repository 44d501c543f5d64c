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
os.environ.setdefault("DUCHA_AUDIT_KEY", "test-audit-key")
os.environ.setdefault("DUCHA_NOTICE_HOUR", "-1")  # a test sends the notices itself, at the day it sets
os.environ["PICCOLO_CONF"] = "piccolo_conf"
sys.path.insert(0, str(ROOT))

import pytest

from tests.s3_server import s3_server, s3_storage  # noqa: F401 - fixtures for the tests of the S3 backend
from tests.world import World, build_world, reset_database, setup_database


def pytest_collection_finish(session) -> None:
    """The real camera photos live outside the repository (../shared/fixtures/photos, or
    DUCHA_FIXTURES): when tests that need them were collected and they are missing, stop once
    with a clear message instead of failing those tests one by one."""
    fixtures = sys.modules.get("tests.photos.fixtures")
    if fixtures is not None and not fixtures.FIXTURES.is_dir():
        pytest.exit(f"test photos not found at {fixtures.FIXTURES}: check out shared/ beside this repository "
                    "(as CI does) or set DUCHA_FIXTURES to the folder of the fixture photos", returncode=1)


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


@pytest.fixture(autouse=True)
def _process_state_restored():
    """What a test changes in process-wide state does not reach the next test, whatever the order:
    the settings, the clock, Pillow's truncated-file switch (WeasyPrint turns it on when imported),
    the template versions published from the desk (the shipped files remain)."""
    from PIL import ImageFile

    from server import settings
    from server.checklists import loader
    from server.lib import clock

    saved, truncated = settings._current, ImageFile.LOAD_TRUNCATED_IMAGES
    yield
    settings.use_settings(saved)
    clock.freeze(None)
    ImageFile.LOAD_TRUNCATED_IMAGES = truncated
    loader._merged, loader._stamp = None, ()  # template versions a test published stay with it


@pytest.fixture
def clock_start():
    """The instant a test's clock starts at; None: the real time (which CI moves with faketime to
    the awkward instants). A test that needs a date sets it with ``clock.freeze`` or overrides this."""
    return


@pytest.fixture
async def world(database, clock_start) -> World:
    """Empty tables, the clock running, then the small world every test may use."""
    from server.lib import clock

    clock.freeze(None)
    if clock_start is not None:
        clock.start_at(clock_start)
    await reset_database()
    from server.checklists import loader

    await loader.refresh()  # versions a previous test published are gone with its rows
    w = await build_world()
    yield w
    await w.close()
    clock.freeze(None)
