"""A server killed (SIGKILL) in the middle of a write: what the phone was told was saved is there,
whole, and its retry after a restart makes exactly one of everything.

Each case kills the server at a named point (DUCHA_TEST_CRASH_AT, server/lib/crash.py), so every
case is tested on every run instead of wherever a random kill happened to land.
"""

import asyncio
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from server.inspections.tables import Inspection
from server.issues.tables import Issue
from server.photos.tables import Photo
from tests.inspections.helpers import body, check_items, new_uuid
from tests.photos.fixtures import photo
from tests.world import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
A1 = (35.03, 111.01)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``uvicorn server.asgi:app`` in its own process, optionally set to die at a crash point."""

    def __init__(self, crash_at: str = "") -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DUCHA_TEST_CRASH_AT": crash_at}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "server.asgi:app", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.proc.kill()
        raise AssertionError("server did not start")

    async def client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(base_url=self.base, timeout=30)
        r = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return client

    def killed(self) -> bool:
        """The process died of SIGKILL (it reached its crash point)."""
        return self.proc.wait(30) == -signal.SIGKILL

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


async def _start(crash_at: str = "") -> Server:
    return await asyncio.to_thread(Server, crash_at)


async def _unanswered(request) -> None:
    """The phone sends and hears nothing back: the connection drops as the server dies."""
    with pytest.raises(httpx.HTTPError):
        await request


async def _retry_after_restart(uuid: str, data: dict) -> dict:
    server = await _start()
    try:
        client = await server.client()
        r = await client.put(f"/api/inspections/{uuid}", json=data)
        await client.aclose()
    finally:
        server.stop()
    assert r.status_code == 200, r.text
    return r.json()


async def test_killed_before_the_commit_keeps_nothing_and_the_retry_saves_it_once(world):
    fails = check_items(n=3)
    uuid, data = new_uuid(), body(world.sites["a1"], *A1, fail=fails)
    server = await _start("inspection-before-commit")
    client = await server.client()
    await _unanswered(client.put(f"/api/inspections/{uuid}", json=data))
    assert server.killed()
    assert await Inspection.count() == 0 and await Issue.count() == 0, "half a submit was kept"

    answer = await _retry_after_restart(uuid, data)
    assert len(answer["issues"]) == len(fails)
    assert await Inspection.count() == 1 and await Issue.count() == len(fails)


async def test_killed_after_the_commit_keeps_the_submit_and_the_retry_duplicates_nothing(world):
    fails = check_items(n=2)
    uuid, data = new_uuid(), body(world.sites["a1"], *A1, fail=fails)
    server = await _start("inspection-after-commit")
    client = await server.client()
    await _unanswered(client.put(f"/api/inspections/{uuid}", json=data))
    assert server.killed()
    row = await Inspection.select().where(Inspection.uuid == uuid).first()
    assert row is not None and row["state"] == "submitted", "a committed submit was lost"
    assert await Issue.count() == len(fails)

    answer = await _retry_after_restart(uuid, data)  # the phone never heard back: it sends again
    assert answer["revision"] == 1 and len(answer["issues"]) == len(fails)
    assert await Inspection.count() == 1 and await Issue.count() == len(fails)


async def test_killed_between_the_photo_and_its_visit_the_visit_still_gets_its_photo(world):
    fails = check_items(n=1)
    visit, photo_uuid = new_uuid(), new_uuid()
    image = photo("gps/DSCN0010.jpg")
    params = {"sha256": hashlib.sha256(image).hexdigest(), "site_id": world.sites["a1"], "inspection": visit,
              "template": "fire-safety", "item": fails[0]}
    data = body(world.sites["a1"], *A1, fail=fails)
    data["photos"] = {"fire-safety": {fails[0]: [photo_uuid]}}

    # the photo dies on its way in: nothing of it is recorded, the phone keeps it queued
    server = await _start("photo-before-commit")
    client = await server.client()
    await _unanswered(client.put(f"/api/photos/{photo_uuid}", content=image, params=params))
    assert server.killed()
    assert await Photo.count() == 0

    # after a restart the photo arrives; then the server dies before the visit is sent
    server = await _start()
    client = await server.client()
    r = await client.put(f"/api/photos/{photo_uuid}", content=image, params=params)
    assert r.status_code == 200, r.text
    await client.aclose()
    os.kill(server.proc.pid, signal.SIGKILL)
    assert server.killed()
    assert await Photo.count() == 1 and await Inspection.count() == 0

    # the visit comes after the next start: it is saved with the photo, judged against the visit
    answer = await _retry_after_restart(visit, data)
    assert len(answer["issues"]) == 1
    stored = await Photo.select().where(Photo.uuid == photo_uuid).first()
    assert stored["outside_visit"] is not None, "the photo was not judged against its visit"
    issue = await Issue.select().output(load_json=True).first()
    assert photo_uuid in [str(u) for u in issue["photos"]]
