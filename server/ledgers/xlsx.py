"""The same ledgers as a spreadsheet (openpyxl): one row per line, a frozen header, set widths,
photos as links to the server; a second sheet says what the ledger is and carries its digest."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from server.ledgers.model import Ledger

MM_TO_WIDTH = 0.55  # openpyxl width units (characters) per millimetre of the PDF column


def render(ledger: Ledger, base_url: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = ledger.title.replace("易地扶贫搬迁安置点", "")[:31]
    headers: list[tuple[str, str, int | None, float]] = []  # (title, key, photo index, width)
    for c in ledger.columns:
        if c.photos:
            most = max((len(r[c.key]) for r in ledger.rows), default=1) or 1
            for n in range(most):
                headers.append((f"{c.title}{n + 1}" if most > 1 else c.title, c.key, n, 22))
        else:
            headers.append((c.title, c.key, None, max(6.0, c.width * MM_TO_WIDTH)))
    thin = Side(style="thin", color="999999")
    head_fill = PatternFill("solid", fgColor="E8E8E8")
    for col, (title, _, _, width) in enumerate(headers, 1):
        cell = ws.cell(row=1, column=col, value=title)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        ws.column_dimensions[cell.column_letter].width = width
    for row_no, r in enumerate(ledger.rows, 2):
        for col, (_, key, index, _) in enumerate(headers, 1):
            cell = ws.cell(row=row_no, column=col)
            if index is None:
                cell.value = r[key]
            elif index < len(r[key]):
                photo = r[key][index]
                cell.value = photo.caption
                cell.hyperlink = f"{base_url}/api/photos/{photo.uuid}/display"
                cell.font = Font(color="0563C1", underline="single")
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    about = wb.create_sheet("说明")
    for n, (k, v) in enumerate([("台账", ledger.title), ("填报单位", ledger.issuer), ("时间范围", ledger.period),
                                ("筛选条件", ledger.filters_text), ("生成时间", ledger.generated_at), ("条数", len(ledger.rows)),
                                ("台账摘要（SHA-256）", ledger.digest), ("统计口径", ledger.rule or "—")], 1):
        about.cell(row=n, column=1, value=k).font = Font(bold=True)
        about.cell(row=n, column=2, value=v)
    about.column_dimensions["A"].width = 20
    about.column_dimensions["B"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
