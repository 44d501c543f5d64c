"""Ledger PDFs: Jinja2 + CSS from reports/, WeasyPrint, in parallel chunks with global page numbers.

Layout dominates the time (~6 ms a row with a fixed table layout), so the rows are cut into
chunks rendered by a process pool; ``counter(pages)`` would restart in each chunk, so pages are
numbered afterwards: the chunks are joined with pypdf and every page gets its "第 X 页 共 Y 页"
from an overlay page the same workers render once the count is known. WeasyPrint runs with a
user-agent stylesheet cut to what our templates use (reports/ua.css). The font is cut to the document's
characters first (``fonts.subset``). Photos are embedded at 150 dpi.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import tempfile
from datetime import date
from contextlib import contextmanager
from functools import lru_cache
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

import jinja2

from server.ledgers import fonts
from server.ledgers.model import Figure, Ledger

REPORTS = Path(__file__).resolve().parents[2] / "reports"
CHUNK_ROWS = 250


def _pool(workers: int) -> ProcessPoolExecutor:
    """Workers forked from a clean forkserver that has WeasyPrint imported already: no fork of a
    threaded parent (the job runs the render in a thread), and no second of imports per worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", "server.ledgers.pdf"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


@lru_cache(maxsize=8)
def _static(name: str) -> str:
    """A file of reports/ (template or CSS), read once per process."""
    return (REPORTS / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(REPORTS), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["file_uri"] = lambda p: Path(p).as_uri()
    env.filters["cell"] = _cell
    return env


def _cell(value) -> str:
    """A row's value as printed: dates as 2026年9月1日."""
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, Figure):
        return value.text
    return str(value)


def _text(ledger: Ledger) -> str:
    parts = [_static("ledger.html.j2"), _static("stamp.html.j2"), ledger.title, ledger.issuer,
             *(f"{k}{v}" for k, v in ledger.facts), *ledger.signatures, ledger.period, ledger.filters_text, ledger.generated_at, ledger.rule, ledger.summary_total, *ledger.summary_states]
    parts += [c.title for c in ledger.columns] + [county for county, _, _ in ledger.summary]
    for r in ledger.rows:
        for v in r.values():
            parts.append(" ".join(p.caption for p in v) if isinstance(v, list) else _cell(v))
    return "".join(parts)


def html(ledger: Ledger, rows: list[dict], *, first: bool, last: bool, font_files: dict[str, Path]) -> str:
    totals = {s: sum(c[s] for _, c, _ in ledger.summary) for s in ledger.summary_states}
    return _env().get_template("ledger.html.j2").render(
        ledger=ledger, rows=rows, first=first, last=last, fonts=font_files, css=_static("ledger.css"),
        totals=totals, total_rows=len(ledger.rows), columns=ledger.pdf_columns, widths=sum(c.width for c in ledger.pdf_columns))


@lru_cache(maxsize=1)
def _report_html() -> type:
    """WeasyPrint's ``HTML`` with reports/ua.css as its user-agent stylesheet (see that file: the
    HTML5 one costs a third of the style time). ``_ua_stylesheets`` is WeasyPrint's own hook for
    this (its ``HTML`` class is built on it); tests/ledgers/test_pdf.py checks that it still applies."""
    from weasyprint import CSS, HTML

    ua = CSS(string=_static("ua.css"))

    class ReportHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua]

    return ReportHTML


def document(source: str):
    """HTML source of a report to a laid-out WeasyPrint document."""
    return _report_html()(string=source, base_url=str(REPORTS)).render()


@contextmanager
def _without_gc():
    """The cyclic garbage collector paused: a chunk allocates millions of boxes and styles that all
    live until it is written, and the collector's passes over them cost ~15 % of the render
    (measured; memory is the same, WeasyPrint leaves little cyclic garbage)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render_chunk(args: tuple[str]) -> tuple[bytes, int]:
    """In a worker process: one chunk's HTML to PDF bytes and its page count."""
    (source,) = args
    with _without_gc():
        laid_out = document(source)
        # (full_fonts=True would skip a second subsetting, 0.3 s a chunk, but breaks the text layer of
        # Latin glyphs: the digest could no longer be read back by `ducha ledger verify`)
        return laid_out.write_pdf(dpi=150), len(laid_out.pages)


def _stamp(args: tuple[range, int, dict[str, Path], bool]) -> bytes:
    """Pages carrying only "第 n 页 共 total 页" for the page numbers ``numbers``, to be laid over the
    ledger's pages (at the bottom right, where the page margin leaves room)."""
    numbers, total, font_files, landscape = args
    size, height, right = ("A4 landscape", 210, "10mm") if landscape else ("A4 portrait", 297, "14mm")
    source = _env().get_template("stamp.html.j2").render(numbers=numbers, total=total, fonts=font_files, size=size,
                                                        top=f"{height - 9.5}mm", right=right)
    return document(source).write_pdf()


