"""The policy's paragraph list, read from its text (运易组办〔2021〕1号), so a template's ``basis``
names a paragraph that exists: ``三`` (a part), ``三(二)`` (a section), ``三(二)一`` (its 一是).

Parts are lines starting ``一、``; sections lines starting ``（一）``; inside a section the points are
``一是…二是…``. A section without numbered points has only its own name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

POLICY_FILE = Path(__file__).resolve().parents[2] / "inspection_templates" / "policy-yunyizuban-2021-1.zh.txt"
NUMERALS = "一二三四五六七八九十"
PART = re.compile(rf"^([{NUMERALS}])、")
SECTION = re.compile(rf"^（([{NUMERALS}])）")
POINT = re.compile(rf"([{NUMERALS}])是")


def paragraphs_of(text: str) -> list[str]:
    """Every citable paragraph in document order."""
    found: list[str] = []
    part = section = None
    for line in text.splitlines():
        line = line.strip()
        if m := PART.match(line):
            part, section = m.group(1), None
            found.append(part)
        elif part and (m := SECTION.match(line)):
            section = f"{part}({m.group(1)})"
            found.append(section)
        elif section:
            expected = len([p for p in found if p.startswith(section)])  # the next point's numeral
            for m in POINT.finditer(line):
                if expected <= len(NUMERALS) and m.group(1) == NUMERALS[expected - 1]:
                    found.append(f"{section}{m.group(1)}")
                    expected += 1
    return found


@lru_cache(maxsize=1)
def paragraphs() -> tuple[str, ...]:
    """The paragraphs of the policy file, in document order."""
    return tuple(paragraphs_of(POLICY_FILE.read_text(encoding="utf-8")))
