"""The serif CJK font a PDF embeds, cut down to the characters the document uses.

The system font is a collection (.ttc) of five 20 MB CJK faces; WeasyPrint subsets whatever it is
given on every write, and a collection makes that slow (PITFALLS.md). HarfBuzz's subsetter
(uharfbuzz) cuts Noto Serif CJK SC down to the document's own characters in ~0.1 s, so WeasyPrint
gets one small font. Characters the font lacks fall back to the system fonts (font-family list).
"""

from __future__ import annotations

import hashlib
import subprocess
from functools import lru_cache
from pathlib import Path

FAMILY = "Noto Serif CJK SC"
#: always in the subset: ASCII, the digits and punctuation of page footers and dates
BASE = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！“”‘’（）《》〔〕【】—…·第页共年月日至起截止全部县区市"


class CjkFontMissing(RuntimeError):
    """No Chinese serif font on this machine."""


@lru_cache(maxsize=4)
def system_font(weight: str) -> tuple[str, int]:
    """(file, face index) of Noto Serif CJK SC in this weight, as fontconfig finds it."""
    pattern = f"{FAMILY}:bold" if weight == "bold" else FAMILY
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", pattern], capture_output=True, text=True,
                             check=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise CjkFontMissing("找不到 fc-match（fontconfig），无法定位中文字体") from exc
    file, index, family = (out.split("|") + ["", "", ""])[:3]
    if FAMILY not in family or not Path(file).is_file():
        raise CjkFontMissing(f"未找到中文衬线字体 {FAMILY}：请安装 Debian 软件包 fonts-noto-cjk")
    return file, int(index or 0)


def subset(text: str, folder: Path, weights: tuple[str, ...] = ("regular", "bold"), base: str = "") -> dict[str, Path]:
    """{"regular": path, "bold": path}: the font cut to ``text``'s characters, cached by that set."""
    import uharfbuzz as hb

    chars = sorted(set(text) | set(base))
    key = hashlib.sha256("".join(chars).encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for weight in weights:
        path = folder / f"ducha-serif-{weight}-{key}.otf"
        if not path.exists():
            file, index = system_font(weight)
            face = hb.Face(hb.Blob.from_file_path(file), index)
            wanted = hb.SubsetInput()
            for c in chars:
                wanted.unicode_set.add(ord(c))
            for name_id in range(26):
                wanted.name_id_set.add(name_id)
            data = hb.subset(face, wanted).blob.data
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        out[weight] = path
    return out
