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


#: how an indicator with nothing to measure is scored (printed with the ranking)
NOTHING_TO_MEASURE = ("无应办事项的指标（分母为零：无计划督查、无到期问题、无发现、无安置点）不计分，"
                      "其余指标的权重按比例放大到 100 分；没有任何可考核指标的县（市、区）不参与排名")


def rate(numerator: int, denominator: int) -> float | None:
    """A share, or None when there is nothing to measure (left out of the score)."""
    return numerator / denominator if denominator else None


def score(rates: dict[str, float | None], rules: Rules) -> float | None:
    """0–100 over the indicators that have something to measure, their weights scaled up to 100
    (a county is neither rewarded nor punished for what was not due); None when none has."""
    total = weights = 0.0
    for i in rules.indicators:
        r = rates.get(i.key)
        if r is None:
            continue
        weights += i.weight
        total += i.weight * (r if i.better == "higher" else 1 - r)
    return round(total * 100 / weights, 2) if weights else None


def rank(rows: list[dict[str, Any]], rules: Rules) -> list[dict[str, Any]]:
    """Sort by score (high first; ties by name), number the ranks (ties share one), flag the bottom.
    A county with no score (nothing to measure) gets no rank, is listed last and is not flagged."""
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: (-r["score"], r["county_name"]))
    unscored = sorted((r for r in rows if r["score"] is None), key=lambda r: r["county_name"])
    last_score, last_rank = None, 0
    for n, r in enumerate(scored, 1):
        if r["score"] != last_score:
            last_score, last_rank = r["score"], n
        r["rank"] = last_rank
    bottom = {id(r) for r in scored[-rules.flag_bottom:]} if rules.flag_bottom else set()
    for r in scored:
        r["flagged"] = id(r) in bottom
    for r in unscored:
        r["rank"], r["flagged"] = None, False
    return scored + unscored
