"""Ledger PDFs: a 2,000-issue issue ledger and a 500-issue rectification ledger with a before and
an after thumbnail a row (the columns of the office form), ours beside the naive baseline in the same run; and the API's health p99 while a big
ledger renders.

Baseline (naive): one WeasyPrint pass over the whole HTML, automatic table layout, the system CJK
font collection as fontconfig finds it (no @font-face). Ours: ``server.ledgers.pdf.render`` (font
cut to the document with HarfBuzz, fixed table layout, chunks in a process pool, global page
numbers stamped afterwards). Each variant runs in its own process; wall time, peak RSS (the
process and the largest of its workers) and file size are printed.

    python -m bench.ledgers            # everything (the baseline takes a few minutes)
    python -m bench.ledgers --again clustered   # only: the same ledger again after 5 % of its rows changed
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import scaled

#: rows of the big issue ledger and of the rectification ledger with photos
BIG, PHOTO_ROWS = scaled(2000, 60), scaled(500, 20)

FIXTURES = ROOT.parent / "shared" / "fixtures" / "photos"


def make_ledger(kind: str, n: int):
    """A ledger of ``n`` invented lines with the real columns and realistic Chinese text."""
    from PIL import Image

    from server.checklists.loader import registry
    from server.demo.data import COUNTIES, SITE_WORDS
    from server.ledgers.model import Ledger, Photo
    from server.ledgers.rows import CITY_ISSUER, COLUMNS

    rng = random.Random(7)
    items = [(t, s, i) for t in registry().all_latest() for s, i in t.items()]
    counties = [c[0] for c in COUNTIES]
    thumbs = []
    if kind == "rectification":
        folder = Path("/tmp/ducha-bench-thumbs")
        folder.mkdir(exist_ok=True)
        for f in sorted((FIXTURES / "orientation").glob("*.jpg"))[:8]:
            out = folder / f.name
            if not out.exists():
                im = Image.open(f)
                im.thumbnail((320, 320))
                im.convert("RGB").save(out, "JPEG", quality=80)
            thumbs.append(str(out))
    rows = []
    for no in range(1, n + 1):
        t, s, i = rng.choice(items)
        county = rng.choice(counties)
        site = f"{rng.choice(['城关', '新城', '东关', '西城'])}街道{rng.choice(SITE_WORDS)}安置点{rng.randrange(1, 9)}号"
        number = f"{county[:2]}-2026-{no:04d}"
        base = {"no": no, "number": number, "county": county, "site": site, "place": f"{county} {site}",
                "description": f"不符合：{i.text}。现场：{rng.choice(['3号楼', '5号楼', '幼儿园', '卫生室'])}{rng.choice(['未配置', '已过期', '压力不足', '被占用'])}",
                "unit": rng.choice(["住建局", "消防救援大队", "教育局"]), "person": rng.choice(["张建国", "李秀英", "王志强"]),
                "deadline": date(2026, 12, rng.randrange(1, 28)), "overdue": rng.choice(["", "", 3, 12, 40]),
                "remarks": rng.choice(["", "", "", "第1轮整改被退回：照片未显示整改后的灭火器", "复查仍未整改 1 次（最近 2026年11月3日）"])}
        if kind == "issues":
            found = date(2026, rng.randrange(6, 12), rng.randrange(1, 29))
            finder = rng.choice(["王督导（暗访）", "李督导（暗访）", "盐湖区专班（县级自查）", "信访"])
            rows.append({**base, "area": f"{t.area}·{s.title}", "severity": rng.choice(["一般", "较重", "严重"]),
                         "found_on": found, "found_by": finder, "found": f"{found.year}年{found.month}月{found.day}日 {finder}",
                         "state": rng.choice(["待整改", "整改中", "待核查", "已销号", "整改中"])})
        else:
            def pics(k, no=no):
                return [Photo(uuid=f"{no}-{k}-{j}", path=rng.choice(thumbs), caption=f"2026年11月{rng.randrange(1, 29)}日 10:2{j} · 距点 {rng.randrange(20, 400)} 米") for j in range(2)]
            rows.append({**base, "measures": "已清理并建立长效巡查制度，明确专人负责，每周检查一次并留存记录。",
                         "progress": "待核查（第2轮）；2026年11月20日完成", "completed_on": date(2026, 11, 20),
                         "before": pics("b")[:1], "after": pics("a")[:1]})
    ledger = Ledger(kind=kind, title=f"运城市易地扶贫搬迁安置点{'问题' if kind == 'issues' else '整改'}台账（2026年6月1日至2026年11月30日）",
                    issuer=CITY_ISSUER, period="2026年6月1日 至 2026年11月30日", filters_text="全部", generated_at="2026年11月29日 10:00",
                    columns=COLUMNS[kind], rows=rows, summary_states=["待整改", "整改中", "待核查", "已销号"])
    ledger.summary = [(c, {s: n // 52 for s in ledger.summary_states}, n // 13) for c in counties]
    ledger.seal()
    return ledger


def run_variant(variant: str, kind: str, n: int) -> dict:
    """In this process: render, then report wall time, size, pages."""
    from server.ledgers import pdf

    ledger = make_ledger(kind, n)
    started = time.perf_counter()
    if variant == "ours":
        data, pages = pdf.render(ledger)
    else:
        from weasyprint import HTML

        source = pdf.html(ledger, ledger.rows, first=True, last=True, font_files={})
        source = source.replace("table-layout: fixed", "table-layout: auto").replace('"DuchaSerif", ', "")
        document = HTML(string=source, base_url=str(pdf.REPORTS)).render()
        data, pages = document.write_pdf(), len(document.pages)
    wall = time.perf_counter() - started
    if variant == "ours":
        # the workers are children of multiprocessing's fork server: stop it and wait for it, so that
        # RUSAGE_CHILDREN holds the largest of them
        import multiprocessing.forkserver

        multiprocessing.forkserver._forkserver._stop()
    return {"wall": wall, "bytes": len(data), "pages": pages,
            "rss_self_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "rss_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def run_again(kind: str, n: int, pattern: str) -> dict:
    """In this process: render with an empty chunk cache, change 5 % of the rows (``clustered``: 5 %
    in one run, as when one county's issues move on; ``scattered``: every 20th row), render again."""
    import tempfile

    from server.ledgers import pdf

    ledger = make_ledger(kind, n)
    cache = Path(tempfile.mkdtemp(prefix="ducha-bench-chunks-"))
    started = time.perf_counter()
    pdf.render(ledger, cache_dir=cache)
    cold = time.perf_counter() - started
    changed = range(n // 2, n // 2 + n // 20) if pattern == "clustered" else range(0, n, 20)
    for i in changed:
        ledger.rows[i] = {**ledger.rows[i], "state": "已销号", "remarks": "本周已整改销号"}
    ledger.seal()
    started = time.perf_counter()
    data, pages = pdf.render(ledger, cache_dir=cache)
    again = time.perf_counter() - started
    import multiprocessing.forkserver

    multiprocessing.forkserver._forkserver._stop()
    return {"cold": cold, "again": again, "changed": len(changed), "pages": pages, "bytes": len(data)}


def measure(variant: str, kind: str, n: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.ledgers", "--variant", variant, kind, str(n)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def line(label: str, r: dict) -> str:
    return (f"  {label:9} {r['wall']:6.1f} s  {r['pages']:4d} pages  {r['bytes'] / 1e6:5.2f} MB  "
            f"peak RSS {r['rss_self_mb']:4.0f} MB (largest worker {r['rss_workers_mb']:4.0f} MB)")


def health_during_render(kind: str, n: int) -> tuple[list[float], list[float]]:
    """/api/health latencies from a server process, idle and while a ledger renders beside it
    (as a job does: in its own process)."""
    import httpx

    from bench.common import demo_server

    def sample(url, seconds, out):
        end = time.perf_counter() + seconds
        with httpx.Client() as c:
            while time.perf_counter() < end:
                t = time.perf_counter()
                c.get(f"{url}/api/health")
                out.append((time.perf_counter() - t) * 1000)
                time.sleep(0.02)

    with demo_server() as url:
        idle: list[float] = []
        sample(url, 3, idle)
        busy: list[float] = []
        render = subprocess.Popen([sys.executable, "-m", "bench.ledgers", "--variant", "ours", kind, str(n)], cwd=ROOT,
                                  stdout=subprocess.DEVNULL)
        sampler = threading.Thread(target=sample, args=(url, 8, busy))
        sampler.start()
        sampler.join()
        render.wait()
    return idle, busy


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--variant":
        print(json.dumps(run_variant(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--again":
        print(json.dumps(run_again("issues", BIG, sys.argv[2])))
        return
    print(f"issue ledger, {BIG:,} rows, no photos (A4 landscape):")
    ours = measure("ours", "issues", BIG)
    print(line("ours", ours))
    naive = measure("naive", "issues", BIG)
    print(line("naive", naive))
    speedup = naive["wall"] / ours["wall"]
    targets = {">= 5x": speedup >= 5, "<= 6 s": ours["wall"] <= 6, "<= 5 MB": ours["bytes"] <= 5e6,
               "peak RSS <= 400 MB": max(ours["rss_self_mb"], ours["rss_workers_mb"]) <= 400}
    print(f"  speed-up {speedup:.1f}x | targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in targets.items()))
    print(f"the same {BIG:,}-row issue ledger asked for again after 5 % of its rows changed (chunks reused from the cache):")
    for pattern in ("clustered", "scattered"):
        out = subprocess.run([sys.executable, "-m", "bench.ledgers", "--again", pattern], cwd=ROOT, capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {pattern:9} {r['changed']} rows changed: again {r['again']:5.1f} s beside the first render {r['cold']:5.1f} s "
              f"({r['cold'] / r['again']:.1f}x) | target <= 1.5 s: {'met' if r['again'] <= 1.5 else 'MISSED'}")
    print(f"rectification ledger, {PHOTO_ROWS} rows, a before and an after thumbnail a row:")
    ours = measure("ours", "rectification", PHOTO_ROWS)
    print(line("ours", ours))
    naive = measure("naive", "rectification", PHOTO_ROWS)
    print(line("naive", naive))
    print(f"  speed-up {naive['wall'] / ours['wall']:.1f}x")
    idle, busy = health_during_render("issues", BIG)
    print(f"API health while a {BIG:,}-row ledger renders in its worker process: p99 {p99(busy):.1f} ms "
          f"(idle p99 {p99(idle):.1f} ms, {len(busy)} requests) | target p99 < 50 ms: {'met' if p99(busy) < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
