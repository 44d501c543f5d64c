"""The same ledgers as a spreadsheet a clerk can work with (openpyxl).

A title row, a header row repeated on every printed page, one row per line with borders; dates as
date cells, counts and scores as numbers with their formats (they sort and sum), user text always
written as text (a complaint starting with "=" is not a formula); landscape, fit to the page width.
A 汇总 sheet carries the first page's summary, a 说明 sheet what the ledger is and its digest.
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from server.ledgers.model import Figure, Ledger

MM_TO_WIDTH = 0.55  # openpyxl width units (characters) per millimetre of the PDF column
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
THIN = Side(style="thin", color="000000")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
HEAD_FILL = PatternFill("solid", fgColor="E8E8E8")
TITLE_ROW, HEAD_ROW = 1, 2


def put(cell, value) -> None:
    """A value into a cell with the right type: dates as dates, numbers as numbers, text as text."""
    if isinstance(value, Figure):
        if value.value is None:
            put(cell, value.text)
        else:
            cell.value = value.value
            cell.number_format = value.number_format
        return
    if isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
        return
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return
    if value is None or value == "":
        cell.value = None  # an empty cell, not an empty string (sorts and counts as blank)
        return
    cell.value = str(value)
    cell.data_type = TYPE_STRING  # never a formula, whatever the text begins with


def _print_setup(ws, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def render(ledger: Ledger, base_url: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = ledger.title.split("易地扶贫搬迁安置点")[-1].split("（")[0][:31] or "台账"
    headers: list[tuple[str, str, int | None, float]] = []  # (title, key, photo index, width)
    for c in ledger.sheet_columns:
        if c.photos:
            most = max((len(r[c.key]) for r in ledger.rows), default=1) or 1
            for n in range(most):
                headers.append((f"{c.title}{n + 1}" if most > 1 else c.title, c.key, n, 22))
        else:
            headers.append((c.title, c.key, None, max(6.0, c.width * MM_TO_WIDTH)))
    last_col = get_column_letter(len(headers))
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    title = ws.cell(row=TITLE_ROW, column=1, value=ledger.title)
    title.font = Font(bold=True, size=14)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 26
    for col, (text, _, _, width) in enumerate(headers, 1):
        cell = ws.cell(row=HEAD_ROW, column=col, value=text)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
        ws.column_dimensions[cell.column_letter].width = width
    top = Alignment(vertical="top", wrap_text=True)
    for row_no, r in enumerate(ledger.rows, HEAD_ROW + 1):
        for col, (_, key, index, _) in enumerate(headers, 1):
            cell = ws.cell(row=row_no, column=col)
            if index is None:
                put(cell, r[key])
            elif index < len(r[key]):
                photo = r[key][index]
                put(cell, photo.caption)
                # the web app's photo page: it asks for a log-in first, then shows the photo
                cell.hyperlink = f"{base_url}/api/photos/{photo.uuid}/display"
                cell.font = Font(color="0563C1", underline="single")
            cell.alignment = top
            cell.border = BOX
    ws.freeze_panes = ws.cell(row=HEAD_ROW + 1, column=2)
    ws.auto_filter.ref = f"A{HEAD_ROW}:{last_col}{HEAD_ROW + len(ledger.rows)}"
    _print_setup(ws, HEAD_ROW)
    if ledger.summary:
        _summary_sheet(wb, ledger)
    about = wb.create_sheet("说明")
    for n, (k, v) in enumerate([("台账", ledger.title), ("填报单位", ledger.issuer), (ledger.period_label, ledger.period),
                                ("筛选条件", ledger.filters_text), ("生成时间", ledger.generated_at), ("条数", len(ledger.rows)),
                                ("台账摘要（SHA-256）", ledger.digest), ("审计链锚点", ledger.audit or "—"),
                                ("统计口径", ledger.rule or "—"), *ledger.facts], 1):
        about.cell(row=n, column=1, value=k).font = Font(bold=True)
        put(about.cell(row=n, column=2), v)
        about.cell(row=n, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 24
    about.column_dimensions["B"].width = 90
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary_sheet(wb: Workbook, ledger: Ledger) -> None:
    """汇总: the per-county summary of the first page, with the totals as numbers."""
    ws = wb.create_sheet("汇总", 1)
    states = ledger.summary_states
    with_total = len(states) > 1
    heads = ["县（市、区）", *states] + ([ledger.summary_total] if with_total else [])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    ws.cell(row=1, column=1, value=f"{ledger.title} 汇总").font = Font(bold=True, size=13)
    for col, text in enumerate(heads, 1):
        cell = ws.cell(row=2, column=col, value=text)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD_FILL, BOX
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = 14
    row = 3
    for county, counts, total in ledger.summary:
        values = [county, *(counts[s] for s in states)] + ([total] if with_total else [])
        for col, v in enumerate(values, 1):
            put(ws.cell(row=row, column=col), v)
            ws.cell(row=row, column=col).border = BOX
        row += 1
    put(ws.cell(row=row, column=1), "合计")
    ws.cell(row=row, column=1).font = Font(bold=True)
    ws.cell(row=row, column=1).border = BOX
    for col in range(2, len(heads) + 1):
        letter = get_column_letter(col)
        cell = ws.cell(row=row, column=col, value=f"=SUM({letter}3:{letter}{row - 1})" if row > 3 else 0)
        cell.font, cell.border = Font(bold=True), BOX
    _print_setup(ws, 2)
