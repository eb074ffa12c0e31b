"""Inline SVG charts drawn in Python, so the HTML report needs no script or style from anywhere.

Each chart is an accessible figure: the SVG carries a ``<title>`` and ``<desc>``, every data mark
carries its own ``<title>`` (the browser shows it on hover), and :func:`data_table` gives the
same numbers as a table for screen readers and for copying.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import count

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 46
PALETTE = ("#1f77b4", "#d95f02", "#7570b3", "#1b9e77", "#e7298a", "#66a61e", "#a6761d")
OK_COLOUR, BAD_COLOUR, TARGET_COLOUR = "#1b7f3b", "#c0262d", "#555555"
_ids = count(1)


@dataclass(frozen=True)
class LinearScale:
    """Maps a data interval onto a pixel interval; a zero-width domain is widened around it."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __post_init__(self) -> None:
        if self.d0 == self.d1:
            pad = abs(self.d0) * 0.1 or 1.0
            object.__setattr__(self, "d0", self.d0 - pad)
            object.__setattr__(self, "d1", self.d1 + pad)

    def __call__(self, value: float) -> float:
        return self.r0 + (value - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)


def nice_step(span: float, count: int = 5) -> float:
    """A step of 1, 2, 2.5 or 5 × 10^k that splits ``span`` into about ``count`` parts."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for mult in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= mult * power:
            return mult * power
    return 10 * power


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (the axis then spans first..last tick)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if lo > hi:
        lo, hi = hi, lo
    if lo == hi:
        lo, hi = (lo - 1, hi + 1) if lo == 0 else (lo - abs(lo) * 0.1, hi + abs(hi) * 0.1)
    step = nice_step(hi - lo, count)
    first = math.floor(lo / step + 1e-9) * step
    ticks: list[float] = []
    for i in range(1000):
        value = first + i * step
        ticks.append(round(value, 10))
        if value >= hi - 1e-9 * step:
            break
    return ticks


def fmt_number(value: float) -> str:
    """Short human number: 1,234 / 12.5 / 0.034."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # shown on hover and in the table, e.g. "2025-09-01T10: 812 ms"
    flag: str = ""  # "ok" | "bad" | "" (nothing to judge)


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]
    colour: str = ""


@dataclass(frozen=True)
class Axis:
    label: str
    fmt: Callable[[float], str] = field(default=fmt_number)


def _svg_open(title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="t{n} d{n}">'
        f'<title id="t{n}">{escape(title)}</title><desc id="d{n}">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def _axes(
    xs: LinearScale,
    ys: LinearScale,
    xticks: list[tuple[float, str]],
    yticks: list[float],
    x: Axis,
    y: Axis,
) -> list[str]:
    bottom, right = HEIGHT - BOTTOM, WIDTH - RIGHT
    out = ['<g class="axes" font-size="11" fill="#333">']
    for t in yticks:
        py = ys(t)
        out.append(f'<line x1="{LEFT}" x2="{right}" y1="{py:.1f}" y2="{py:.1f}" stroke="#e3e3e3"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{py + 4:.1f}" text-anchor="end">{escape(y.fmt(t))}</text>'
        )
    for i, (value, text) in enumerate(xticks):
        px = xs(value)
        anchor = "middle"
        if len(xticks) > 2 and i in (0, len(xticks) - 1):
            anchor = "start" if i == 0 else "end"
        out.append(
            f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#333"/>'
        )
        out.append(
            f'<text x="{px:.1f}" y="{bottom + 16}" text-anchor="{anchor}">{escape(text)}</text>'
        )
    out.append(f'<line x1="{LEFT}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="#333"/>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" stroke="#333"/>')
    out.append(
        f'<text class="axis-label" x="{(LEFT + right) / 2:.0f}" y="{HEIGHT - 6}" '
        f'text-anchor="middle">{escape(x.label)}</text>'
    )
    out.append(
        f'<text class="axis-label" transform="translate(14 {(TOP + bottom) / 2:.0f}) rotate(-90)" '
        f'text-anchor="middle">{escape(y.label)}</text>'
    )
    out.append("</g>")
    return out


def _x_ticks(
    lo: float, hi: float, fmt: Callable[[float], str], most: int = 5
) -> list[tuple[float, str]]:
    if lo == hi:
        return [(lo, fmt(lo))]
    step = (hi - lo) / (most - 1)
    return [(lo + i * step, fmt(lo + i * step)) for i in range(most)]


