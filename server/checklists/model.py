"""The template model: what one template version file holds."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

ItemType = Literal["check", "number", "integer", "text", "single", "multi", "date", "photo"]
Severity = Literal["minor", "major", "critical"]
AREAS = ("质量安全", "消防措施", "教育医疗", "产业就业", "十有十到位", "社区治理与社会融入", "防返贫动态监测")
DEPARTMENTS = {
    "zhujian": "住建", "xiaofang": "消防", "jiaoyu": "教育", "weijian": "卫健", "renshe": "人社",
    "nongye": "农业农村", "minzheng": "民政", "xiangcun": "乡村振兴", "gongan": "公安",
    "yiban": "易地搬迁专班", "shuili": "水利", "yiliao_baozhang": "医保",
    "fazhan": "发展改革", "yingji": "应急管理", "shangwu": "商务", "shichang": "市场监管", "zuzhi": "组织部",
    "ziran": "自然资源",
}
CHECK_VALUES = {"pass": "符合", "fail": "不符合", "na": "不适用"}
SEVERITY_NAMES = {"minor": "一般", "major": "较重", "critical": "严重"}


class Option(msgspec.Struct, forbid_unknown_fields=True):
    value: str
    label: str


class Item(msgspec.Struct, forbid_unknown_fields=True):
    key: str
    text: str
    type: ItemType
    required: bool
    raises_issue: bool
    department: str
    #: the policy paragraph, e.g. 三(二)一; checked by the loader (missing -> a named error)
    basis: str = ""
    help: str = ""
    severity: Severity | None = None
    deadline_days: int | None = None
    photo_on_fail: bool = False
    applies_when: Any = None
    fails_when: Any = None
    options: list[Option] = []
    unit: str = ""
    min: float | None = None
    max: float | None = None
    #: the finding sentence of a failure, with placeholders (server/checklists/findings.py)
    finding: str = ""
    #: named values the finding pattern shows, as rules: {"share": {"/": [...]}}
    finding_values: dict[str, Any] = {}
    #: the inspector may not change the severity of this item's issue
    severity_fixed: bool = False
    #: a multi-choice item that fails unless every option is chosen (the policy's fixed lists)
    require_all: bool = False
    #: 不适用 on this check item needs the inspector's reason (the item note), and a photo with na_photo
    na_reason: bool = False
    na_photo: bool = False
    #: a count that cannot exceed another item's answer (不合格 M of 抽查 N): the other item's key
    at_most: str = ""


class Section(msgspec.Struct, forbid_unknown_fields=True):
    key: str
    title: str
    items: list[Item]
    help: str = ""


class Template(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    version: int
    title: str
    area: str
    lead_department: str
    sections: list[Section]
    basis: str = ""
    note: str = ""
    applies_when: Any = None

    def items(self) -> list[tuple[Section, Item]]:
        return [(s, i) for s in self.sections for i in s.items]

    def item(self, key: str) -> Item | None:
        for _, item in self.items():
            if item.key == key:
                return item
        return None
