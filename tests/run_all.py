"""``make test``: the whole matrix, two legs at a time (the machine has two cores), then a table of
each leg's time and the total.

The legs: ruff and mypy; the phone app's node tests; the whole suite with the browser tests on
SQLite and on PostgreSQL; the server-side suite again at each awkward instant (under Debian's
``faketime``) on both engines, less the tests that set every clock they read (tests/clock_rule.py);
the API fuzz; a smoke run of every benchmark at a tiny size. Legs share nothing: each has its own
SQLite file or its own PostgreSQL database (made afresh on the server of DUCHA_TEST_POSTGRES_URL,
else a local server at 127.0.0.1:5432), so any two can run at once. A leg's output is kept and
printed whole when it ends, so the log reads as if they ran one after another.

With CI=true PostgreSQL is required: its absence fails the run instead of skipping it. The order of
the tests is random (pytest-randomly); each run prints its seed, and ``-p randomly
--randomly-seed=N`` repeats it. Arguments are passed on to every pytest run.

``DUCHA_TEST_INSTANTS=0`` leaves the awkward instants out, ``DUCHA_TEST_JOBS=N`` runs N legs at once
(default: the number of cores, at most 2).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

# (the instant as faketime reads it, in the zone TZ names, the machine's zone for the run, why)
INSTANTS = [
    ("2026-12-31 15:50:00", "UTC", "23:50 on 31 Dec in Shanghai: the run crosses midnight into 1 Jan (UTC still 31 Dec)"),
    ("2028-03-01 00:30:00", "Asia/Shanghai",
     "00:30 on 1 Mar 2028 on a machine set to Shanghai time: the 1st of a month after a leap February (UTC still 29 Feb), before February's ledgers are due"),
]


@dataclass
class Leg:
    label: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    seed: int | None = None
    cwd: str | None = None
    code: int | None = None
    seconds: float = 0.0


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def _database(base: str, name: str) -> str:
    """A new, empty PostgreSQL database ``name`` on the server of ``base``; its URL."""
    from bench.common import fresh_pg_database

    url = fresh_pg_database(name, base)
    if url is None:
        raise SystemExit(f"could not make database {name} on {base}")
    return url


def _pytest(label: str, url: str, extra: list[str], prefix: list[str] | None = None, env: dict | None = None) -> Leg:
    seed = random.randrange(10**9)
    argv = [*(prefix or []), sys.executable, "-m", "pytest", f"--randomly-seed={seed}", *extra]
    return Leg(label, argv, {"DUCHA_DATABASE_URL": url, **(env or {})}, seed)


def legs(extra: list[str], tmp: str, pg: str | None) -> list[Leg]:
    """Every leg, the longest first (so two at a time finish together)."""
    sqlite = lambda name: f"sqlite:///{tmp}/{name}.sqlite"
    out = [_pytest("whole suite on SQLite", sqlite("test"), extra)]
    if pg:
        out.append(_pytest("whole suite on PostgreSQL", _database(pg, "ducha_test_whole"), extra))
    if os.environ.get("DUCHA_TEST_INSTANTS", "1") != "0":
        faketime = shutil.which("faketime")
        if faketime is None:
            raise SystemExit("faketime not found (Debian package faketime; `make test` installs it): failing")
        server_side = ["tests", "--ignore=tests/pwa", "--instants", *extra]
        for n, (instant, zone, why) in enumerate(INSTANTS):
            prefix, env = [faketime, "-f", f"@{instant}"], {"TZ": zone}
            if pg:
                out.append(_pytest(f"PostgreSQL at {instant} {zone}: {why}", _database(pg, f"ducha_test_instant{n}"), server_side, prefix, env))
            out.append(_pytest(f"SQLite at {instant} {zone}: {why}", sqlite(f"instant{n}"), server_side, prefix, env))
    # the fuzz on PostgreSQL only: it is the stricter engine (integer ranges, NUL bytes, types) and
    # the fuzz sends one request at a time, so SQLite's own failure (a locked file) cannot show
    out.append(Leg("API fuzz (schemathesis, 3 roles) on PostgreSQL" if pg else "API fuzz (schemathesis, 3 roles) on SQLite",
                   [sys.executable, "-m", "tests.fuzz", "--examples", "25", *(["--postgres"] if pg else [])]))
    out.append(Leg("ruff and mypy", ["sh", "-c", f"{sys.executable} -m ruff check server tests bench && {sys.executable} -m mypy"]))
    out.append(Leg("benchmarks, smoke run at a tiny size (figures not judged)", [sys.executable, "-m", "bench", "--smoke"]))
    out.append(Leg("phone app: node tests", ["npm", "test", "--silent"], cwd="pwa"))
    return out


def _run(legs: list[Leg], at_once: int) -> None:
    started = time.monotonic()
    waiting = list(legs)
    running: list[tuple[Leg, subprocess.Popen, object, float]] = []
    while waiting or running:
        while waiting and len(running) < at_once:
            leg = waiting.pop(0)
            out = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed when the leg has been printed
            proc = subprocess.Popen(leg.argv, env={**os.environ, **leg.env}, cwd=leg.cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            running.append((leg, proc, out, time.monotonic()))
        time.sleep(0.5)
        for item in list(running):
            leg, proc, out, began = item
            if proc.poll() is None:
                continue
            running.remove(item)
            leg.code, leg.seconds = proc.returncode, time.monotonic() - began
            print(f"\n===== {leg.label} =====", flush=True)
            if leg.seed is not None:
                print(f"random order: --randomly-seed={leg.seed} (pass `-p randomly --randomly-seed={leg.seed}` to pytest to repeat it)", flush=True)
            out.seek(0)
            sys.stdout.flush()
            shutil.copyfileobj(out, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            out.close()
            print(f"===== {leg.label}: {'passed' if leg.code == 0 else f'FAILED (exit {leg.code})'} in {leg.seconds:.0f} s "
                  f"({time.monotonic() - started:.0f} s since the start) =====", flush=True)


def main() -> int:
    extra = sys.argv[1:]
    started = time.monotonic()
    pg = os.environ.get("DUCHA_TEST_POSTGRES_URL") or DEFAULT_PG
    if not _reachable(pg):
        if os.environ.get("CI") == "true":
            print(f"CI=true but no PostgreSQL at {pg} (set DUCHA_TEST_POSTGRES_URL): failing", flush=True)
            return 1
        print("PostgreSQL not reachable: its legs are skipped (set DUCHA_TEST_POSTGRES_URL)", flush=True)
        pg = None
    at_once = int(os.environ.get("DUCHA_TEST_JOBS") or min(2, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="ducha-sqlite-") as tmp:
        todo = legs(extra, tmp, pg)
        _run(todo, at_once)
    total = time.monotonic() - started
    failed = [leg for leg in todo if leg.code]
    width = max(len(leg.label[:60]) for leg in todo)
    print(f"\n===== make test: {len(todo)} legs, {at_once} at a time =====", flush=True)
    for leg in todo:
        print(f"  {leg.label[:60]:<{width}}  {'passed' if leg.code == 0 else 'FAILED'}  {leg.seconds:6.0f} s", flush=True)
    print(f"  {'total (wall)':<{width}}          {total:6.0f} s", flush=True)
    print(f"\nmake test: {'every one of the' if not failed else f'{len(failed)} of'} {len(todo)} legs "
          f"{'passed' if not failed else 'FAILED'} in {total:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
