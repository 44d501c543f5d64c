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
from pathlib import Path

import httpx

from bench.common import fresh_pg_database, scaled, serve, visit_body

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    pool = [first] + [await _client(base) for _ in range(clients - 1)]

    async def one(c, i):
        s = sites[i % len(sites)]
        r = await c.put(f"/api/inspections/{uuidlib.uuid4()}", json=visit_body(s))
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
    return serve(env, port)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=scaled(50, 3))
    parser.add_argument("--per-client", type=int, default=scaled(6, 2))
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
