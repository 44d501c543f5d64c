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
import hashlib
import io
import multiprocessing
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from server.ledgers import fonts
from server.ledgers.model import Figure, Ledger
from server.ledgers.rows import cn_date

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
        return cn_date(value)
    if isinstance(value, Figure):
        return value.text
    return str(value)


def _text(ledger: Ledger, rows: list[dict] | None = None, *, first: bool = True, last: bool = True) -> str:
    """The characters a chunk of the ledger prints (its font is cut to them): the template's, the
    column titles, its rows; the first page's particulars on the first chunk, the sign-off on the last."""
    parts = [_static("ledger.html.j2")] + [c.title for c in ledger.pdf_columns]
    if first:
        parts += [ledger.title, ledger.issuer, ledger.period_label, *(f"{k}{v}" for k, v in ledger.facts), ledger.period,
                  ledger.filters_text, ledger.generated_at, ledger.rule, ledger.summary_total, *ledger.summary_states]
        parts += [county for county, _, _ in ledger.summary]
    if last:
        parts += [ledger.issuer, ledger.generated_at, *ledger.signatures]
    for r in ledger.rows if rows is None else rows:
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


#: the footer of every page, left: the ledger's digest and how to check a copy
FOOTER = "台账摘要（SHA-256）：{digest}　核对真伪：督查系统「台账 › 核对台账文件」上传本文件，或命令 ducha ledger verify 文件名"
#: after the footer: the audit chain's count and head hash when the ledger was made (an anchor the office keeps)
AUDIT_FOOTER = "　{audit}"
#: changes whenever a change to this module changes what a chunk renders to (cached chunks are keyed by it)
RENDER_VERSION = "2026-12-01"


def footer_text(ledger: Ledger) -> str:
    return FOOTER.format(digest=ledger.digest) + (AUDIT_FOOTER.format(audit=ledger.audit) if ledger.audit else "")


def _stamp(args: tuple[range, int, dict[str, Path], bool, str]) -> bytes:
    """Pages carrying only the footer (the digest, left; "第 n 页 共 total 页", right) for the page
    numbers ``numbers``, to be laid over the ledger's pages in the bottom margin."""
    numbers, total, font_files, landscape, footer = args
    size, height, right, left = ("A4 landscape", 210, "10mm", "22mm") if landscape else ("A4 portrait", 297, "14mm", "25mm")
    source = _env().get_template("stamp.html.j2").render(numbers=numbers, total=total, fonts=font_files, size=size,
                                                        top=f"{height - 12}mm", right=right, left=left,
                                                        footer=footer)
    return document(source).write_pdf()


_NAME = re.compile(rb"/([A-Za-z0-9_.\-]+)")


def _lay_over(writer, page, over, cloned: dict[int, Any]) -> None:
    """Draw the overlay page ``over`` (the footer) on top of ``page``: its content stream appended
    after the page's own (wrapped in q/Q), its resources added under names of their own. pypdf's
    ``merge_page`` does the same by parsing both content streams, a third of a big ledger's time."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

    own = page["/Resources"].get_object()
    resources = DictionaryObject(own.items())  # this page's own copy: pages of a chunk share theirs
    renames: dict[bytes, bytes] = {}
    theirs = over["/Resources"].get_object()
    for category, entries in theirs.items():
        if category == "/ProcSet":
            continue
        merged = DictionaryObject(resources[category].get_object().items()) if category in resources else DictionaryObject()
        for name, ref in entries.get_object().items():
            new = f"/ov-{name[1:]}"
            renames[name[1:].encode()] = new[1:].encode()
            key = id(ref.get_object())
            if key not in cloned:
                cloned[key] = ref.clone(writer) if hasattr(ref, "clone") else ref
            merged[NameObject(new)] = cloned[key]
        resources[NameObject(category)] = merged
    page[NameObject("/Resources")] = resources
    text = _NAME.sub(lambda m: b"/" + renames.get(m.group(1), m.group(1)), over.get_contents().get_data())
    before, after = StreamObject(), StreamObject()
    before.set_data(b"q\n")
    after.set_data(b"\nQ\n" + text)
    contents = page.raw_get("/Contents")
    parts = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(before), *parts, writer._add_object(after.flate_encode())])


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
    writer.add_metadata({"/Title": ledger.title, "/Author": ledger.issuer, "/Subject": f"台账摘要 {ledger.digest}" + (f"；{ledger.audit}" if ledger.audit else ""),
                         "/Creator": "ducha 督查", "/Producer": "ducha 督查 (WeasyPrint, pypdf)",
                         "/CreationDate": at, "/ModDate": at})
    writer._root_object[NameObject("/Lang")] = TextStringObject("zh-CN")


def _parts(total: int, n: int) -> list[range]:
    """1..total cut into at most ``n`` consecutive ranges."""
    size = -(-total // max(n, 1))
    return [range(a, min(a + size, total + 1)) for a in range(1, total + 1, size)]


def chunk_key(source: str) -> str:
    """A chunk's name from exactly its HTML (rows, columns, fonts, template) and the WeasyPrint
    version and ours: everything that affects what it renders to."""
    import weasyprint

    return hashlib.sha256(f"{weasyprint.__version__}|{RENDER_VERSION}|{source}".encode()).hexdigest()


def page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _cached(cache_dir: Path | None, source: str) -> tuple[Path | None, tuple[bytes, int] | None]:
    """A chunk rendered before from exactly this HTML: its PDF and page count."""
    if cache_dir is None:
        return None, None
    path = cache_dir / f"{chunk_key(source)}.pdf"
    try:
        data = path.read_bytes()
        os.utime(path)  # recently used: kept by the pruning
        return path, (data, page_count(data))
    except (OSError, ValueError):
        return path, None


def _store(path: Path | None, data: bytes) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def prune_cache(cache_dir: Path, keep_days: int = 14) -> int:
    """Chunks not used for ``keep_days`` are removed; returns how many."""
    import time

    cutoff = time.time() - keep_days * 86400
    gone = 0
    for f in cache_dir.glob("*.pdf") if cache_dir.is_dir() else []:
        try:
            if f.stat().st_mtime < cutoff:
                f.unlink()
                gone += 1
        except OSError:
            continue
    return gone


def stamp_font(font_dir: Path) -> dict[str, Path]:
    return fonts.subset(FOOTER + "审计链条 · 第页共 0123456789abcdef", font_dir, weights=("regular",))


def prepare(ledger: Ledger, font_dir: Path, chunk_rows: int = CHUNK_ROWS) -> list[tuple[str, int]]:
    """The ledger cut into chunks of ``chunk_rows`` rows: (HTML source, rows) each, every chunk with
    its own font subset, so a chunk's HTML depends on its own rows only."""
    chunks = [ledger.rows[i:i + chunk_rows] for i in range(0, len(ledger.rows), chunk_rows)] or [[]]
    out = []
    for n, rows in enumerate(chunks):
        first, last = n == 0, n == len(chunks) - 1
        font_files = fonts.subset(_text(ledger, rows, first=first, last=last), font_dir, base=fonts.BASE)
        out.append((html(ledger, rows, first=first, last=last, font_files=font_files), len(rows)))
    return out


