"""End-of-day sync at 10x Yuncheng's peak, against 1 and then 2 ``ducha serve`` processes on
PostgreSQL sharing the database and the media store (loopback only, a bounded run).

The peak we size for (an assumption, said in the README's capacity section): on a city-wide
督查 day each of the 13 counties has a city group of 3 inspectors and a county team of 3 out, 78
phones; each makes 4 visits and syncs them when back in signal, in the half hour after work:
312 visits in 1,800 s, 0.17 visits/s. Ten times that is 1.7 visits/s. A visit's sync here is what
the phone app sends: its photos (4: two failed items with two photos each, 1600 px phone JPEGs of
the shared fixtures, each one different) and then the record, which raises the two issues.

Two figures per server count, each beside its baseline in the same run:
- open loop at 10x peak for ``--seconds`` (new visits arrive at that rate whatever the server
  does): visits synced/s against the offered rate, and the p50/p95 of a visit's whole sync;
- closed loop (``--phones`` phones syncing back to back): the most visits/s, and its p95.
The 2-process figures are compared with the 1-process ones printed above them.

    python -m bench.sync_load [--seconds 60] [--phones 40] [--rate 1.7]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid as uuidlib
from pathlib import Path

import httpx
from PIL import Image

from bench.common import fresh_pg_database, scaled, serve, visit_body
from bench.submissions import ROOT, _free_port

FIXTURES = Path(os.environ.get("DUCHA_FIXTURES") or ROOT.parent / "shared" / "fixtures" / "photos")
PEAK_VISITS_PER_S = 13 * 6 * 4 / 1800
PHOTOS_PER_ITEM = 2


def _phone_jpegs() -> list[bytes]:
    """1600 px copies of the shared phone photos at quality 80, as the phone app sends them."""
    out = []
    for name in ("phone/jolla.jpg", "phone/iphone_hdr_NO.jpg", "gps/DSCN0010.jpg", "gps/DSCN0021.jpg"):
        im = Image.open(FIXTURES / name)
        im.thumbnail((1600, 1600))
        buf = io.BytesIO()
        im.convert("RGB").save(buf, "JPEG", quality=80, exif=Image.open(FIXTURES / name).getexif())
        out.append(buf.getvalue())
    return out


class Phone:
    def __init__(self, base: str, jpegs: list[bytes], sites: list[dict], template: dict):
        # idle connections dropped before the server's keep-alive (uvicorn: 5 s) closes them, as a well-behaved
        # client does: a request on a connection the server is closing fails without ever reaching it
        self.client = httpx.AsyncClient(base_url=base, timeout=120, limits=httpx.Limits(keepalive_expiry=2))
        self.jpegs, self.sites, self.template = jpegs, sites, template

    async def log_in(self) -> None:
        from server.demo.data import DEMO_PASSWORD

        r = await self.client.post("/api/auth/login", json={"username": "inspector", "password": DEMO_PASSWORD})
        r.raise_for_status()
        self.client.headers["X-CSRF-Token"] = r.json()["csrf_token"]

    async def sync_visit(self) -> float:
        """Photos first, then the record; the seconds the whole visit took."""
        start = time.perf_counter()
        site = random.choice(self.sites)
        visit = str(uuidlib.uuid4())
        body = visit_body(site, self.template["id"])
        tid = self.template["id"]
        for item in list(body["photos"][tid]):
            uuids = []
            for _ in range(PHOTOS_PER_ITEM):
                # every photo is a different file (a camera never sends the same bytes twice)
                data = random.choice(self.jpegs) + uuidlib.uuid4().bytes
                u = str(uuidlib.uuid4())
                r = await self.client.put(f"/api/photos/{u}", content=data, params={
                    "sha256": hashlib.sha256(data).hexdigest(), "site_id": site["id"], "inspection": visit, "template": tid,
                    "item": item, "lat": site["lat"], "lon": site["lon"], "accuracy": 10})
                if r.status_code >= 400:
                    raise httpx.HTTPStatusError(f"{r.status_code} {r.text[:300]}", request=r.request, response=r)
                uuids.append(u)
                body["photo_hashes"][u] = hashlib.sha256(data).hexdigest()
            for old in body["photos"][tid][item]:
                body["photo_hashes"].pop(old, None)
            body["photos"][tid][item] = uuids
        r = await self.client.put(f"/api/inspections/{visit}", json=body)
        if r.status_code >= 400:
            raise httpx.HTTPStatusError(f"{r.status_code} {r.text[:300]}", request=r.request, response=r)
        return time.perf_counter() - start


async def _phones(bases: list[str], n: int) -> list[Phone]:
    """``n`` phones, spread over the server processes in turn (as a load balancer would)."""
    probe = httpx.AsyncClient(base_url=bases[0], timeout=60)
    from server.demo.data import DEMO_PASSWORD

    r = await probe.post("/api/auth/login", json={"username": "inspector", "password": DEMO_PASSWORD})
    r.raise_for_status()
    sites = (await probe.get("/api/sites", params={"limit": 500})).json()["items"]
    summary = next(t for t in (await probe.get("/api/templates")).json() if t["id"] == "fire-safety")
    template = (await probe.get(summary["url"])).json()
    await probe.aclose()
    jpegs = await asyncio.to_thread(_phone_jpegs)
    phones = [Phone(bases[i % len(bases)], jpegs, sites, template) for i in range(n)]
    for p in phones:
        await p.log_in()
    return phones


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (values or [0.0])[0]


async def open_loop(bases: list[str], rate: float, seconds: float) -> dict:
    phones = await _phones(bases, max(4, int(rate * 10)))
    free: asyncio.Queue[Phone] = asyncio.Queue()
    for p in phones:
        free.put_nowait(p)
    times: list[float] = []
    errors = 0

    async def one():
        nonlocal errors
        phone = await free.get()
        try:
            times.append(await phone.sync_visit())
        except httpx.HTTPError as exc:
            errors += 1
            print(f"    error: {type(exc).__name__}: {exc}", flush=True)
        finally:
            free.put_nowait(phone)

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + i / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    for p in phones:
        await p.client.aclose()
    return {"visits": len(times), "errors": errors, "per_s": len(times) / elapsed, "p50": _p(times, 50), "p95": _p(times, 95)}


async def closed_loop(bases: list[str], phones_n: int, seconds: float) -> dict:
    phones = await _phones(bases, phones_n)
    times: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def run(phone: Phone):
        nonlocal errors
        while time.perf_counter() < end:
            try:
                times.append(await phone.sync_visit())
            except httpx.HTTPError as exc:
                errors += 1
                print(f"    error: {type(exc).__name__}: {exc}", flush=True)

    start = time.perf_counter()
    await asyncio.gather(*(run(p) for p in phones))
    elapsed = time.perf_counter() - start
    for p in phones:
        await p.client.aclose()
    return {"visits": len(times), "errors": errors, "per_s": len(times) / elapsed, "p50": _p(times, 50), "p95": _p(times, 95)}


def _sizes(url: str, media: Path) -> tuple[int, int]:
    """(database bytes, store bytes) now."""
    import asyncpg

    async def db_size() -> int:
        con = await asyncpg.connect(url)
        try:
            return int(await con.fetchval("SELECT pg_database_size(current_database())"))
        finally:
            await con.close()

    files = sum(f.stat().st_size for f in media.rglob("*") if f.is_file()) if media.is_dir() else 0
    return asyncio.run(db_size()), files


def run(processes: int, args: argparse.Namespace) -> tuple[dict, dict, dict]:
    url = fresh_pg_database("ducha_bench_sync")
    if url is None:
        raise SystemExit("PostgreSQL on 127.0.0.1:5432 is needed for this benchmark")
    with tempfile.TemporaryDirectory(prefix="ducha-bench-") as tmp:
        env = {**os.environ, "DUCHA_DATABASE_URL": url, "DUCHA_MEDIA_DIR": f"{tmp}/media", "DUCHA_SECRET_KEY": "bench",
               "PICCOLO_CONF": "piccolo_conf"}
        subprocess.run([sys.executable, "-m", "server.cli", "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        ports = [_free_port() for _ in range(processes)]
        procs = [serve(env, port) for port in ports]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        try:
            before = _sizes(url, Path(tmp) / "media")
            opened = asyncio.run(open_loop(bases, args.rate, args.seconds))
            closed = asyncio.run(closed_loop(bases, args.phones, args.seconds / 2))
            after = _sizes(url, Path(tmp) / "media")
            visits = opened["visits"] + closed["visits"]
            growth = {"db_kb": (after[0] - before[0]) / 1024 / max(visits, 1), "store_kb": (after[1] - before[1]) / 1024 / max(visits, 1)}
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
    return opened, closed, growth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=scaled(60, 3))
    parser.add_argument("--phones", type=int, default=scaled(40, 3))
    parser.add_argument("--rate", type=float, default=round(PEAK_VISITS_PER_S * 10, 2), help="visits/s offered (10x peak)")
    args = parser.parse_args()
    print(f"end-of-day sync on PostgreSQL: a visit = {2 * PHOTOS_PER_ITEM} photos (1600 px) + the record raising 2 issues; "
          f"Yuncheng peak {PEAK_VISITS_PER_S:.2f} visits/s, offered {args.rate} visits/s for {args.seconds:.0f} s; "
          f"this machine: {os.cpu_count()} CPUs shared by the servers, PostgreSQL and the load")
    results: dict[int, tuple[dict, dict]] = {}
    for n in (1, 2):
        opened, closed, growth = run(n, args)
        results[n] = (opened, closed)
        base = "" if n == 1 else (f"   (1 process: {results[1][0]['per_s']:.2f}/s, p95 {results[1][0]['p95']:.2f} s)")
        print(f"  {n} process{'es' if n > 1 else '  '} open loop : {opened['per_s']:5.2f} visits/s synced of {args.rate} offered, "
              f"p50 {opened['p50']:.2f} s, p95 {opened['p95']:.2f} s, errors {opened['errors']}{base}")
        base = "" if n == 1 else (f"   (1 process: {results[1][1]['per_s']:.2f}/s, p95 {results[1][1]['p95']:.2f} s)")
        print(f"  {n} process{'es' if n > 1 else '  '} {args.phones} phones: {closed['per_s']:5.2f} visits/s at most "
              f"({closed['per_s'] * 2 * PHOTOS_PER_ITEM:.1f} photos/s), p50 {closed['p50']:.2f} s, p95 {closed['p95']:.2f} s, "
              f"errors {closed['errors']}{base}", flush=True)
        print(f"  {n} process{'es' if n > 1 else '  '} growth a visit synced (photos included): database {growth['db_kb']:.0f} KB, "
              f"object store {growth['store_kb']:.0f} KB", flush=True)


if __name__ == "__main__":
    main()
