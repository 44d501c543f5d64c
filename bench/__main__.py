"""``make bench``: every benchmark, each printing its figure beside its baseline.

``python -m bench --smoke`` (part of ``make test``): every benchmark once at a tiny size, each in its
own process, so a benchmark that no longer runs fails the test run; its figures are not judged.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

NAMES = ("bench.photos_ingest", "bench.submissions", "bench.issues_query", "bench.ledgers", "bench.pwa_shell", "bench.photo_uplink",
         "bench.login_burst", "bench.photo_memory", "bench.sync_load")


def main() -> int:
    smoke = "--smoke" in sys.argv[1:]
    env = {**os.environ, **({"DUCHA_BENCH_SMOKE": "1"} if smoke else {})}
    failed = []
    for name in NAMES:
        print(f"\n=== {name}{' (smoke: tiny size, figures not judged)' if smoke else ''} ===", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, "-m", name], env=env, cwd=Path(__file__).resolve().parents[1])
        print(f"=== {name}: {'ran' if code == 0 else f'FAILED (exit {code})'} in {time.monotonic() - started:.0f} s ===", flush=True)
        if code:
            failed.append(name)
    print(f"\nbenchmarks: {len(NAMES) - len(failed)} passed, {len(failed)} failed" + (f" ({', '.join(failed)})" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