def _name_fonts_by_program(writer) -> None:
    """Each chunk embeds its own subset of the font, and WeasyPrint may give two different subsets
    the same tagged name (ABCDEF+DuchaSerif), which ISO 32000 §9.6.4 forbids: every embedded
    program gets a tag made from its own bytes, so equal programs share a name, different ones never."""
    import hashlib

    from pypdf.generic import NameObject

    seen: set[int] = set()
    for page in writer.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            parts = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            descriptor = next((x["/FontDescriptor"].get_object() for x in parts if "/FontDescriptor" in x), None)
            program = next((descriptor[k].get_object() for k in ("/FontFile2", "/FontFile3", "/FontFile") if descriptor and k in descriptor), None)
            if program is None:
                continue
            digest = hashlib.sha256(program.get_data()).digest()
            tag = "".join(chr(ord("A") + b % 26) for b in digest[:6])
            base = str(font["/BaseFont"]).split("+", 1)[-1].lstrip("/")
            name = NameObject(f"/{tag}+{base}")
            for x in parts:
                if "/BaseFont" in x:
                    x[NameObject("/BaseFont")] = name
            descriptor[NameObject("/FontName")] = name


def _describe(writer, ledger: Ledger) -> None:
    """The document information an archive and a screen reader look for: title, issuing unit,
    creation date, the digest, and the language (zh-CN)."""
    from pypdf.generic import NameObject, TextStringObject

    from server.lib import clock

    at = clock.now().strftime("D:%Y%m%d%H%M%S+00'00'")
    writer.add_metadata({"/Title": ledger.title, "/Author": ledger.issuer, "/Subject": f"台账摘要 {ledger.digest}",
                         "/Creator": "ducha 督查", "/Producer": "ducha 督查 (WeasyPrint, pypdf)",
                         "/CreationDate": at, "/ModDate": at})
    writer._root_object[NameObject("/Lang")] = TextStringObject("zh-CN")


def _parts(total: int, n: int) -> list[range]:
    """1..total cut into at most ``n`` consecutive ranges."""
    size = -(-total // max(n, 1))
    return [range(a, min(a + size, total + 1)) for a in range(1, total + 1, size)]


def render(ledger: Ledger, *, progress: Callable[[int], None] | None = None, workers: int | None = None,
           chunk_rows: int = CHUNK_ROWS, font_dir: Path | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count). ``progress(rows_done)`` is called as chunks finish."""
    from pypdf import PdfReader, PdfWriter

    font_dir = font_dir or Path(tempfile.gettempdir()) / "ducha-fonts"
    font_files = fonts.subset(_text(ledger), font_dir, base=fonts.BASE)
    digits = fonts.subset("第页共 0123456789", font_dir, weights=("regular",))  # the page numbers need only these
    workers = workers or os.cpu_count() or 1
    # at least two chunks a worker (for progress and balance), no more chunks than needed
    chunk_rows = max(chunk_rows, -(-len(ledger.rows) // (2 * workers)))
    chunks = [ledger.rows[i:i + chunk_rows] for i in range(0, len(ledger.rows), chunk_rows)] or [[]]
    sources = [(html(ledger, rows, first=n == 0, last=n == len(chunks) - 1, font_files=font_files),) for n, rows in enumerate(chunks)]
    results: list[tuple[bytes, int]] = []
    done = 0
    if len(sources) == 1:
        results.append(_render_chunk(sources[0]))
        total = results[0][1]
        stamps = [_stamp((range(1, total + 1), total, digits, ledger.landscape))]
    else:
        with _pool(min(len(sources), workers)) as pool:
            for (data, pages), rows in zip(pool.map(_render_chunk, sources), chunks):
                results.append((data, pages))
                done += len(rows)
                if progress:
                    progress(done)
            # the page numbers, once the whole count is known: in the same workers, in parallel
            total = sum(pages for _, pages in results)
            stamps = list(pool.map(_stamp, [(part, total, digits, ledger.landscape) for part in _parts(total, workers)]))
    overlay = [page for data in stamps for page in PdfReader(io.BytesIO(data)).pages]
    writer = PdfWriter()
    n = 0
    for data, _ in results:
        for page in PdfReader(io.BytesIO(data)).pages:
            added = writer.add_page(page)
            added.merge_page(overlay[n])
            added.compress_content_streams()
            n += 1
    _name_fonts_by_program(writer)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)  # one copy of the overlay's font
    _describe(writer, ledger)
    out = io.BytesIO()
    writer.write(out)
    if progress:
        progress(len(ledger.rows))
    return out.getvalue(), total
