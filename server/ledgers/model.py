"""What a ledger is, independent of its format: columns, numbered rows, a summary, a digest."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.lib.canonical import digest as canonical_digest

KINDS = {
    "issues": "问题台账",
    "rectification": "整改台账",
    "closure": "销号台账",
    "work": "工作台账",
    "visit": "督查记录",
    "assessment": "年度考核",
}
SOURCE_SHORT = {"visit": "暗访", "self_check": "县级自查", "complaint": "信访", "department": "部门检查"}


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    #: width in millimetres on A4 landscape (277 mm of table); the spreadsheet uses it too
    width: float
    photos: bool = False
    #: in the PDF / in the spreadsheet (a PDF joins what a clerk wants to sort apart)
    pdf: bool = True
    sheet: bool = True


@dataclass(frozen=True)
class Photo:
    """A thumbnail on a ledger line: the file to embed and its caption (time, distance to the site)."""

    uuid: str
    path: str
    caption: str


@dataclass(frozen=True)
class Figure:
    """A number on a ledger: printed as ``text`` (a PDF); a number cell with ``number_format`` (a
    spreadsheet), or the text when there is no value (—, 无应办事项)."""

    value: float | int | None
    text: str
    number_format: str = "General"


@dataclass(frozen=True)
class LedgerFilters:
    county_id: int | None = None
    site_id: int | None = None
    area: str | None = None
    department_id: int | None = None
    state: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    #: the one inspection of a visit report (督查记录)
    inspection: str | None = None


@dataclass
class Ledger:
    kind: str
    title: str
    issuer: str
    period: str
    filters_text: str
    generated_at: str
    columns: list[Column]
    #: a row's values: text, numbers, dates (``date``; printed 2026年9月1日), photos (list of Photo)
    rows: list[dict[str, Any]]
    #: (county, {state name: count}, total) for the first page
    summary: list[tuple[str, dict[str, int], int]] = field(default_factory=list)
    summary_states: list[str] = field(default_factory=list)
    #: the summary's last column: the sum of the others, or (a period's flow) the rows per county
    summary_total: str = "合计"
    #: which rows a period takes (统计口径), printed under the filters
    rule: str = ""
    landscape: bool = True
    #: (label, value) lines on the first page (the visit report's particulars)
    facts: list[tuple[str, str]] = field(default_factory=list)
    digest: str = ""
    #: what the period is called on the first page
    period_label: str = "时间范围"
    #: the file's name without extension: place, ledger, period (盐湖区问题台账-2026年11月)
    file_stem: str = ""
    #: the visit report's closing lines (督查人员签字, 被督查单位意见) instead of the ledger's sign-off
    signatures: list[str] = field(default_factory=list)
    #: the audit chain when the file was made ("审计链 N 条 · <hash>"), printed in the footer: an anchor
    audit: str = ""

    @property
    def pdf_columns(self) -> list[Column]:
        return [c for c in self.columns if c.pdf]

    @property
    def sheet_columns(self) -> list[Column]:
        return [c for c in self.columns if c.sheet]

    def seal(self) -> str:
        """The document digest: SHA-256 over what the ledger says (not over PDF bytes, which carry
        timestamps): printed in every footer, recorded with the job, checked by ``ducha ledger verify``."""
        content = {
            "kind": self.kind, "title": self.title, "issuer": self.issuer, "period": self.period,
            "filters": self.filters_text, "generated_at": self.generated_at, "facts": self.facts, "rule": self.rule,
            "columns": [c.key for c in self.columns],
            "rows": [{k: ([p.uuid for p in v] if isinstance(v, list) else v) for k, v in r.items()} for r in self.rows],
        }
        self.digest = canonical_digest(content)
        return self.digest
