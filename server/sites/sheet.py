"""The site list as the city office keeps it in Excel (安置点清单): one sheet, one row per site, in the
columns below. ``read`` turns an uploaded workbook into planned rows, each with what it would do
(create, update, unchanged) and every problem found in it, by row and column; nothing here writes.
``write`` makes the workbook from sites. Plain functions: the service does the database work."""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from server.lib.errors import Invalid
from server.lib.geo import to_wgs84

MAX_ROWS = 5000
#: what the workbook's parts may add up to once unpacked: a few thousand rows are a few MB; a small
#: file that unpacks to gigabytes (a "zip bomb") is refused before it is read
MAX_UNPACKED = 64 * 1024 * 1024
#: (header, field, kind) in sheet order; kind: id, text:N, county, float, system, int, bool
COLUMNS: list[tuple[str, str, str]] = [
    ("编号", "id", "id"),
    ("县区", "county", "county"),
    ("乡镇", "township", "text:64"),
    ("安置点名称", "name", "text:128"),
    ("地址", "address", "text:256"),
    ("纬度", "lat", "float"),
    ("经度", "lon", "float"),
    ("坐标系", "coord_system", "system"),
    ("建档立卡搬迁人口", "registered_people", "int"),
    ("同步搬迁人口", "other_people", "int"),
    ("户数", "households", "int"),
    ("楼栋数", "building_count", "int"),
    ("有车间工坊", "has_workshop", "bool"),
    ("有第一书记", "has_first_secretary", "bool"),
    ("配套产业（大棚）", "has_greenhouses", "bool"),
    ("有电梯", "has_lift", "bool"),
    ("有管道燃气", "has_piped_gas", "bool"),
]
REQUIRED = {"county", "name", "lat", "lon"}
SYSTEMS = {"wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02",
           "腾讯": "gcj02", "bd09": "bd09", "bd-09": "bd09", "百度": "bd09"}
YES = {"是", "有", "y", "yes", "true", "1", "√"}
NO = {"否", "无", "n", "no", "false", "0", ""}
#: the fields a row compares with the site it updates
FIELDS = [f for _, f, _ in COLUMNS if f not in ("id", "county", "coord_system")]


