"""Submissions per second with 50 concurrent clients against a real server process.

Runs on SQLite and, when reachable, PostgreSQL. Each submission is a whole
fire-safety inspection with two failed items (so two issues raised, audited).
Baseline in the same run: one client submitting one at a time.

    python -m bench.submissions [--clients 50] [--per-client 6]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.common import fresh_pg_database

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _body(site_id: int, lat: float, lon: float, template: dict) -> dict:
    answers, photos, failed = {}, {}, 0
    for section in template["sections"]:
        for item in section["items"]:
            if item.get("applies_when") is not None:
                continue
            t = item["type"]
            value = {"check": "pass", "number": 10, "integer": 10, "text": "良好", "date": "2026-03-01"}.get(t)
            if t in ("single", "multi"):
                value = item["options"][0]["value"] if t == "single" else [item["options"][0]["value"]]
            if t == "photo":
                value = [str(uuidlib.uuid4())]
            if t == "check" and item["raises_issue"] and failed < 2:
                value, failed = "fail", failed + 1
                photos[item["key"]] = [str(uuidlib.uuid4())]
            answers[item["key"]] = value
    now = datetime.now(UTC)
    return {
        "site_id": site_id, "templates": [{"id": template["id"], "version": template["version"]}], "state": "submitted",
        "arrival": {"at": (now - timedelta(minutes=20)).isoformat(), "lat": lat, "lon": lon, "accuracy_m": 10},
        "answers": {template["id"]: answers}, "photos": {template["id"]: photos},
    }


async def _client(base: str) -> httpx.AsyncClient:
    from server.demo.data import DEMO_PASSWORD

    c = httpx.AsyncClient(base_url=base, timeout=60)
    r = await c.post("/api/auth/login", json={"username": "inspector", "password": DEMO_PASSWORD})
    r.raise_for_status()
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


async def _run(base: str, clients: int, per_client: int) -> tuple[float, float]:
    first = await _client(base)
    sites = (await first.get("/api/sites", params={"limit": 500})).json()["items"]
    summary = next(t for t in (await first.get("/api/templates")).json() if t["id"] == "fire-safety")
    template = (await first.get(summary["url"])).json()
    pool = [first] + [await _client(base) for _ in range(clients - 1)]

    async def one(c, i):
        s = sites[i % len(sites)]
        r = await c.put(f"/api/inspections/{uuidlib.uuid4()}", json=_body(s["id"], s["lat"], s["lon"], template))
        r.raise_for_status()

    start = time.perf_counter()
    for i in range(per_client * 2):
        await one(first, i)
    sequential = per_client * 2 / (time.perf_counter() - start)

    async def worker(c, n):
        for i in range(per_client):
            await one(c, n * per_client + i)

    start = time.perf_counter()
    await asyncio.gather(*[worker(c, n) for n, c in enumerate(pool)])
    concurrent = clients * per_client / (time.perf_counter() - start)
    for c in pool:
        await c.aclose()
    return sequential, concurrent


def _serve(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DUCHA_DATABASE_URL": url, "PICCOLO_CONF": "piccolo_conf"}
    subprocess.run([sys.executable, "-m", "server.cli", "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=6)
    args = parser.parse_args()
    engines = []
    tmp = tempfile.mkdtemp(prefix="ducha-bench-")
    engines.append(("SQLite", f"sqlite:///{tmp}/bench.sqlite"))
    pg = fresh_pg_database("ducha_bench")
    if pg:
        engines.append(("PostgreSQL", pg))
    print("submissions: one whole fire-safety inspection each, 2 issues raised; server: 1 uvicorn worker")
    for name, url in engines:
        port = _free_port()
        proc = _serve(url, port)
        try:
            seq, conc = asyncio.run(_run(f"http://127.0.0.1:{port}", args.clients, args.per_client))
        finally:
            proc.kill()
            proc.wait()
        print(f"  {name:<10} {args.clients} concurrent clients: {conc:6.1f} submissions/s   "
              f"(baseline, 1 client one at a time: {seq:6.1f}/s)")


if __name__ == "__main__":
    main()
