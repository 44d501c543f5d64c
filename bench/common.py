"""What the benchmarks share."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
#: ``python -m bench --smoke``: each benchmark runs once at a tiny size (does it still run?), figures not judged
SMOKE = os.environ.get("DUCHA_BENCH_SMOKE") == "1"


def scaled(full, tiny):
    """``full`` for a real run, ``tiny`` for the smoke run."""
    return tiny if SMOKE else full


def fresh_pg_database(name: str, server: str = PG_ADMIN) -> str | None:
    """Drop (whoever is connected) and create database ``name`` on the PostgreSQL server of the URL
    ``server`` (default: the local one); its URL, or None when the server is unreachable."""
    from urllib.parse import urlparse, urlunparse

    import asyncpg

    async def go():
        con = await asyncpg.connect(server)
        await con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await con.execute(f'CREATE DATABASE "{name}"')
        await con.close()

    try:
        asyncio.run(go())
    except (OSError, asyncpg.PostgresError):
        return None
    return urlunparse(urlparse(server)._replace(path=f"/{name}"))


def serve(env: dict[str, str], port: int) -> subprocess.Popen:
    """``ducha serve`` on ``port`` with ``env``, once its /api/health answers."""
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], env=env, cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


@contextlib.contextmanager
def demo_server(port: int = 0, database_url: str = ""):
    """A server process on a fresh database (SQLite, or ``database_url``) filled by ``ducha demo``; yields its URL."""
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="ducha-bench-") as tmp:
        env = {**os.environ, "DUCHA_DATABASE_URL": database_url or f"sqlite:///{tmp}/demo.sqlite", "DUCHA_MEDIA_DIR": f"{tmp}/media",
               "DUCHA_SECRET_KEY": "bench", "PICCOLO_CONF": "piccolo_conf"}
        subprocess.run([sys.executable, "-m", "server.cli", "demo"], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
        if not port:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "server.asgi:app", "--port", str(port), "--log-level", "warning"],
                                cwd=root, env=env)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("the demo server did not start")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:  # connections a test left open hold the graceful shutdown
                proc.kill()
                proc.wait()


def visit_body(site: dict, template_id: str = "fire-safety", fail: int = 2) -> dict:
    """A submitted visit to ``site`` (as /api/sites lists it) on the newest shipped version of the
    template: every item that applies answered so that it passes, but the first ``fail`` checks
    that raise an issue, each naming a (not yet uploaded) photo in ``photos``."""
    import uuid as uuidlib
    from datetime import UTC, datetime, timedelta

    from server.checklists.loader import registry
    from server.demo.answers import passing_answers

    template = registry().latest(template_id)
    now = datetime.now(UTC)
    answers = passing_answers(template, site, now.date())
    failed = [item.key for _, item in template.items() if item.type == "check" and item.raises_issue and item.key in answers][:fail]
    named = []
    for _, item in template.items():
        if item.type == "photo" and item.key in answers:
            answers[item.key] = [str(uuidlib.uuid4())]
            named += answers[item.key]
    photos = {key: [str(uuidlib.uuid4())] for key in failed}
    for key in failed:
        answers[key] = "fail"
        named += photos[key]
    return {
        "site_id": site["id"], "templates": [{"id": template.id, "version": template.version}], "state": "submitted",
        "arrival": {"at": (now - timedelta(minutes=20)).isoformat(), "lat": site["lat"], "lon": site["lon"], "accuracy_m": 10},
        "answers": {template.id: answers}, "photos": {template.id: photos},
        # photos the visit names before they are uploaded, as a phone may: declared with their hash
        "photo_hashes": {u: "ab" * 32 for u in named},
    }