def render_chunk(source: str) -> tuple[bytes, int]:
    """One chunk in this thread: its PDF bytes and page count."""
    return _render_chunk((source,))


def render(ledger: Ledger, *, progress: Callable[[int], None] | None = None, workers: int | None = None,
           chunk_rows: int = CHUNK_ROWS, font_dir: Path | None = None, cache_dir: Path | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count), the chunks rendered here by a process pool. ``progress(rows_done)``
    is called as chunks finish.

    The digest is printed by the overlay, so with ``cache_dir`` a chunk rendered before from the
    same HTML is reused (a ledger asked for again after a few rows changed renders only the chunks
    holding them)."""
    font_dir = font_dir or Path(tempfile.gettempdir()) / "ducha-fonts"
    workers = workers or os.cpu_count() or 1
    prepared = prepare(ledger, font_dir, chunk_rows)
    sources = [source for source, _ in prepared]
    results: list[tuple[bytes, int] | None] = []
    misses: list[int] = []
    keys: list[Path | None] = []
    done = 0
    for n, source in enumerate(sources):
        path, hit = _cached(cache_dir, source)
        keys.append(path)
        results.append(hit)
        if hit is None:
            misses.append(n)
        else:
            done += prepared[n][1]
    if progress and done:
        progress(done)
    pool = _pool(min(len(misses), workers)) if len(misses) > 1 and workers > 1 else None
    try:
        if pool is not None:
            for n, result in zip(misses, pool.map(_render_chunk, [(sources[n],) for n in misses])):
                results[n] = result
                _store(keys[n], result[0])
                done += prepared[n][1]
                if progress:
                    progress(done)
        else:
            for n in misses:  # in this thread: progress after the layout, the longer part
                with _without_gc():
                    laid_out = document(sources[n])
                    if progress:
                        progress(done + prepared[n][1] * 4 // 5)
                    results[n] = (laid_out.write_pdf(dpi=150), len(laid_out.pages))
                del laid_out
                _store(keys[n], results[n][0])
                done += prepared[n][1]
                if progress:
                    progress(done)
        data, total = assemble(ledger, results, font_dir, pool=pool, workers=workers)
    finally:
        if pool is not None:
            pool.shutdown()
    if progress:
        progress(len(ledger.rows))
    return data, total


def assemble(ledger: Ledger, results: list, font_dir: Path, *, pool: ProcessPoolExecutor | None = None,
             workers: int = 1) -> tuple[bytes, int]:
    """The chunks' PDFs joined, every page given its footer (the digest; "第 n 页 共 total 页")
    once the whole count is known: (PDF bytes, page count)."""
    from pypdf import PdfReader, PdfWriter

    total = sum(pages for _, pages in results)
    stamp_args = [(part, total, stamp_font(font_dir), ledger.landscape, footer_text(ledger)) for part in _parts(total, workers if pool else 1)]
    stamps = list(pool.map(_stamp, stamp_args)) if pool is not None else [_stamp(a) for a in stamp_args]
    overlay = [page for data in stamps for page in PdfReader(io.BytesIO(data)).pages]
    writer = PdfWriter()
    n = 0
    cloned: dict[int, Any] = {}
    for data, _ in results:
        for page in PdfReader(io.BytesIO(data)).pages:
            _lay_over(writer, writer.add_page(page), overlay[n], cloned)
            n += 1
    _name_fonts_by_program(writer)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)  # one copy of the overlay's font
    _describe(writer, ledger)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total
