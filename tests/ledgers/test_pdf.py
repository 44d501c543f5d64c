"""Ledgers as the city office receives them: PDF read back (rows, footer, totals), fonts embedded."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from openpyxl import load_workbook

from tests.inspections.helpers import body, new_uuid
from tests.ledgers.helpers import (
    A1,
    many_issues,
    upload_photo,
    visit_with_issues,
    wait_done,
)


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def cells_text(data: bytes) -> str:
    """The text cell by cell (the order the PDF draws it: each cell's wrapped lines together, where
    pdftotext interleaves the lines of neighbouring narrow cells), whitespace removed."""
    from pypdf import PdfReader

    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages))


def pdffonts(data: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "ledger.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return [line.split() for line in out]


async def _ledger(client, **request) -> tuple[dict, bytes]:
    r = await client.post("/api/ledgers", json=request)
    assert r.status_code == 202, r.text
    job = await wait_done(client, r.json())
    assert job["state"] == "done", job["error"]
    f = await client.get(job["file_url"])
    assert f.status_code == 200
    return job, f.content


async def test_issue_ledger_pdf_has_rows_summary_footer_and_embedded_cjk_font(world, tmp_path):
    photo = await upload_photo(await world.client("inspector"), world.sites["a1"])
    await visit_with_issues(world, "a1", photo=photo)
    await visit_with_issues(world, "b1", fail=("smoke_alarms",))
    admin = await world.client("admin")
    job, data = await _ledger(admin, kind="issues")
    assert job["rows_total"] == 3 and job["pages"] >= 1 and job["percent"] == 100
    text = pdftotext(data)
    assert "易地扶贫搬迁安置点问题台账" in text and "填报单位：运城市易地扶贫搬迁后续扶持工作领导小组办公室" in text
    compact = cells_text(data)
    assert "每层楼梯口或公共区域配置灭火器" in compact and "盐湖测试安置点一" in compact and "临猗测试安置点一" in compact
    assert re.search(r"盐湖区\s+2\s+0\s+0\s+0\s+2", text) and re.search(r"临猗县\s+1\s+0\s+0\s+0\s+1", text)  # summary
    assert re.search(r"合计\s+3\s+0\s+0\s+0\s+3", text)
    assert re.search(rf"第\s*1\s*页\s*共\s*{job['pages']}\s*页", text)
    assert job["digest"] in text.replace("\n", "")
    # the audit chain as it stood (an anchor the office keeps): it checks against the chain
    footer = re.search(r"审计链\s*(\d+)\s*条\s*·\s*([0-9a-f]{16})", text)
    assert footer, text[-400:]
    from server.audit import service as audit

    assert (await audit.verify([audit.Anchor(int(footer[1]), footer[2])])).ok
    assert not (await audit.verify([audit.Anchor(int(footer[1]), "0" * 16)])).ok
    assert "填表人" in text and "审核人" in text
    fonts = pdffonts(data, tmp_path)
    assert fonts and all(f[-5] == "yes" for f in fonts)  # every font embedded
    # only our Noto Serif CJK SC cut (embedded as "DuchaSerif"): no glyph fell back to another font
    assert {f[0].split("+")[1] for f in fonts} <= {"DuchaSerif", "DuchaSerif-Bold"}


async def test_a_long_ledger_numbers_every_page_across_chunks(world):
    await many_issues(world, 260)
    admin = await world.client("admin")
    job, data = await _ledger(admin, kind="issues")
    assert job["rows_total"] > 250  # more than one chunk
    progress = [done for state, done, total in job["seen"] if state == "running" and total]
    assert progress == sorted(progress)
    text = pdftotext(data)
    pages = job["pages"]
    stamped = [int(n) for n, total in re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", text) if int(total) == pages]
    assert pages > 5 and stamped == list(range(1, pages + 1))
    numbers = [int(m) for m in re.findall(r"^\s*(\d+)\s+盐湖-\d{4}-\d{4}", text, re.MULTILINE)]
    assert numbers == list(range(1, job["rows_total"] + 1))  # 序号 1..N, none lost or repeated at chunk edges


async def test_county_team_gets_only_its_county_and_others_cannot_see_the_job(world):
    await visit_with_issues(world, "a1")
    await visit_with_issues(world, "b1", fail=("smoke_alarms",))
    county = await world.client("county_a")
    r = await county.post("/api/ledgers", json={"kind": "issues", "county_id": world.counties["临猗县"]})
    assert r.status_code == 403 and "本县" in r.json()["message"]
    job, data = await _ledger(county, kind="rectification")
    text = cells_text(data)
    assert "（尚未提交整改）" in text  # cells wrap inside narrow columns
    assert "盐湖测试安置点一" in text and "临猗测试安置点一" not in text and "盐湖区易地扶贫搬迁工作专班" in text
    other = await world.client("county_b")
    assert (await other.get(f"/api/ledgers/{job['uuid']}")).status_code == 404
    assert (await other.get(f"/api/ledgers/{job['uuid']}/file")).status_code == 404
    assert job["uuid"] not in [j["uuid"] for j in (await other.get("/api/ledgers")).json()]
    assert job["uuid"] in [j["uuid"] for j in (await (await world.client("admin")).get("/api/ledgers")).json()]


async def test_xlsx_has_a_row_per_line_frozen_header_and_photo_links(world):
    photo = await upload_photo(await world.client("inspector"), world.sites["a1"])
    await visit_with_issues(world, "a1", photo=photo)
    admin = await world.client("admin")
    job, data = await _ledger(admin, kind="rectification", format="xlsx")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "运城市易地扶贫搬迁安置点整改台账" and ws.freeze_panes == "B3"
    header = [c.value for c in ws[2]]
    assert header[:4] == ["序号", "问题编号", "县（市、区）", "安置点"] and "整改前" in header and "整改措施" in header
    assert "县（市、区）及安置点" not in header  # the PDF joins them; a clerk sorts them apart
    assert all(re.match(r"^盐湖-\d{4}-\d{4}$", ws.cell(row=r, column=2).value) for r in (3, 4))
    assert ws.max_row == 2 + job["rows_total"] == 4
    cell = ws.cell(row=3, column=header.index("整改前") + 1)
    assert "距点" in cell.value  # caption: when taken, distance to the site
    link = cell.hyperlink
    assert link is not None and link.target.endswith(f"/api/photos/{photo}/display")
    assert ws.column_dimensions["F"].width > 15  # 整改措施 is wide
    assert wb["说明"]["B7"].value == job["digest"]


@pytest.mark.own_clock
async def test_xlsx_cells_are_typed_bordered_printable_and_user_text_is_never_a_formula(world):
    from datetime import datetime

    from server.lib import clock

    clock.freeze(datetime(2026, 10, 10, 10, 0, tzinfo=clock.SHANGHAI))  # found in October: overdue by 30 November
    await many_issues(world, 2)
    admin = await world.client("admin")
    r = await admin.post("/api/issues", json={"uuid": "0b8f3a52-5d8e-4f5e-9c55-1a2b3c4d5e6f", "source": "complaint",
                                               "site_id": world.sites["a2"], "area": "消防措施",
                                               "description": '=HYPERLINK("http://evil.example","点我")'})
    assert r.status_code == 200, r.text
    clock.freeze(datetime(2027, 1, 20, 10, 0, tzinfo=clock.SHANGHAI))  # every deadline passed
    admin = await world.client("admin")
    _job, data = await _ledger(admin, kind="issues", format="xlsx", date_from="2026-11-01", date_to="2026-11-30")
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    assert ws["A1"].value == "运城市易地扶贫搬迁安置点问题台账（2026年11月）"
    header = [c.value for c in ws[2]]
    col = {name: header.index(name) + 1 for name in header}
    rows = list(range(3, ws.max_row + 1))
    assert len(rows) == 3
    for r in rows:
        found, deadline, overdue = (ws.cell(row=r, column=col[k]) for k in ("发现日期", "整改时限", "逾期天数"))
        assert isinstance(found.value, datetime) and found.number_format == 'yyyy"年"m"月"d"日"'
        assert isinstance(deadline.value, datetime) and found.value.date().isoformat() == "2026-10-10"
        assert isinstance(overdue.value, int) and overdue.value == (datetime(2026, 11, 30) - deadline.value).days  # as at the month's end
        assert ws.cell(row=r, column=1).border.left.style == "thin"
    texts = [ws.cell(row=r, column=col["问题描述（发现的情况）"]) for r in rows]
    evil = next(c for c in texts if c.value.startswith("="))
    assert evil.data_type == "s" and evil.value == '=HYPERLINK("http://evil.example","点我")'
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    summary = wb["汇总"]
    assert [c.value for c in summary[2]] == ["县（市、区）", "上月结转", "本月新增", "本月销号", "月末未销号", "台账条数"]
    assert [c.value for c in summary[3]] == ["盐湖区", 3, 0, 0, 3, 3] and summary["B4"].value == "=SUM(B3:B3)"
    assert wb["说明"]["A3"].value == "时间范围" and "2026年11月1日" in wb["说明"]["B3"].value


async def test_retried_request_is_the_same_job_and_bad_requests_are_refused(world):
    admin = await world.client("admin")
    uuid = "5b0c8f62-2f7e-4c55-9c55-7a5f1b2a3c4d"
    first = await admin.post("/api/ledgers", json={"kind": "work", "uuid": uuid})
    again = await admin.post("/api/ledgers", json={"kind": "work", "uuid": uuid})
    assert first.status_code == again.status_code == 202 and first.json()["uuid"] == again.json()["uuid"] == uuid
    await wait_done(admin, first.json())
    bad = await admin.post("/api/ledgers", json={"kind": "everything"})
    assert bad.status_code == 400
    backwards = await admin.post("/api/ledgers", json={"kind": "issues", "date_from": "2026-11-01", "date_to": "2026-10-01"})
    assert backwards.status_code == 422 and backwards.json()["error"] == "bad_period"
    site = await world.client("site_a1")
    assert (await site.get(f"/api/ledgers/{uuid}")).status_code == 404


async def test_visit_report_is_portrait_with_every_answer_and_hidden_from_others(world, tmp_path):
    photo = await upload_photo(await world.client("inspector"), world.sites["a1"])
    visit = await visit_with_issues(world, "a1", fail=("extinguishers_present",), photo=photo)
    inspector = await world.client("inspector")
    _job, data = await _ledger(inspector, kind="visit", inspection=visit["uuid"])
    text = cells_text(data)
    assert "易地扶贫搬迁安置点督查记录" in text and "盐湖测试安置点一" in text and "“四不两直”暗访" in text
    number = visit["issues"][0]["number"]
    assert f"不符合（问题{number}）" in text and "不符合（不符合" not in text and "距点" in text
    assert f"检查{visit['items_checked']}项，不符合1项，生成问题1个" in text
    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert float(box.width) < float(box.height)  # A4 portrait
    other = await world.client("county_b")
    r = await other.post("/api/ledgers", json={"kind": "visit", "inspection": visit["uuid"]})
    assert r.status_code == 404 and r.json()["message"] == "督查记录不存在"
    assert (await inspector.post("/api/ledgers", json={"kind": "visit"})).json()["error"] == "bad_inspection"


async def test_work_ledger_prints_arrival_proof_and_whether_photos_match(world):
    inspector = await world.client("inspector")
    near = await upload_photo(inspector, world.sites["a1"])  # taken 2008 in Italy, says its EXIF: far and out of time
    await visit_with_issues(world, "a1", photo=near)
    admin = await world.client("admin")
    _job, data = await _ledger(admin, kind="work")
    text = cells_text(data)
    assert "距安置点" in text and "照片1张，1张位置或时间与到场不符" in text


@pytest.mark.own_clock
def test_reports_are_laid_out_with_our_user_agent_stylesheet(tmp_path):
    """reports/ua.css stands in for WeasyPrint's HTML5 stylesheet (which costs a third of a big
    ledger's style time): a list item, which only WeasyPrint's own would give a bullet, has none,
    while the elements our templates use keep their defaults (a th is bold: 2 fonts)."""
    from server.ledgers import pdf

    data = pdf.document("<html><body><ul><li>条目</li></ul><table><tr><th>表头</th><td>内容</td></tr></table></body></html>").write_pdf()
    text = pdftotext(data)
    assert "条目" in text and "•" not in text and "表头" in text
    assert len({f[0] for f in pdffonts(data, tmp_path)}) == 2  # regular + bold


async def test_the_issue_ledger_prints_each_issues_number_and_what_was_found(world):
    from tests.inspections.helpers import body, check_items, new_uuid

    inspector = await world.client("inspector")
    item = check_items(n=1)[0]
    data = body(world.sites["a1"], 35.03, 111.01, fail=[item])
    data["item_notes"] = {"fire-safety": {item: "5号楼1单元灭火器压力不足"}}
    raised = (await inspector.put(f"/api/inspections/{new_uuid()}", json=data)).json()["issues"][0]
    admin = await world.client("admin")
    _, pdf = await _ledger(admin, kind="issues")
    text = cells_text(pdf)
    assert raised["number"] in text and "现场：5号楼1单元灭火器压力不足" in text
    _, sheet = await _ledger(admin, kind="issues", format="xlsx")
    ws = load_workbook(io.BytesIO(sheet)).worksheets[0]
    header = [c.value for c in ws[2]]
    row = {h: ws.cell(row=3, column=n + 1).value for n, h in enumerate(header)}
    assert row["问题编号"] == raised["number"] and row["问题描述（发现的情况）"].endswith("现场：5号楼1单元灭火器压力不足")


async def test_visit_report_gives_the_reason_for_not_applicable_and_an_unrecorded_population(world):
    admin = await world.client("admin")
    assert (await admin.patch(f"/api/sites/{world.sites['a1']}", json={"registered_people": 0})).status_code == 200
    inspector = await world.client("inspector")
    photo = await upload_photo(inspector, world.sites["a1"])
    data = body(world.sites["a1"], *A1, "facilities-services")
    data["answers"]["facilities-services"]["has_kindergarten"] = "na"
    data["item_notes"] = {"facilities-services": {"has_kindergarten": "与相邻的城关幼儿园共用，步行8分钟"}}
    data["photos"] = {"facilities-services": {"has_kindergarten": [photo]}}
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 200 and r.json()["issues"] == [], r.text
    _job, pdf_bytes = await _ledger(inspector, kind="visit", inspection=r.json()["uuid"])
    text = cells_text(pdf_bytes)  # without spaces
    assert "不适用。理由：与相邻的城关幼儿园共用，步行8分钟" in text
    assert "搬迁人口未登记：按人口判断的检查项都已询问" in text
    del data["item_notes"]
    r = await inspector.put(f"/api/inspections/{new_uuid()}", json=data)
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "na_reason_required"
