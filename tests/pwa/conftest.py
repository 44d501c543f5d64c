"""The phone app in a real headless Chromium against a real server process.

The server runs as a uvicorn subprocess on the test database (the same SQLite file or PostgreSQL
database the other tests use), so what the browser did is read back from the database itself.
Chromium is Debian's (``make setup`` installs it); Playwright drives it with ``executable_path``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.async_api import expect

# what a screen must come to show, it may take up to 20 s to show (Playwright's default is 5 s): the
# matrix runs two legs side by side on two cores, and a step that waits for the server (a ledger file
# checked: read, hashed, its first page parsed) took longer than 5 s under that load. A wait ends at
# the event, so a passing test is no slower.
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "pwa" / "dist"
CHROMIUM = os.environ.get("DUCHA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
NEAR_A1 = {"latitude": 35.0305, "longitude": 111.0105, "accuracy": 12}  # ~70 m from site a1
# The day the browser tests live on, whatever today is: mid-month, after the 5th (last month's
# ledgers are overdue), mid-morning in Shanghai (the same date in UTC). The server process, this
# process and every browser context run on a clock that starts there.
BROWSER_CLOCK = "2026-11-18T10:00:00+08:00"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _ServerClock:
    offset = None


server_clock = _ServerClock()


@pytest.fixture
def clock_start(live_server):
    """Every browser test's world starts on the server process's clock (see BROWSER_CLOCK)."""
    return datetime.now(UTC) + server_clock.offset


@pytest.fixture(scope="package")
def live_server(database):
    """``uvicorn server.asgi:app`` on a free port; the URL it answers on. It lives only while browser
    tests run: on its own clock (BROWSER_CLOCK) its ledger lease watch would judge the jobs of
    other tests, which run on other clocks on the same database, lapsed and take them away."""
    if not (DIST / "index.html").is_file():
        pytest.fail("pwa/dist is missing: run `make setup` (npm ci && npm run build in pwa/) first")
    port = _free_port()
    env = {**os.environ, "DUCHA_PWA_DIR": str(DIST), "DUCHA_TEST_CLOCK": BROWSER_CLOCK}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.asgi:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            r = httpx.get(f"{url}/api/health", timeout=2)
            if r.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the server process did not start")
        time.sleep(0.2)
    assert r.json().get("test_clock"), "the server process should run on the test clock"
    # how far the server's clock is from the real one: this process runs on the same clock
    server_clock.offset = datetime.fromisoformat(r.json()["now"]) - datetime.now(UTC)
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
async def chromium():
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make setup` installs Debian's chromium")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield browser
        await browser.close()


@pytest.fixture
async def phone(chromium, live_server):
    """A new phone (its own storage) with a position near site a1; ``phone(service_workers="block")``."""
    contexts = []

    async def make(**options):
        from server.lib import clock

        ctx = await chromium.new_context(**{"base_url": live_server, "geolocation": NEAR_A1, "permissions": ["geolocation"],
                                            **PHONE, **options})
        await ctx.clock.install(time=clock.now())  # the phone's clock agrees with the server's; it runs on
        contexts.append(ctx)
        if os.environ.get("DUCHA_PWA_DEBUG"):
            ctx.on("console", lambda m: print("console:", m.type, m.text))
            ctx.on("weberror", lambda e: print("page error:", e.error))
        return ctx

    yield make
    for ctx in contexts:
        await ctx.close()
