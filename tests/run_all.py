"""``make test``: the whole suite on SQLite, then on PostgreSQL, then the server-side suite again at
the awkward instants (under Debian's ``faketime``), on both engines.

PostgreSQL comes from DUCHA_TEST_POSTGRES_URL, else a local server at 127.0.0.1:5432 (database
``test``) when one answers. With CI=true PostgreSQL is required: its absence fails the run instead of
skipping it. The order of the tests is random (pytest-randomly); each run prints its seed, and
``-p randomly --randomly-seed=N`` repeats it. Arguments are passed on to every pytest run.

At each awkward instant the SQLite and the PostgreSQL runs go side by side (they share nothing);
their output is printed whole, one after the other, as each ends.

``DUCHA_TEST_INSTANTS=0`` leaves the awkward instants out (a quicker local run).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"

# (the instant as faketime reads it, in the zone TZ names, the machine's zone for the run, why)
INSTANTS = [
    ("2026-12-31 15:50:00", "UTC", "23:50 on 31 Dec in Shanghai: the run crosses midnight into 1 Jan (UTC still 31 Dec)"),
    ("2028-03-01 00:30:00", "Asia/Shanghai",
     "00:30 on 1 Mar 2028 on a machine set to Shanghai time: the 1st of a month after a leap February (UTC still 29 Feb), before February's ledgers are due"),
]
# (two instants, not three: each pair takes about 14 minutes of the 90 that CI allows; the second
# covers what the former 29 Feb and 1 Apr instants did: a Shanghai-zoned machine, a leap day, the
# 1st of a month at 00:30 before last month's ledgers are due)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _command(url: str, label: str, extra: list[str], prefix: list[str] | None = None, env_extra: dict | None = None):
    env = {**os.environ, "DUCHA_DATABASE_URL": url, **(env_extra or {})}
    seed = random.randrange(10**9)
    return label, seed, [*(prefix or []), sys.executable, "-m", "pytest", f"--randomly-seed={seed}", *extra], env


def _header(label: str, seed: int) -> None:
    print(f"\n===== tests on {label} =====", flush=True)
    print(f"random order: --randomly-seed={seed} (pass `-p randomly --randomly-seed={seed}` to pytest to repeat it)", flush=True)


def _footer(label: str, code: int, seconds: float) -> None:
    print(f"===== {label}: {'passed' if code == 0 else f'FAILED (exit {code})'} in {seconds:.0f} s =====", flush=True)


def _pytest(url: str, label: str, extra: list[str], prefix: list[str] | None = None, env_extra: dict | None = None) -> int:
    label, seed, argv, env = _command(url, label, extra, prefix, env_extra)
    _header(label, seed)
    started = time.monotonic()
    code = subprocess.call(argv, env=env)
    _footer(label, code, time.monotonic() - started)
    return code


def _side_by_side(runs: list[tuple]) -> list[int]:
    """Runs that share nothing (one SQLite file each, at most one on PostgreSQL) at the same time:
    the machine has more than one core and a faketime run is CPU-bound. Each run's output is kept
    in a file and printed whole when it ends, so the log reads as if they ran one after another."""
    started = time.monotonic()
    codes = []
    with contextlib.ExitStack() as files:
        jobs = []
        for label, seed, argv, env in runs:
            out = files.enter_context(tempfile.TemporaryFile(mode="w+b"))
            jobs.append((label, seed, subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT), out))
        for label, seed, proc, out in jobs:
            code = proc.wait()
            _header(label, seed)
            out.seek(0)
            sys.stdout.flush()
            shutil.copyfileobj(out, sys.stdout.buffer)
            sys.stdout.buffer.flush()
            _footer(label, code, time.monotonic() - started)
            codes.append(code)
    return codes


def _sqlite_url(tmp: str, name: str) -> str:
    return f"sqlite:///{tmp}/{name}.sqlite"


def main() -> int:
    extra = sys.argv[1:]
    codes = []
    pg = os.environ.get("DUCHA_TEST_POSTGRES_URL")
    if not pg and _reachable("127.0.0.1", 5432):
        pg = DEFAULT_PG
    if not pg and os.environ.get("CI") == "true":
        print("CI=true but no PostgreSQL at 127.0.0.1:5432 and no DUCHA_TEST_POSTGRES_URL: failing", flush=True)
        return 1
    with tempfile.TemporaryDirectory(prefix="ducha-sqlite-") as tmp:
        codes.append(_pytest(_sqlite_url(tmp, "test"), "SQLite", extra))
        if pg:
            codes.append(_pytest(pg, "PostgreSQL", extra))
        else:
            print("PostgreSQL not reachable: the PostgreSQL run is skipped (set DUCHA_TEST_POSTGRES_URL)", flush=True)
        if os.environ.get("DUCHA_TEST_INSTANTS", "1") != "0":
            faketime = shutil.which("faketime")
            if faketime is None:
                print("faketime not found (Debian package faketime; `make test` installs it): failing", flush=True)
                return 1
            server_side = ["tests", "--ignore=tests/pwa", *extra]
            for n, (instant, zone, why) in enumerate(INSTANTS):
                prefix = [faketime, "-f", f"@{instant}"]
                env = {"TZ": zone}
                runs = [_command(_sqlite_url(tmp, f"instant{n}"), f"SQLite at {instant} {zone}: {why}", server_side, prefix, env)]
                if pg:
                    runs.append(_command(pg, f"PostgreSQL at {instant} {zone}: {why}", server_side, prefix, env))
                codes.extend(_side_by_side(runs))
    failed = sum(1 for c in codes if c)
    print(f"\nmake test: {'every one of the' if not failed else f'{failed} of'} {len(codes)} suite runs {'passed' if not failed else 'FAILED'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
