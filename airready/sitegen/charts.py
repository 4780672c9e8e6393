"""Static SVG charts for the site: drawn here, inline in the page, readable offline and on
paper, with every number also written as text (a chart is never the only place a fact is).

Bars are horizontal (labels stay readable on a phone); a trend is a line over 0-100.
Everything printed inside the SVG is escaped, although only airready's own words and
numbers reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from .escape import Raw

WIDTH = 520
LABEL = 150  # room for the labels left of the bars
ROW = 26
BAR = 16
COLOURS = {
    "ready": "#2e7d32", "not ready": "#b3261e",
    "critical": "#8c1d18", "high": "#d84315", "medium": "#f9a825", "low": "#546e7a",
    "gaps": "#d84315", "waived": "#9e9e9e", "line": "#3f51b5",
}


@dataclass
class Segment:
    value: int
    colour: str
    name: str  # what the segment counts, for the tooltip


def _svg(height: int, title: str, body: list[str], css: str = "") -> Raw:
    label = escape(title)
    extra = f' class="{css}"' if css else ""
    return Raw(f'<svg xmlns="http://www.w3.org/2000/svg"{extra} viewBox="0 0 {WIDTH} {height}" '
               f'role="img" aria-label="{label}"><title>{label}</title>'
               + "".join(body) + "</svg>")


def bars(title: str, rows: list[tuple[str, list[Segment]]],
         note: Callable[[list[int]], str] | None = None) -> Raw:
    """Horizontal bars, one row per label, each made of coloured segments; the total (or
    ``note``'s wording of the segments' values) is written after the bar."""
    top = max((sum(s.value for s in segments) for _, segments in rows), default=0) or 1
    room = WIDTH - LABEL - 150
    body = []
    for index, (label, segments) in enumerate(rows):
        y = index * ROW + 4
        body.append(f'<text x="{LABEL - 8}" y="{y + BAR - 3}" text-anchor="end">'
                    f"{escape(label)}</text>")
        x = float(LABEL)
        for segment in segments:
            if segment.value <= 0:
                continue
            width = max(room * segment.value / top, 2.0)
            body.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR}" '
                        f'fill="{segment.colour}"><title>{escape(segment.name)}: '
                        f"{segment.value:,}</title></rect>")
            x += width
        words = note([s.value for s in segments]) if note else f"{sum(s.value for s in segments):,}"
        body.append(f'<text x="{x + 6:.1f}" y="{y + BAR - 3}">{escape(words)}</text>')
    return _svg(len(rows) * ROW + 8, title, body)


def trend(title: str, points: list[tuple[str, int]]) -> Raw | None:
    """Scores (0-100) over time as a line with each point's value; None under two points."""
    if len(points) < 2:
        return None
    height, left, right, top, bottom = 190, 36, WIDTH - 16, 12, 150
    step = (right - left) / (len(points) - 1)

    def y_of(score: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(score, 100.0)) / 100

    body = []
    for mark in (0, 50, 100):
        y = y_of(mark)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" '
                    'stroke="#bdbdbd" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{mark}</text>')
    coords = [(left + i * step, y_of(score)) for i, (_, score) in enumerate(points)]
    body.append('<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>'.format(
        COLOURS["line"], " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)))
    # Label every point when they fit, else the first, the last and a few between.
    every = max(1, -(-len(points) // 5))
    for index, ((label, score), (x, y)) in enumerate(zip(points, coords, strict=True)):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{COLOURS["line"]}">'
                    f"<title>{escape(label)}: {score}</title></circle>")
        if index % every == 0 or index == len(points) - 1:
            anchor = "start" if index == 0 else "end" if index == len(points) - 1 else "middle"
            body.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="{anchor}">'
                        f"{score}</text>")
            body.append(f'<text x="{x:.1f}" y="{bottom + 20}" text-anchor="{anchor}">'
                        f"{escape(label)}</text>")
    return _svg(height, title, body, "ar-trend")


def figure(chart: Raw, caption: str, wide: bool = False) -> Raw:
    """A chart with its caption, kept out of the search index (its numbers are in the
    text around it)."""
    css = "ar-chart ar-wide" if wide else "ar-chart"
    return Raw(f'<div class="{css}" data-search-exclude>\n<p><strong>{escape(caption)}'
               f"</strong></p>\n{chart}\n</div>")
