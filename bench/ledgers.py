"""Ledger PDFs: a 2,000-issue issue ledger and a 500-issue rectification ledger with two thumbnails
a row, ours beside the naive baseline in the same run; and the API's health p99 while a big
ledger renders.

Baseline (naive): one WeasyPrint pass over the whole HTML, automatic table layout, the system CJK
font collection as fontconfig finds it (no @font-face). Ours: ``server.ledgers.pdf.render`` (font
cut to the document with HarfBuzz, fixed table layout, chunks in a process pool, global page
numbers stamped afterwards). Each variant runs in its own process; wall time, peak RSS (the
process and the largest of its workers) and file size are printed.

    python -m bench.ledgers            # everything (the baseline takes about a minute)
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIXTURES = ROOT.parent / "shared" / "fixtures" / "photos"


def make_ledger(kind: str, n: int):
    """A ledger of ``n`` invented lines with the real columns and realistic Chinese text."""
    from PIL import Image

    from server.checklists.loader import registry
    from server.demo.data import COUNTIES, SITE_WORDS
    from server.ledgers.model import Ledger, Photo
    from server.ledgers.rows import COLUMNS, CITY_ISSUER

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
        base = {"no": no, "county": county, "site": site, "description": i.text}
        if kind == "issues":
            rows.append({**base, "area": f"{t.area}·{s.title}", "found_on": f"2026-{rng.randrange(6, 12):02d}-{rng.randrange(1, 29):02d}",
                         "found_by": rng.choice(["王督导（暗访）", "李督导（暗访）", "盐湖区专班（县级自查）", "信访"]),
                         "responsible": rng.choice(["住建局、张建国", "消防救援大队、李秀英", "教育局、王志强"]),
                         "deadline": "2026-12-15", "state": rng.choice(["待整改", "整改中", "待核查", "已销号", "整改中（逾期）"])})
        else:
            def pics(k):
                return [Photo(uuid=f"{no}-{k}-{j}", path=rng.choice(thumbs), caption=f"11-0{rng.randrange(1, 9)} 10:2{j} · 距点 {rng.randrange(20, 400)} 米") for j in range(2)]
            rows.append({**base, "measures": "已清理并建立长效巡查制度，明确专人负责，每周检查一次并留存记录。",
                         "responsible": "消防救援大队、李秀英", "deadline": "2026-12-15", "progress": "待核查（第2轮）",
                         "completed_on": "2026-11-20", "before": pics("b")[:1], "after": pics("a")})
    ledger = Ledger(kind=kind, title=f"易地扶贫搬迁安置点{'问题' if kind == 'issues' else '整改'}台账", issuer=CITY_ISSUER,
                    period="2026年06月01日 至 2026年11月30日", filters_text="全部", generated_at="2026-11-29 10:00",
                    columns=COLUMNS[kind], rows=rows, summary_states=["待整改", "整改中", "待核查", "已销号"])
    ledger.summary = [(c, {s: n // 52 for s in ledger.summary_states}, n // 13) for c in counties]
    ledger.seal()
    if kind == "rectification":  # two thumbnails a row: before and after
        for r in ledger.rows:
            r["before"] = r["before"] + r["after"][:1]
            r["after"] = r["after"][:1] + r["before"][:1]
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
    print("issue ledger, 2,000 rows, no photos (A4 landscape):")
    ours = measure("ours", "issues", 2000)
    print(line("ours", ours))
    naive = measure("naive", "issues", 2000)
    print(line("naive", naive))
    speedup = naive["wall"] / ours["wall"]
    targets = {">= 5x": speedup >= 5, "<= 10 s": ours["wall"] <= 10, "<= 5 MB": ours["bytes"] <= 5e6,
               "peak RSS <= 400 MB": max(ours["rss_self_mb"], ours["rss_workers_mb"]) <= 400}
    print(f"  speed-up {speedup:.1f}x | targets: " + ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in targets.items()))
    print("rectification ledger, 500 rows, two thumbnails a row:")
    ours = measure("ours", "rectification", 500)
    print(line("ours", ours))
    naive = measure("naive", "rectification", 500)
    print(line("naive", naive))
    print(f"  speed-up {naive['wall'] / ours['wall']:.1f}x")
    idle, busy = health_during_render("issues", 2000)
    print(f"API health while a 2,000-row ledger renders in its worker process: p99 {p99(busy):.1f} ms "
          f"(idle p99 {p99(idle):.1f} ms, {len(busy)} requests) | target p99 < 50 ms: {'met' if p99(busy) < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
