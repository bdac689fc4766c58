"""Bar charts as server-rendered SVG, pure Python: no chart library, no script, nothing loaded
from elsewhere, and no style attribute (the CSP allows none) — colours come from classes in
static/usage/usage.css. Each chart is role="img" with an aria-label summarising it, and each bar
carries a <title>, the tooltip a pointer shows. The page puts the same figures in a table
beside it. Every text is escaped here; callers pass plain strings."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

WIDTH = 520  # the viewBox: drawn at about its own size in half the page at 1280 px
FONT = 11


@dataclass(frozen=True)
class Bar:
    label: str  # under (columns) or before (rows) the bar
    parts: tuple[tuple[str, float], ...]  # stacked (css class, value), first at the base
    tip: str  # the <title>: what the bar says in words

    @property
    def total(self) -> float:
        return sum(v for _, v in self.parts)


def bar(label: str, value: float, tip: str, css: str = "s0") -> Bar:
    return Bar(label, ((css, value),), tip)


def _e(text: str) -> str:
    return escape(str(text), quote=True)


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _open(chart_id: str, title: str, summary: str, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_e(chart_id)}" '
            f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{_e(summary)}">',
            f"<title>{_e(title)}</title>"]


def _legend(legend: tuple[tuple[str, str], ...], y: int, x0: int) -> list[str]:
    out, x = [], x0
    for css, name in legend:
        out.append(f'<rect class="bar {_e(css)}" x="{x}" y="{y - 9}" width="10" height="10"/>'
                   f'<text class="legend" x="{x + 14}" y="{y}" font-size="{FONT}">'
                   f"{_e(name)}</text>")
        x += 24 + 7 * len(name)
    return out


def columns(bars: list[Bar], *, chart_id: str, title: str, summary: str, scale_text,
            legend: tuple[tuple[str, str], ...] = (), height: int = 220) -> str:
    """Vertical bars in a row (one per week), with a zero line, the top of the scale written
    by `scale_text(value)`, and as many axis labels as fit."""
    left, right, top, bottom = 56, 8, 18 if legend else 8, 24
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    top_value = max((b.total for b in bars), default=0) or 1
    out = _open(chart_id, title, summary, height)
    if legend:
        out += _legend(legend, 11, left)
    base = top + plot_h
    out.append(f'<line class="axis" x1="{left}" y1="{base}" x2="{WIDTH - right}" y2="{base}"/>')
    out.append(f'<line class="grid" x1="{left}" y1="{top}" x2="{WIDTH - right}" y2="{top}"/>')
    out.append(f'<text class="tick" x="{left - 4}" y="{top + 4}" text-anchor="end" '
               f'font-size="{FONT}">{_e(scale_text(top_value))}</text>')
    out.append(f'<text class="tick" x="{left - 4}" y="{base}" text-anchor="end" '
               f'font-size="{FONT}">0</text>')
    slot = plot_w / max(len(bars), 1)
    width = max(1.0, min(slot * 0.7, 48))
    every = max(1, math.ceil(len(bars) / 9))  # about nine labels, whatever the period
    for i, b in enumerate(bars):
        x = left + i * slot + (slot - width) / 2
        y = base
        out.append(f"<g class=\"col\"><title>{_e(b.tip)}</title>")
        # An invisible full-height target, so a bar of 0 still has a tooltip.
        out.append(f'<rect class="hit" x="{_num(left + i * slot)}" y="{top}" '
                   f'width="{_num(slot)}" height="{plot_h}" fill="transparent"/>')
        for css, value in b.parts:
            h = plot_h * value / top_value
            if h <= 0:
                continue
            y -= h
            out.append(f'<rect class="bar {_e(css)}" x="{_num(x)}" y="{_num(y)}" '
                       f'width="{_num(width)}" height="{_num(h)}"/>')
        out.append("</g>")
        if i % every == 0:
            out.append(f'<text class="label" x="{_num(x + width / 2)}" y="{height - 8}" '
                       f'text-anchor="middle" font-size="{FONT}">{_e(b.label)}</text>')
    out.append("</svg>")
    return "".join(out)


def rows(bars: list[Bar], *, chart_id: str, title: str, summary: str, value_text,
         legend: tuple[tuple[str, str], ...] = ()) -> str:
    """Horizontal bars, one per account, person or kind: the name before the bar, the figure
    (`value_text(bar)`) after it."""
    left, right, row_h, top = 200, 100, 22, 22 if legend else 6
    height = top + row_h * max(len(bars), 1) + 6
    plot_w = WIDTH - left - right
    top_value = max((b.total for b in bars), default=0) or 1
    out = _open(chart_id, title, summary, height)
    if legend:
        out += _legend(legend, 12, left)
    for i, b in enumerate(bars):
        y = top + i * row_h
        name = b.label if len(b.label) <= 32 else b.label[:31] + "…"
        out.append(f"<g class=\"row\"><title>{_e(b.tip)}</title>")
        out.append(f'<rect class="hit" x="0" y="{y}" width="{WIDTH}" height="{row_h}" '
                   f'fill="transparent"/>')
        out.append(f'<text class="label" x="{left - 6}" y="{y + 15}" text-anchor="end" '
                   f'font-size="{FONT}">{_e(name)}</text>')
        x = float(left)
        for css, value in b.parts:
            w = plot_w * value / top_value
            if w <= 0:
                continue
            out.append(f'<rect class="bar {_e(css)}" x="{_num(x)}" y="{y + 4}" '
                       f'width="{_num(w)}" height="{row_h - 8}"/>')
            x += w
        out.append(f'<text class="value" x="{_num(x + 6)}" y="{y + 15}" font-size="{FONT}">'
                   f"{_e(value_text(b))}</text></g>")
    out.append("</svg>")
    return "".join(out)
