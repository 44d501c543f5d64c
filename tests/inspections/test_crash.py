"""A server killed (SIGKILL) in the middle of submits: each submit is there whole or not at all."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from server.inspections.tables import Inspection
from server.issues.tables import Issue
from tests.inspections.helpers import body, check_items, new_uuid
from tests.world import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
A1 = (35.03, 111.01)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.asgi:app", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


async def _login(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    r = await client.post("/api/auth/login", json={"username": "inspector", "password": PASSWORD})
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


async def test_sigkill_mid_submit_leaves_whole_submits_or_none(world):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = await asyncio.to_thread(_start, port)
    fails = check_items(n=3)
    sent: dict[str, dict] = {}
    acknowledged: set[str] = set()
    try:
        client = await _login(base)

        async def submitter():
            while True:
                uuid = new_uuid()
                sent[uuid] = body(world.sites["a1"], *A1, fail=fails)
                try:
                    r = await client.put(f"/api/inspections/{uuid}", json=sent[uuid])
                except httpx.HTTPError:
                    return
                if r.status_code == 200:
                    acknowledged.add(uuid)

        tasks = [asyncio.create_task(submitter()) for _ in range(4)]
        await asyncio.sleep(2.5)
        os.kill(proc.pid, signal.SIGKILL)
        await asyncio.gather(*tasks)
        await client.aclose()
    finally:
        proc.kill()
        proc.wait()
    assert len(acknowledged) >= 3, "the server should have accepted some submits before the kill"
    rows = await Inspection.select().output(load_json=True)
    stored = {str(r["uuid"]): r for r in rows}
    assert acknowledged <= set(stored), "every acknowledged submit survives the crash"
    for uuid, row in stored.items():
        issues = await Issue.count().where(Issue.inspection == row["id"])
        assert row["state"] == "submitted" and issues == len(fails) == len(row["issue_ids"]), uuid
    assert await Issue.count() == len(fails) * len(stored)
    # after a restart, the phone retries what it never heard back about: exactly one of each
    proc = await asyncio.to_thread(_start, port)
    try:
        client = await _login(base)
        for uuid, data in sent.items():
            r = await client.put(f"/api/inspections/{uuid}", json=data)
            assert r.status_code == 200, r.text
        await client.aclose()
    finally:
        proc.kill()
        proc.wait()
    assert await Inspection.count() == len(sent)
    assert await Issue.count() == len(fails) * len(sent)