def _mark(px: float, py: float, point: Point, colour: str) -> str:
    tip = f"<title>{escape(point.label)}</title>"
    if point.flag == "bad":  # a cross as well as a colour: violations do not rest on colour alone
        d = 5
        return (
            f'<path class="mark violating" d="M{px - d:.1f} {py - d:.1f}L{px + d:.1f} {py + d:.1f}'
            f'M{px - d:.1f} {py + d:.1f}L{px + d:.1f} {py - d:.1f}" stroke="{BAD_COLOUR}" '
            f'stroke-width="2.5">{tip}</path>'
        )
    fill = OK_COLOUR if point.flag == "ok" else colour
    cls = "mark compliant" if point.flag == "ok" else "mark"
    return f'<circle class="{cls}" cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{fill}">{tip}</circle>'


def line_chart(
    title: str,
    desc: str,
    series: Sequence[Series],
    x: Axis,
    y: Axis,
    target: float | None = None,
    y_from_zero: bool = True,
) -> str:
    """Lines with a mark per point, and an optional dashed target line."""
    points = [p for s in series for p in s.points]
    if not points:
        return empty_chart(title, "No data in this window.")
    xs_values = [p.x for p in points]
    ys_values = [p.y for p in points] + ([target] if target is not None else [])
    lo = min([*ys_values, 0.0]) if y_from_zero else min(ys_values)
    yticks = nice_ticks(lo, max(ys_values))
    xs = LinearScale(min(xs_values), max(xs_values), LEFT + 8, WIDTH - RIGHT - 8)
    ys = LinearScale(yticks[0], yticks[-1], HEIGHT - BOTTOM, TOP)
    head, tail = _svg_open(title, desc)
    body = _axes(xs, ys, _x_ticks(min(xs_values), max(xs_values), x.fmt), yticks, x, y)
    if target is not None:
        ty = ys(target)
        body.append(
            f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-dasharray="6 4"><title>target {escape(y.fmt(target))}'
            "</title></line>"
        )
    for i, s in enumerate(series):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        ordered = sorted(s.points, key=lambda p: p.x)
        coords = " ".join(f"{xs(p.x):.1f},{ys(p.y):.1f}" for p in ordered)
        if len(ordered) > 1:
            body.append(
                f'<polyline class="series" points="{coords}" fill="none" '
                f'stroke="{colour}" stroke-width="1.8"/>'
            )
        body.extend(_mark(xs(p.x), ys(p.y), p, colour) for p in ordered)
    return head + "".join(body) + tail


def bar_chart(title: str, desc: str, bars: Sequence[tuple[str, float]], x: Axis, y: Axis) -> str:
    """Vertical bars, one per category, in the order given."""
    if not bars:
        return empty_chart(title, "No data in this window.")
    yticks = nice_ticks(0.0, max(v for _, v in bars))
    ys = LinearScale(yticks[0], yticks[-1], HEIGHT - BOTTOM, TOP)
    slot = (WIDTH - RIGHT - LEFT) / len(bars)
    xs = LinearScale(0, len(bars), LEFT, WIDTH - RIGHT)
    head, tail = _svg_open(title, desc)
    labels = [(i + 0.5, name) for i, (name, _) in enumerate(bars)]
    body = _axes(xs, ys, labels if len(bars) <= 8 else [], yticks, x, y)
    for i, (name, value) in enumerate(bars):
        top = ys(value)
        body.append(
            f'<rect class="mark bar" x="{LEFT + i * slot + slot * 0.15:.1f}" y="{top:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{max(ys(0) - top, 0.5):.1f}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(name)}: {escape(y.fmt(value))}'
            "</title></rect>"
        )
    return head + "".join(body) + tail


def empty_chart(title: str, message: str) -> str:
    """The place of a chart that has nothing to draw, saying why."""
    return f'<p class="empty" role="note"><strong>{escape(title)}:</strong> {escape(message)}</p>'


def legend(series: Sequence[Series]) -> str:
    """Names and colours of the series of a multi-series chart."""
    items = []
    for i, s in enumerate(series):
        colour = s.colour or PALETTE[i % len(PALETTE)]
        items.append(
            f'<li><span class="swatch" style="background:{colour}"></span>{escape(s.name)}</li>'
        )
    return f'<ul class="legend">{"".join(items)}</ul>'


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """The chart's numbers as a table, folded away under a summary."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return (
        f"<details><summary>Data table: {escape(caption)}</summary><table>"
        f"<caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></details>"
    )
