"""``make test``: the whole suite on SQLite, then again on PostgreSQL.

PostgreSQL comes from DUCHA_TEST_POSTGRES_URL, else a local server at
127.0.0.1:5432 (database ``test``) when one answers. With CI=true PostgreSQL is
required: its absence fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def _pytest(url: str, label: str, extra: list[str]) -> int:
    print(f"\n===== tests on {label} =====", flush=True)
    env = {**os.environ, "DUCHA_DATABASE_URL": url}
    return subprocess.call([sys.executable, "-m", "pytest", *extra], env=env)


def main() -> int:
    extra = sys.argv[1:]
    with tempfile.TemporaryDirectory(prefix="ducha-sqlite-") as tmp:
        code = _pytest(f"sqlite:///{tmp}/test.sqlite", "SQLite", extra)
    pg = os.environ.get("DUCHA_TEST_POSTGRES_URL")
    if not pg and _reachable("127.0.0.1", 5432):
        pg = DEFAULT_PG
    if not pg:
        if os.environ.get("CI") == "true":
            print("CI=true but no PostgreSQL at 127.0.0.1:5432 and no DUCHA_TEST_POSTGRES_URL: failing", flush=True)
            return 1
        print("PostgreSQL not reachable: the PostgreSQL run is skipped (set DUCHA_TEST_POSTGRES_URL)", flush=True)
        return code
    pg_code = _pytest(pg, "PostgreSQL", extra)
    return code or pg_code


if __name__ == "__main__":
    sys.exit(main())
