"""Text and card drawing for the animatic: fonts, caption bands, title cards, the watermark.

Everything here is drawn once per shot (never per frame) and handed to the renderer as Pillow
images: an opaque RGB title card, or an RGBA overlay that the renderer pastes on each frame.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from PIL import Image, ImageDraw, ImageFont

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont
P = ParamSpec("P")
R = TypeVar("R")

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),  # Fedora, Arch
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
ELLIPSIS = "…"
CAPTION_BAND = (0, 0, 0, 150)  # semi-transparent black: the picture stays visible behind it
CAPTION_TEXT = (255, 255, 255, 255)
CAPTION_LABEL = (255, 214, 102, 255)  # warm yellow: the shot number stands out from the prompt
# Title card: a calm slate gradient; light text on it.
CARD_TOP = (38, 50, 66)
CARD_BOTTOM = (20, 27, 37)
CARD_TEXT = (236, 240, 245)
CARD_MUTED = (150, 165, 185)

_SPACE = re.compile(r"\s+")
# Fonts are cached and shared, and a FreeType face must not be used by two threads at once
# (the sandbox renders several animatics concurrently). Drawing happens once per shot, so
# taking turns costs nothing measurable.
_FONTS_IN_USE = threading.RLock()


def _taking_turns(fn: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _FONTS_IN_USE:
            return fn(*args, **kwargs)

    return wrapper


@functools.lru_cache(maxsize=32)
def load_font(size: int, bold: bool = False) -> FontType:
    """DejaVu Sans when installed (wide Unicode coverage), else Pillow's built-in font.

    Missing glyphs (emoji, CJK) render as boxes: ugly but harmless, and never an error.
    """
    size = max(6, int(size))
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        path = folder / name
        if path.is_file():
            try:
                return ImageFont.truetype(str(path), size)
            except OSError:
                continue
    try:
        return ImageFont.truetype(name, size)  # FreeType's own search path
    except OSError:
        return ImageFont.load_default(size=size)


def clean_text(text: object) -> str:
    """One line of printable text: whitespace runs collapsed, control characters and lone
    surrogates (which FreeType cannot encode) replaced."""
    s = str(text or "").encode("utf-8", "replace").decode("utf-8", "replace")
    s = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in s)
    return _SPACE.sub(" ", s).strip()


def _width(font: FontType, text: str) -> float:
    return font.getlength(text)


def _fit(font: FontType, text: str, max_width: float, suffix: str = "") -> str:
    """The longest prefix of ``text`` that fits with ``suffix`` after it (binary search)."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _width(font, text[:mid] + suffix) <= max_width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


@_taking_turns
def wrap_text(text: str, font: FontType, max_width: float, max_lines: int) -> list[str]:
    """Greedy word wrap into at most ``max_lines`` lines; the last one ends with an ellipsis
    when text was left over. Words wider than a line (URLs, CJK runs) are broken anywhere."""
    text = clean_text(text)
    lines: list[str] = []
    words = text.split(" ") if text else []
    line = ""
    i = 0
    while i < len(words) and len(lines) < max_lines:
        word = words[i]
        candidate = f"{line} {word}" if line else word
        if _width(font, candidate) <= max_width:
            line = candidate
            i += 1
        elif line:
            lines.append(line)
            line = ""
        else:  # a single word wider than the line: cut it
            head = _fit(font, word, max_width) or word[:1]
            lines.append(head)
            words[i] = word[len(head) :]
    if line and len(lines) < max_lines:
        lines.append(line)
        line = ""
    if i < len(words) or line:  # text left over: mark the cut on the last line
        last = lines[-1] if lines else ""
        lines[-1:] = [_fit(font, last, max_width, ELLIPSIS).rstrip() + ELLIPSIS]
    return lines


def font_size_for(size: tuple[int, int]) -> int:
    """Caption font size: about 1/26 of the shorter side (28 px at 720p)."""
    return max(8, round(min(size) / 26))


@_taking_turns
def caption_overlay(
    size: tuple[int, int], shot_number: int, shot_count: int, seconds: int, prompt: str
) -> tuple[Image.Image, tuple[int, int]]:
    """The caption band for one shot (RGBA) and where to paste it: the shot number and the
    prompt, wrapped and cut with an ellipsis, on a semi-transparent band at the bottom."""
    width, height = size
    fs = font_size_for(size)
    font, bold = load_font(fs), load_font(fs, bold=True)
    pad = max(4, round(fs * 0.55))
    line_h = round(fs * 1.25)
    # Portrait frames are narrow: allow more lines so the same prompt stays readable.
    max_lines = 3 if width >= height * 1.2 else 5 if height >= width * 1.2 else 4
    lines = wrap_text(prompt, font, width - 2 * pad, max_lines)
    band_h = min(height, 2 * pad + line_h * (1 + len(lines)))
    band = Image.new("RGBA", (width, band_h), CAPTION_BAND)
    draw = ImageDraw.Draw(band)
    label = f"Shot {shot_number}/{shot_count} · {seconds} s"
    draw.text((pad, pad), label, font=bold, fill=CAPTION_LABEL)
    for n, line in enumerate(lines, start=1):
        draw.text((pad, pad + n * line_h), line, font=font, fill=CAPTION_TEXT)
    return band, (0, height - band_h)


@_taking_turns
def watermark_overlay(
    size: tuple[int, int], text: str
) -> tuple[Image.Image, tuple[int, int]] | None:
    """A small label for the top-right corner, or None for empty text."""
    text = clean_text(text)
    if not text:
        return None
    width, height = size
    fs = max(8, round(min(size) / 30))
    font = load_font(fs, bold=True)
    pad = max(2, fs // 3)
    text = _fit(font, text, width * 0.45 - 2 * pad) or text[:1]
    left, top, right, bottom = font.getbbox(text)
    box_w = min(width, int(right - left) + 2 * pad)
    box_h = min(height, int(bottom - top) + 2 * pad)
    mark = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 110))
    ImageDraw.Draw(mark).text((pad - left, pad - top), text, font=font, fill=(255, 255, 255, 230))
    margin = max(2, fs // 2)
    return mark, (max(0, width - box_w - margin), min(margin, height - box_h))


@_taking_turns
def title_card(size: tuple[int, int], title: str, shot_number: int, shot_count: int) -> Image.Image:
    """A calm card for a shot with no picture: the storyboard's title and the shot number."""
    width, height = size
    mask = Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR)
    card = Image.composite(
        Image.new("RGB", size, CARD_BOTTOM), Image.new("RGB", size, CARD_TOP), mask
    )
    draw = ImageDraw.Draw(card)
    fs = font_size_for(size)
    title_font = load_font(round(fs * 1.6), bold=True)
    sub_font = load_font(fs)
    title_lines = wrap_text(title or "Untitled storyboard", title_font, width * 0.86, 2)
    title_h = round(fs * 1.6 * 1.25)
    sub = f"Shot {shot_number} of {shot_count}"
    block_h = title_h * len(title_lines) + round(fs * 1.8)
    # Centre in the upper part: the caption band covers the bottom of the frame.
    y = max(0, round(height * 0.4 - block_h / 2))
    for line in title_lines:
        draw.text(
            ((width - _width(title_font, line)) / 2, y), line, font=title_font, fill=CARD_TEXT
        )
        y += title_h
    draw.text(
        ((width - _width(sub_font, sub)) / 2, y + fs * 0.5), sub, font=sub_font, fill=CARD_MUTED
    )
    return card
