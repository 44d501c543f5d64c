"""``make bench``: every benchmark, each printing its figure beside its baseline."""

import runpy

for name in ("bench.photos_ingest", "bench.submissions", "bench.issues_query", "bench.pwa_shell", "bench.photo_uplink", "bench.login_burst", "bench.photo_memory", "bench.sync_load"):
    print(f"\n=== {name} ===", flush=True)
    runpy.run_module(name, run_name="__main__")