@dataclass
class Row:
    """One sheet row: its number as Excel shows it, the values read, what it would do, its problems."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    action: str = "create"  # create | update | unchanged
    errors: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def write(sites: list[dict[str, Any]]) -> bytes:
    """The workbook of these sites (rows as ``site_out`` gives them), coordinates in WGS-84."""
    book = Workbook()
    sheet = book.active
    sheet.title = "安置点清单"
    sheet.append([h for h, _, _ in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for s in sites:
        row = []
        for _, name, kind in COLUMNS:
            value = s["county_name"] if name == "county" else "wgs84" if name == "coord_system" else s.get(name)
            row.append(("是" if value else "否") if kind == "bool" else value)
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for n, (header, _, _) in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(n)].width = max(8, len(header) * 2 + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, counties: dict[str, int], existing: dict[int, dict[str, Any]]) -> list[Row]:
    """Every data row of the first sheet, checked. ``counties``: name -> id; ``existing``: the sites
    the caller may update, by id, as ``site_out`` rows. Raises Invalid when the file is not a workbook
    of this layout (the headers must be the columns above, in any order)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as parts:
            unpacked = sum(i.file_size for i in parts.infolist())  # zipfile reads no part past its stated size
    except (zipfile.BadZipFile, ValueError) as exc:
        raise Invalid("not_a_workbook", "文件不是 Excel 工作簿（.xlsx）") from exc
    if unpacked > MAX_UNPACKED:
        raise Invalid("workbook_too_large", f"工作簿解压后超过 {MAX_UNPACKED // 1024 // 1024} MB，不是一份安置点清单；请导出清单后在其上修改")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl fails in many ways on a file that is not a workbook
        raise Invalid("not_a_workbook", "文件不是 Excel 工作簿（.xlsx）") from exc
    if not book.worksheets:
        raise Invalid("not_a_workbook", "工作簿中没有工作表")
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    wanted = {h for h, _, _ in COLUMNS}
    missing = [h for h, f, _ in COLUMNS if h not in header and (f in REQUIRED or f == "id")]
    if missing:
        raise Invalid("bad_header", f"第 1 行缺少列：{'、'.join(missing)}（可先导出清单，在导出的表上修改）",
                      detail={"expected": [h for h, _, _ in COLUMNS]})
    unknown = [h for h in header if h and h not in wanted]
    if unknown:
        raise Invalid("bad_header", f"第 1 行有不认识的列：{'、'.join(unknown)}", detail={"expected": [h for h, _, _ in COLUMNS]})
    index = {h: i for i, h in enumerate(header) if h}
    out: list[Row] = []
    for number, cells in enumerate(rows, 2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        if len(out) >= MAX_ROWS:
            raise Invalid("too_many_rows", f"一次最多导入 {MAX_ROWS} 行")
        out.append(_row(number, cells, index, counties, existing))
    _duplicates(out)
    names = {(site["county_id"], site["name"]): site_id for site_id, site in existing.items()}
    for row in out:
        other = names.get((row.values.get("county"), row.values.get("name")))
        if row.action == "create" and other is not None:
            row.errors.append(f"安置点名称：本县区已有同名安置点（编号 {other}）；要修改它请填写编号")
    return out


def _row(number: int, cells: tuple, index: dict[str, int], counties: dict[str, int], existing: dict[int, dict[str, Any]]) -> Row:
    row = Row(number)
    for header, name, kind in COLUMNS:
        raw = cells[index[header]] if header in index and index[header] < len(cells) else None
        text = "" if raw is None else str(raw).strip()
        try:
            row.values[name] = _value(name, kind, raw, text, counties)
        except ValueError as exc:
            row.errors.append(f"{header}：{exc}")
    if not row.errors and row.values.get("lat") is not None and row.values.get("lon") is not None:
        try:
            row.values["lat"], row.values["lon"] = to_wgs84(row.values["lat"], row.values["lon"], row.values["coord_system"])
        except Invalid as exc:
            row.errors.append(f"纬度/经度：{exc.message}")
    site_id = row.values.get("id")
    if site_id is not None:
        site = existing.get(site_id)
        if site is None:
            row.errors.append(f"编号：安置点 {site_id} 不存在或不在您的管辖范围内（新增的安置点请留空编号）")
        else:
            row.action = "update"
            if site["county_id"] != row.values.get("county"):
                row.errors.append("县区：不能改变安置点所属的县区")
            # a column the sheet leaves out is left as it is (not reset to empty, 0 or 否)
            present = {name for header, name, _ in COLUMNS if header in index}
            row.changes = [f for f in FIELDS if f in present and not _same(site.get(f), row.values.get(f))]
            if not row.changes and not row.errors:
                row.action = "unchanged"
    return row


def _value(name: str, kind: str, raw: Any, text: str, counties: dict[str, int]) -> Any:
    if text == "":
        if name in REQUIRED:
            raise ValueError("必填")
        return {"id": None, "system": "wgs84", "int": 0, "bool": False}.get(kind.split(":")[0], "")
    if kind == "id":
        return _whole(raw, text, 1, 2**31 - 1)
    if kind == "county":
        if text not in counties:
            raise ValueError(f"“{text}”不是本市的县区（{'、'.join(counties)}）")
        return counties[text]
    if kind.startswith("text:"):
        limit = int(kind[5:])
        if len(text) > limit:
            raise ValueError(f"不能超过 {limit} 个字")
        return text
    if kind == "float":
        try:
            value = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else float(text)
        except ValueError:
            raise ValueError(f"“{text}”不是数字") from None
        if not math.isfinite(value):
            raise ValueError(f"“{text}”不是数字")
        return value
    if kind == "system":
        system = SYSTEMS.get(text.lower().split("（")[0].strip())
        if system is None:
            raise ValueError(f"“{text}”不是认识的坐标系（填 wgs84、gcj02（高德/腾讯）或 bd09（百度））")
        return system
    if kind == "int":
        return _whole(raw, text, 0, 1_000_000)
    if kind == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise ValueError(f"“{text}”应填“是”或“否”")
    raise AssertionError(kind)


def _whole(raw: Any, text: str, low: int, high: int) -> int:
    try:
        value = float(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else float(text)
    except ValueError:
        raise ValueError(f"“{text}”不是整数") from None
    if not math.isfinite(value) or not value.is_integer():
        raise ValueError(f"“{text}”不是整数")
    if not low <= value <= high:
        raise ValueError(f"应在 {low} 到 {high} 之间")
    return int(value)


def _same(old: Any, new: Any) -> bool:
    """Coordinates equal to 1e-5 degrees (about a metre): PostgreSQL keeps them as REAL, so 35.03 reads
    back as 35.02999877…"""
    if isinstance(old, float) or isinstance(new, float):
        return old is not None and new is not None and abs(float(old) - float(new)) < 1e-5
    return old == new


def _duplicates(rows: list[Row]) -> None:
    """Two rows for the same site: the same id, or two new sites with one name in one county."""
    seen_ids: dict[int, int] = {}
    seen_names: dict[tuple[Any, str], int] = {}
    for row in rows:
        site_id = row.values.get("id")
        if site_id is not None:
            if site_id in seen_ids:
                row.errors.append(f"编号：与第 {seen_ids[site_id]} 行重复")
            seen_ids.setdefault(site_id, row.number)
        key = (row.values.get("county"), row.values.get("name") or "")
        if key[1]:
            if key in seen_names:
                row.errors.append(f"安置点名称：同一县区内与第 {seen_names[key]} 行重名")
            seen_names.setdefault(key, row.number)
