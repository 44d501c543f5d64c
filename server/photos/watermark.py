"""The "水印相机" evidence stamp: site, time, position and inspector on the display copy.

A semi-transparent dark band at the bottom left with white lines of text in a Simplified
Chinese font: ``DUCHA_CJK_FONT`` (a file, optionally ``path:face-index``), else Noto Sans CJK SC
found by fontconfig or under /usr/share/fonts (Debian ``fonts-noto-cjk``).
"""

from __future__ import annotations

import io
import os
import subprocess
import threading
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
PREFERRED = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "Source Han Serif SC")
BAND_RGBA = (0, 0, 0, 150)
JPEG_QUALITY = 85
_render_lock = threading.Lock()  # FreeType faces are not safe to share between threads


class CjkFontMissing(RuntimeError):
    """No Simplified Chinese font: the stamp would print empty boxes."""

    def __init__(self) -> None:
        super().__init__("找不到中文字体（no CJK font）：请安装 fonts-noto-cjk，或用环境变量 DUCHA_CJK_FONT 指定字体文件")


def _family(path: str, index: int) -> str | None:
    try:
        return ImageFont.truetype(path, 12, index=index).getname()[0]
    except OSError:
        return None


def _sc_face(path: str) -> int | None:
    """The face index of the Simplified Chinese face in a .ttc/.otf/.ttf, or None."""
    for index in range(16):
        family = _family(path, index)
        if family is None:
            break
        if family in PREFERRED:
            return index
    return None


def _fc_match() -> tuple[str, int] | None:
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}:%{index}", PREFERRED[0]],
                             capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    path, _, index = out.rpartition(":")
    if not path or not index.isdigit():
        return None
    # fc-match always answers with something: make sure it is a CJK SC face, not DejaVu
    return (path, int(index)) if _family(path, int(index)) in PREFERRED else None


@lru_cache(maxsize=1)
def cjk_font_file() -> tuple[str, int]:
    """(path, face index) of the Simplified Chinese font the stamp uses; CjkFontMissing if none."""
    configured = os.environ.get("DUCHA_CJK_FONT", "").strip()
    if configured:
        head, sep, tail = configured.rpartition(":")
        path, index = (head, int(tail)) if sep and tail.isdigit() else (configured, None)
        if not Path(path).is_file():
            raise CjkFontMissing()
        return path, index if index is not None else (_sc_face(path) or 0)
    found = _fc_match()
    if found:
        return found
    for folder in FONT_DIRS:
        for path in sorted(folder.rglob("*CJK*.tt[cf]")) + sorted(folder.rglob("*CJK*.otf")):
            index = _sc_face(str(path))
            if index is not None:
                return str(path), index
    raise CjkFontMissing()


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = cjk_font_file()
    return ImageFont.truetype(path, size, index=index)


def watermark(display_jpeg: bytes, lines: list[str]) -> bytes:
    """The display copy with ``lines`` stamped bottom left; a JPEG with no metadata."""
    im = Image.open(io.BytesIO(display_jpeg))
    im.load()
    im = im.convert("RGB")
    lines = [line for line in lines if line.strip()]
    if lines:
        im = _stamp(im, lines)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=JPEG_QUALITY)
    return buf.getvalue()


def _stamp(im: Image.Image, lines: list[str]) -> Image.Image:
    w, h = im.size
    size = max(12, round(min(w, h) / 26))
    with _render_lock:
        font = _font(size)
        widest = max(font.getlength(line) for line in lines)
        if widest > 0.9 * w:  # long lines: a smaller font rather than text off the picture
            size = max(8, int(size * 0.9 * w / widest))
            font = _font(size)
            widest = max(font.getlength(line) for line in lines)
        ascent, descent = font.getmetrics()
        line_h, pad = ascent + descent, max(4, size // 2)
        band_w = min(w, int(widest) + 2 * pad)
        band_h = min(h, line_h * len(lines) + (len(lines) - 1) * (size // 4) + 2 * pad)
        x0, y0 = 0, h - band_h
        overlay = Image.new("RGBA", (band_w, band_h), BAND_RGBA)
        draw = ImageDraw.Draw(overlay)
        y = pad
        for line in lines:
            draw.text((pad, y), line, font=font, fill=(255, 255, 255, 255))
            y += line_h + size // 4
    region = im.crop((x0, y0, x0 + band_w, y0 + band_h)).convert("RGBA")
    im.paste(Image.alpha_composite(region, overlay).convert("RGB"), (x0, y0))
    return im
