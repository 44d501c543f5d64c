"""The county issue list with filters and counts on 100,000 issues (13 counties, 2,000 sites).

For each engine: p50/p95 of one county team's list page (open + overdue + area filter,
sorted by deadline) plus the per-county state counts, beside the same list without
any filter (the baseline), and the query plan (EXPLAIN). Target: <= 100 ms at p95.

    python -m bench.issues_query
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import fresh_pg_database, scaled

ROOT = Path(__file__).resolve().parents[1]
N_ISSUES, N_SITES, RUNS = scaled((100_000, 2_000, 40), (300, 20, 2))
AREAS = ["质量安全", "消防措施", "教育医疗", "产业就业", "十有十到位", "社区治理与社会融入", "防返贫动态监测"]


async def _fill() -> None:
    from server.accounts.tables import User
    from server.demo.service import ensure_reference_data
    from server.issues.tables import Issue
    from server.lib import db
    from server.sites.tables import County, Site

    await ensure_reference_data()
    counties = [r["id"] for r in await County.select(County.id)]
    rng = random.Random(7)
    now = datetime.now(UTC)
    sites = [Site(county=counties[i % 13], name=f"bench site {i}", lat=35.0, lon=111.0, created_at=now, updated_at=now)
             for i in range(N_SITES)]
    for i in range(0, N_SITES, 500):
        async with db.write():
            await Site.insert(*sites[i:i + 500])
    site_rows = await Site.select(Site.id, Site.county)
    user = User(username="bench", display_name="bench", password_hash="x", role="city_inspector", created_at=now)
    await user.save()
    today = date.today()
    batch = []
    for n in range(N_ISSUES):
        s = site_rows[rng.randrange(len(site_rows))]
        found = now - timedelta(days=rng.randrange(365))
        batch.append(Issue(
            source="visit", county=s["county"], site=s["id"], department=None, template_id="fire-safety", template_version=1,
            item_key=f"item_{rng.randrange(40)}", area=rng.choice(AREAS), description="基准测试问题", severity=rng.choice(["minor", "major", "critical"]),
            state=rng.choice(["open", "rectifying", "submitted", "closed", "closed", "closed"]),
            deadline=today + timedelta(days=rng.randrange(-120, 60)), photos=[], found_at=found, found_by=user.id, created_at=found,
        ))
        if len(batch) == 1000:
            async with db.write():
                await Issue.insert(*batch)
            batch = []
    if db.is_postgres():
        await db.execute("ANALYZE")
    else:
        await db.execute("ANALYZE")


async def _measure() -> None:
    from server.accounts.guards import Principal
    from server.accounts.roles import Role
    from server.issues import queries
    from server.lib import db
    from server.sites.tables import County

    if db.is_postgres():
        await db.engine().start_connection_pool()
    county = (await County.select(County.id).where(County.name == "盐湖区").first())["id"]
    p = Principal(id=1, username="b", display_name="b", role=Role.COUNTY_TEAM, county_id=county)
    filtered = queries.Filters(state="open", overdue=True, area="消防措施")

    async def timed(f):
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            await queries.list_issues(p, f, sort="deadline", limit=50)
            await queries.counts(p, f)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times), sorted(times)[int(RUNS * 0.95) - 1]

    p50, p95 = await timed(filtered)
    b50, b95 = await timed(queries.Filters())
    page = await queries.list_issues(p, filtered, sort="deadline", limit=50)
    engine = "PostgreSQL" if db.is_postgres() else "SQLite"
    verdict = "meets" if p95 <= 100 else "MISSES"
    print(f"  {engine:<10} county list + counts, filtered (open, overdue, 消防措施; {page.total} rows): "
          f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  target <= 100 ms: {verdict}")
    print(f"  {engine:<10} baseline, same county unfiltered:                       p50 {b50:6.1f} ms  p95 {b95:6.1f} ms")
    today = date.today().isoformat()
    sql = ("SELECT id FROM issue WHERE county = {} AND state = 'open' AND area = '消防措施' AND deadline < '"
           + today + "' ORDER BY deadline LIMIT 50")
    prefix = "EXPLAIN " if db.is_postgres() else "EXPLAIN QUERY PLAN "
    plan = await db.execute(prefix + sql, county)
    for row in plan:
        print("      plan:", row.get("QUERY PLAN") or row.get("detail"))
    if db.is_postgres():
        await db.engine().close_connection_pool()


def _worker(url: str) -> None:
    os.environ["DUCHA_DATABASE_URL"] = url
    os.environ["PICCOLO_CONF"] = "piccolo_conf"
    sys.path.insert(0, str(ROOT))
    from server.cli import migrate

    async def go():
        await migrate()
        start = time.perf_counter()
        await _fill()
        print(f"  generated {N_ISSUES:,} issues at {N_SITES:,} sites in {time.perf_counter() - start:.1f} s", flush=True)
        await _measure()

    asyncio.run(go())


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        _worker(sys.argv[2])
        return
    tmp = tempfile.mkdtemp(prefix="ducha-bench-")
    pg = fresh_pg_database("ducha_bench_issues")
    urls = [f"sqlite:///{tmp}/issues.sqlite"] + ([pg] if pg else [])
    print(f"issue queries on {N_ISSUES:,} issues, {RUNS} runs each")
    for url in urls:
        subprocess.run([sys.executable, "-m", "bench.issues_query", "--worker", url], cwd=ROOT, check=True,
                       stderr=subprocess.DEVNULL, env={**os.environ, "DUCHA_DATABASE_URL": url})


if __name__ == "__main__":
    main()
