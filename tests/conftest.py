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

from tests import clock_rule
from tests.s3_server import s3_server, s3_storage  # noqa: F401 - fixtures for the tests of the S3 backend
from tests.world import World, build_world, setup_database


def pytest_addoption(parser) -> None:
    clock_rule.addoption(parser)


def pytest_configure(config) -> None:
    clock_rule.configure(config)


def pytest_collection_modifyitems(config, items) -> None:
    clock_rule.modify(config, items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    clock_rule.in_call = True
    try:
        return (yield)
    finally:
        clock_rule.in_call = False


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
    from server.accounts import passwords
    from tests import snapshots

    passwords.cheap_for_tests()
    await setup_database()
    await snapshots.drop_all()
    yield
    await snapshots.close()
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


@pytest.fixture(autouse=True)
def _clock_rule(request):
    """A test marked own_clock that reads the real clock fails (tests/clock_rule.py)."""
    from server.lib import clock

    reads = clock_rule.RealReads(only_in_call=bool(clock_rule.PROBE))
    owned = clock_rule.owns_clock(request.node)
    if owned:
        clock.start_at(clock_rule.FIXED_START)
        clock.on_real_read = reads
    elif clock_rule.PROBE:
        clock.on_real_read = reads
    yield
    clock.on_real_read = None
    if clock_rule.PROBE and not owned:
        clock_rule.record(request.node.nodeid, reads)
    if owned and reads.where:
        pytest.fail(f"marked {clock_rule.MARK} but read the real clock: {reads.where[0]} (set the clock first, or drop the mark)",
                    pytrace=False)


@pytest.fixture
def clock_start():
    """The instant a test's clock starts at; None: the real time (which CI moves with faketime to
    the awkward instants). A test that needs a date sets it with ``clock.freeze`` or overrides this."""
    return


@pytest.fixture
async def world(request, database, clock_start) -> World:
    """The small world every test may use (tests/snapshots.py: built once, copied back for each
    test), its app started, the clock running (from ``clock_start`` when a test sets one)."""
    from server.lib import clock

    if clock_start is None and clock_rule.owns_clock(request.node):
        clock_start = clock_rule.FIXED_START
    w = await build_world(clock_start)
    yield w
    await w.close()
    clock.freeze(None)
