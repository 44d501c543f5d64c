"""Scores and ranking from indicator rates: plain functions over the documented table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from server.lib.errors import Invalid

DEFAULT = Path(__file__).with_name("scoring.yaml")


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    weight: float
    better: str  # higher | lower
    rule: str


@dataclass(frozen=True)
class Rules:
    indicators: tuple[Indicator, ...]
    flag_bottom: int


def load(path: Path | None = None) -> Rules:
    data = yaml.safe_load((path or DEFAULT).read_text(encoding="utf-8"))
    try:
        indicators = tuple(Indicator(**i) for i in data["indicators"])
        rules = Rules(indicators=indicators, flag_bottom=int(data.get("flag_bottom", 0)))
    except (KeyError, TypeError) as exc:
        raise Invalid("bad_rules", f"考核评分规则文件格式有误：{exc}") from exc
    if any(i.better not in ("higher", "lower") for i in indicators):
        raise Invalid("bad_rules", "考核评分规则中 better 只能是 higher 或 lower")
    return rules


def rate(numerator: int, denominator: int) -> float:
    """A share, or None when nothing was due (scored as fully met)."""
    return numerator / denominator if denominator else None  # type: ignore[return-value]


def score(rates: dict[str, float | None], rules: Rules) -> float:
    total = 0.0
    for i in rules.indicators:
        r = rates.get(i.key)
        if r is None:  # nothing due: fully met
            total += i.weight
        else:
            total += i.weight * (r if i.better == "higher" else 1 - r)
    return round(total, 2)


def rank(rows: list[dict[str, Any]], rules: Rules) -> list[dict[str, Any]]:
    """Sort by score (high first; ties by name), number the ranks (ties share one), flag the bottom."""
    ordered = sorted(rows, key=lambda r: (-r["score"], r["county_name"]))
    last_score, last_rank = None, 0
    for n, r in enumerate(ordered, 1):
        if r["score"] != last_score:
            last_score, last_rank = r["score"], n
        r["rank"] = last_rank
    bottom = {id(r) for r in ordered[-rules.flag_bottom:]} if rules.flag_bottom else set()
    for r in ordered:
        r["flagged"] = id(r) in bottom
    return ordered
