"""The site list in Excel: exported in scope, edited, checked row by row before anything is written,
refused whole with every bad row named, imported in one go and audited."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from server.sites.tables import Site
from tests.audit.helpers import assert_audited

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def _bytes(sheet) -> bytes:
    out = io.BytesIO()
    sheet.parent.save(out)
    return out.getvalue()


def _column(sheet, header: str) -> int:
    return [c.value for c in sheet[1]].index(header) + 1


async def _export(client) -> bytes:
    r = await client.get("/api/sites/sheet")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(XLSX) and "attachment" in r.headers["content-disposition"]
    return r.content


async def _import(client, data: bytes, dry_run: bool = False):
    return await client.post("/api/sites/sheet", content=data, params={"dry_run": str(dry_run).lower()},
                             headers={"Content-Type": XLSX})


def _new_row(sheet, **values):
    row = {"县区": "临猗县", "乡镇": "猗氏镇", "安置点名称": "猗氏新村安置点", "地址": "猗氏镇南环路8号", "纬度": 35.15,
           "经度": 110.78, "坐标系": "wgs84", "建档立卡搬迁人口": 820, "同步搬迁人口": 40, "户数": 210, "楼栋数": 9,
           "有车间工坊": "否", "有第一书记": "是", "配套产业（大棚）": "是", "有电梯": "否", "有管道燃气": "是"} | values
    sheet.append([row.get(c.value) for c in sheet[1]])


async def test_export_is_in_scope_with_the_office_columns(world):
    sheet = _book(await _export(await world.client("admin")))
    headers = [c.value for c in sheet[1]]
    assert headers[:8] == ["编号", "县区", "乡镇", "安置点名称", "地址", "纬度", "经度", "坐标系"]
    assert {"建档立卡搬迁人口", "同步搬迁人口", "户数", "楼栋数", "配套产业（大棚）"} <= set(headers)
    names = [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert {"盐湖测试安置点一", "盐湖测试安置点二", "临猗测试安置点一"} <= set(names)
    assert sheet.freeze_panes == "A2"
    mine = _book(await _export(await world.client("county_a")))
    assert {r[1] for r in mine.iter_rows(min_row=2, values_only=True)} == {"盐湖区"}
    for who in ("site_a1", "inspector", "fire_a"):
        assert (await (await world.client(who)).get("/api/sites/sheet")).status_code == 403


async def test_one_bad_row_refuses_the_sheet_and_names_every_problem(world):
    admin = await world.client("admin")
    sheet = _book(await _export(admin))
    before = await Site.count()
    _new_row(sheet)  # good
    _new_row(sheet, 县区="运城县", 安置点名称="坏行安置点", 纬度=None, 有电梯="也许")  # bad, row 6
    _new_row(sheet, 安置点名称="猗氏新村安置点")  # the same new site twice, row 7
    r = await _import(admin, _bytes(sheet))
    assert r.status_code == 422 and r.json()["error"] == "sheet_invalid", r.text
    assert r.json()["message"].startswith("2 行有问题，未导入任何数据。第 6 行：县区：“运城县”不是本市的县区")
    lines = {line["row"]: line for line in r.json()["detail"]["lines"]}
    assert lines[6]["errors"][0].startswith("县区：“运城县”不是本市的县区")
    assert "纬度：必填" in lines[6]["errors"] and "有电梯：“也许”应填“是”或“否”" in lines[6]["errors"]
    assert lines[7]["errors"] == ["安置点名称：同一县区内与第 5 行重名"]
    assert lines[5]["errors"] == [] and lines[5]["action"] == "create"
    assert await Site.count() == before  # nothing half imported
    assert not await Site.exists().where(Site.name == "猗氏新村安置点")


async def test_a_checked_then_imported_sheet_creates_and_updates_once_and_is_audited(world):
    admin = await world.client("admin")
    sheet = _book(await _export(admin))
    people = _column(sheet, "建档立卡搬迁人口")
    a2 = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 4).value == "盐湖测试安置点二")
    sheet.cell(a2, people).value = 1180
    _new_row(sheet, 坐标系="gcj02（高德）", 纬度=35.15, 经度=110.78)
    data = _bytes(sheet)

    check = await _import(admin, data, dry_run=True)
    assert check.status_code == 200, check.text
    out = check.json()
    assert out["written"] is False and out["creates"] == 1 and out["updates"] == 1 and out["unchanged"] == out["rows"] - 2
    assert next(x for x in out["lines"] if x["row"] == a2)["changes"] == ["registered_people"]
    assert not await Site.exists().where(Site.name == "猗氏新村安置点")

    done = await _import(admin, data)
    assert done.status_code == 200 and done.json()["written"] is True, done.text
    new = await Site.select().where(Site.name == "猗氏新村安置点").first()
    assert new["registered_people"] == 820 and new["has_greenhouses"] is True and new["coord_source"] == "gcj02"
    assert abs(new["lat"] - 35.15) > 1e-4  # GCJ-02 converted to WGS-84 (a few hundred metres)
    assert (await Site.select(Site.registered_people).where(Site.id == world.sites["a2"]).first())["registered_people"] == 1180
    await assert_audited("site.create", new["id"], actor="admin", sheet_row=sheet.max_row)
    await assert_audited("site.update", world.sites["a2"], actor="admin", sheet_row=a2, changes={"registered_people": [1200, 1180]})

    again = await _import(admin, _bytes(_book(await _export(admin))))  # a fresh export changes nothing
    assert again.status_code == 200 and again.json()["creates"] == again.json()["updates"] == 0


async def test_only_the_city_office_imports_and_only_sites_it_can_see(world):
    county = await world.client("county_a")
    data = await _export(county)
    r = await _import(county, data)
    assert r.status_code == 403
    admin = await world.client("admin")
    sheet = _book(await _export(admin))
    sheet.cell(2, 1).value = 999_999  # an id that does not exist
    r = await _import(admin, _bytes(sheet))
    assert r.status_code == 422 and "编号：安置点 999999 不存在" in r.json()["detail"]["lines"][0]["errors"][0]


@pytest.mark.parametrize("body, code", [(b"", "empty_file"), (b"not a workbook", "not_a_workbook")])
async def test_not_a_sheet_is_a_clear_error(world, body, code):
    r = await _import(await world.client("admin"), body)
    assert r.status_code == 422 and r.json()["error"] == code


async def test_a_sheet_without_the_columns_says_which_are_missing(world):
    book = Workbook()
    book.active.append(["名称", "人数"])
    book.active.append(["某安置点", 100])
    r = await _import(await world.client("admin"), _bytes(book.active))
    assert r.status_code == 422 and r.json()["error"] == "bad_header"
    assert "第 1 行缺少列：编号、县区、安置点名称、纬度、经度" in r.json()["message"]


async def test_two_imports_of_the_same_new_site_at_once_create_it_once(world):
    import asyncio

    admin = await world.client("admin")
    other = await world.client("admin")
    sheet = _book(await _export(admin))
    _new_row(sheet)
    data = _bytes(sheet)
    first, second = await asyncio.gather(_import(admin, data), _import(other, data))
    assert sorted([first.status_code, second.status_code]) == [200, 422]
    loser = first if first.status_code == 422 else second
    assert "本县区已有同名安置点" in loser.json()["message"]
    assert await Site.count().where(Site.name == "猗氏新村安置点") == 1


async def test_a_sheet_without_some_columns_leaves_those_fields_alone(world):
    admin = await world.client("admin")
    book = Workbook()
    book.active.append(["编号", "县区", "安置点名称", "纬度", "经度", "户数"])  # no 有车间工坊, no people columns
    book.active.append([world.sites["a1"], "盐湖区", "盐湖测试安置点一", 35.03, 111.01, 180])
    r = await _import(admin, _bytes(book.active))
    assert r.status_code == 200 and r.json()["lines"][0]["changes"] == ["households"], r.text
    row = await Site.select().where(Site.id == world.sites["a1"]).first()
    assert row["households"] == 180 and row["has_workshop"] is True and row["registered_people"] == 650


async def test_a_small_file_that_unpacks_to_a_huge_one_is_refused_before_it_is_read(world):
    """A 'zip bomb': the exported workbook with one part of 65 MB of zeros, about 64 KB packed."""
    admin = await world.client("admin")
    bomb = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(await _export(admin))) as good, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in good.infolist():
            out.writestr(info, good.read(info))
        out.writestr("xl/padding.bin", b"\0" * (65 * 1024 * 1024), compresslevel=9)
    assert len(bomb.getvalue()) < 1024 * 1024
    before = await Site.count()
    r = await _import(admin, bomb.getvalue())
    assert r.status_code == 422 and r.json()["error"] == "workbook_too_large" and "解压后超过 64 MB" in r.json()["message"], r.text
    assert await Site.count() == before
