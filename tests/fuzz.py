"""``make fuzz``: schemathesis against a real server on the demo data, as several roles.

Every operation of the OpenAPI document is called with generated valid and invalid input
(schemathesis' coverage and fuzzing phases); the run fails on any 5xx, any status the document
does not name for that route, any response that does not match its documented schema or
content type. Bounded: ``--examples`` per operation and role (CI uses a small number).

    python -m tests.fuzz [--examples 50] [--postgres] [--roles admin,yanhu,site]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench.common import demo_server, fresh_pg_database

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "ducha-demo-2026"
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"


def _session(url: str, username: str) -> tuple[str, str]:
    r = httpx.post(f"{url}/api/auth/login", json={"username": username, "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    return r.cookies["ducha_session"], r.json()["csrf_token"]


def run(url: str, username: str, examples: int, seed: int) -> int:
    cookie, token = _session(url, username)
    print(f"\n===== schemathesis as {username}: {examples} examples an operation, seed {seed} =====", flush=True)
    started = time.monotonic()
    code = subprocess.call([
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/schema/openapi.json", "--checks", CHECKS,
        "-H", f"Cookie: ducha_session={cookie}", "-H", f"X-CSRF-Token: {token}",
        # logging out would end the run's own session; everything else is fair game
        "--exclude-path", "/api/auth/logout",
        "--max-examples", str(examples), "--seed", str(seed), "--phases", "coverage,fuzzing", "--workers", "1",
        "--no-color", "--output-truncate", "true", "--request-timeout", "60",
    ], cwd=ROOT)
    print(f"===== as {username}: {'no failures' if code == 0 else f'FAILURES (exit {code})'} in {time.monotonic() - started:.0f} s =====",
          flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261202)
    parser.add_argument("--roles", default="admin,yanhu,site", help="demo users to fuzz as (comma-separated)")
    parser.add_argument("--postgres", action="store_true", help="on a fresh PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    database = ""
    if args.postgres:
        database = fresh_pg_database("ducha_fuzz") or ""
        if not database:
            print("PostgreSQL at 127.0.0.1:5432 not reachable", file=sys.stderr)
            return 1
    codes = []
    with demo_server(database_url=database) as url:
        for username in args.roles.split(","):
            codes.append(run(url, username.strip(), args.examples, args.seed))
    failed = sum(1 for c in codes if c)
    print(f"\nfuzz: {len(codes) - failed} of {len(codes)} roles without a failure", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
