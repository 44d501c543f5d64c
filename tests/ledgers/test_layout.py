"""The printed page as the office receives it: no table row cut across two pages (its photos stay
with its text), the sign-off block never alone on a page, tables inside the text box, a binding
margin, body text of 9 pt, the document information an archive reads."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from server.ledgers import pdf
from server.ledgers.model import Column, Ledger, Photo
from server.ledgers.rows import COLUMNS
from tests.photos.fixtures import FIXTURES

MM = 96 / 25.4  # CSS pixels per millimetre


def _ledger(n: int, tmp_path, photos_every: int = 3) -> Ledger:
    thumb = tmp_path / "thumb.jpg"
    Image.open(FIXTURES / "gps" / "DSCN0012.jpg").convert("RGB").resize((320, 240)).save(thumb)
    rows = []
    for i in range(1, n + 1):
        before = [Photo(uuid=f"b{i}", path=str(thumb), caption="2026年11月3日 10:12 · 距点 56 米")] if i % photos_every == 0 else []
        rows.append({"no": i, "number": f"盐湖-2026-{i:04d}", "county": "盐湖区", "site": "盐湖测试安置点一", "place": "盐湖区 盐湖测试安置点一",
                     "description": "不符合：每层楼梯口或公共区域配置灭火器。现场：" + "5号楼1单元灭火器压力不足，" * (i % 4 + 1),
                     "measures": "已更换灭火器" * (i % 3 + 1), "unit": "消防救援大队", "person": "张三", "deadline": date(2026, 12, 8),
                     "progress": "待核查", "completed_on": "", "overdue": i % 5 or "", "before": before, "after": before,
                     "remarks": "第1轮整改被退回：照片不清" if i % 7 == 0 else ""})
    return Ledger(kind="rectification", title="盐湖区易地扶贫搬迁安置点整改台账（2026年11月）", issuer="盐湖区易地扶贫搬迁工作专班",
                  period="2026年11月1日 至 2026年11月30日", filters_text="县（市、区）：盐湖区", generated_at="2026年12月2日 09:00",
                  columns=COLUMNS["rectification"], rows=rows)


def _pages(ledger: Ledger, tmp_path) -> list:
    from server.ledgers import fonts

    font_files = fonts.subset(pdf._text(ledger), tmp_path / "fonts", base=fonts.BASE)
    ledger.seal()
    return pdf.document(pdf.html(ledger, ledger.rows, first=True, last=True, font_files=font_files)).pages


def _boxes(box, tag: str):
    if getattr(box, "element_tag", None) == tag and box.element is not None:
        yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child, tag)


def _body_rows(page_box):
    """The ledger table's body rows laid out on a page (not its repeated header, not the summary)."""
    for table in _boxes(page_box, "table"):
        if table.element.get("class") == "rows":
            for tr in _boxes(table, "tr"):
                if any(True for _ in _boxes(tr, "td")):
                    yield tr


def _signoff(box):
    if getattr(box, "element", None) is not None and box.element.get("class") == "signoff":
        return True
    return any(_signoff(c) for c in getattr(box, "children", []))


@pytest.mark.own_clock
def test_no_row_is_cut_across_pages_and_the_sign_off_keeps_rows_with_it(tmp_path):
    for n in (24, 29, 43):  # counts where the sign-off used to fall alone onto the last page
        pages = _pages(_ledger(n, tmp_path), tmp_path)
        assert len(pages) > 3
        seen: dict[int, int] = {}
        for number, page in enumerate(pages):
            for tr in _body_rows(page._page_box):
                first = seen.setdefault(id(tr.element), number)
                assert first == number, f"{n} rows: a row is cut across pages {first + 1} and {number + 1}"
        assert len(seen) == n
        last = pages[-1]._page_box
        assert _signoff(last)
        assert any(True for _ in _body_rows(last)), f"{n} rows: the sign-off is alone"


@pytest.mark.own_clock
def test_tables_stay_inside_the_text_box_with_a_binding_margin_and_9pt_text(tmp_path):
    pages = _pages(_ledger(12, tmp_path), tmp_path)
    page = pages[0]._page_box
    left = page.margin_left / MM
    assert 20 <= left <= 25  # the binding margin (装订边)
    content_right = page.margin_width() - page.margin_right
    for table in _boxes(page, "table"):
        assert table.position_x >= page.margin_left - 0.5
        assert table.position_x + table.margin_width() <= content_right + 0.5, "a table runs into the right margin"
    sizes = {td.style["font_size"] for td in _boxes(page, "td")}
    assert min(sizes) >= 9 * 96 / 72 - 0.01  # 9 pt and up


def test_the_pdf_says_what_it_is_and_each_font_program_has_its_own_name(tmp_path):
    from pypdf import PdfReader

    ledger = _ledger(600, tmp_path, photos_every=50)
    ledger.seal()
    data, _pages = pdf.render(ledger, workers=2, chunk_rows=150, font_dir=tmp_path / "fonts")
    reader = PdfReader(io.BytesIO(data))
    info = reader.metadata
    assert info.title == ledger.title and info.author == "盐湖区易地扶贫搬迁工作专班"
    assert info["/CreationDate"].startswith("D:") and ledger.digest in info.subject
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    programs: dict[str, bytes] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = next(descriptor[k].get_object().get_data() for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor)
            name = str(descriptor["/FontName"])
            assert programs.setdefault(name, program) == program, f"two different font programs are both named {name}"
    assert len(programs) >= 2


@pytest.mark.own_clock
def test_every_column_set_fits_a_page(tmp_path):
    for kind, columns in COLUMNS.items():
        assert all(isinstance(c, Column) and c.width > 0 for c in columns), kind
        assert len([c for c in columns if c.pdf]) <= 15, kind


def test_a_ledger_asked_for_again_renders_only_the_chunks_whose_rows_changed(tmp_path):
    from pypdf import PdfReader

    cache = tmp_path / "chunks"
    ledger = _ledger(600, tmp_path, photos_every=50)
    ledger.seal()
    _first, pages = pdf.render(ledger, workers=2, chunk_rows=150, font_dir=tmp_path / "fonts", cache_dir=cache)
    assert len(list(cache.glob("*.pdf"))) == 4
    ledger.rows[400] = {**ledger.rows[400], "progress": "已销号", "remarks": "复查已整改到位"}
    old_digest, new_digest = ledger.digest, ledger.seal()
    again, pages_again = pdf.render(ledger, workers=2, chunk_rows=150, font_dir=tmp_path / "fonts", cache_dir=cache)
    assert len(list(cache.glob("*.pdf"))) == 5  # one chunk rendered anew, three reused
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(again)).pages).replace("\n", "")
    assert "复查已整改到位" in text and new_digest in text and old_digest not in text
    assert pages_again == pages and f"第 {pages} 页 共 {pages} 页" in text
    assert pdf.prune_cache(cache, keep_days=0) == 5 and not list(cache.glob("*.pdf"))
