"""Charts drawn on the server as SVG: no chart library, nothing from a CDN, readable without colour alone.

Every bar carries its number and its words as text, and the chart has a title and a description for screen
readers; the tables next to the charts hold the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 340
BAR = 22
GAP = 10
LABEL_WIDTH = 120
INK, DONE, MISSED = "#1d2733", "#0b5cad", "#c62828"


def bars(title: str, items: Sequence[tuple[str, int]], *, chart_id: str) -> Markup:
    """Horizontal bars, one per (words, number), longest first as given; an empty chart says so."""
    if not items:
        return _svg(title, chart_id, 40, '<text x="0" y="24" font-size="14">暂无数据</text>', "暂无数据")
    top = max(n for _, n in items) or 1
    room = WIDTH - LABEL_WIDTH - 44
    parts = []
    for index, (words, number) in enumerate(items):
        y = index * (BAR + GAP)
        length = round(room * number / top)
        parts.append(
            f'<text x="0" y="{y + 16}" font-size="14" fill="{INK}">{escape(words)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR}" fill="{DONE}"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 16}" font-size="14" fill="{INK}">{number}</text>'
        )
    summary = "；".join(f"{w} {n}" for w, n in items)
    return _svg(title, chart_id, len(items) * (BAR + GAP), "".join(parts), summary)


def done_missed(title: str, points: Sequence[tuple[str, int, int]], *, chart_id: str) -> Markup:
    """Per day, a solid bar of check-ins done beside a hatched bar of those missed, each with its number."""
    height, base = 180, 150
    top = max([d for _, d, _ in points] + [m for _, _, m in points] + [1])
    step = (WIDTH - 10) / max(len(points), 1)
    width = min(16.0, step / 2 - 3)
    parts = [
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{MISSED}" '
        'stroke-width="3"/></pattern></defs>',
        f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{INK}"/>',
    ]
    for index, (day, done, missed) in enumerate(points):
        x = 5 + index * step
        for offset, number, fill in ((0.0, done, DONE), (width + 2, missed, "url(#hatch)")):
            tall = round((base - 30) * number / top)
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{base - tall}" width="{width:.1f}" height="{tall}" fill="{fill}" '
                f'stroke="{INK}" stroke-width="0.5"/>'
                f'<text x="{x + offset + width / 2:.1f}" y="{base - tall - 4}" font-size="11" '
                f'text-anchor="middle" fill="{INK}">{number}</text>'
            )
        parts.append(
            f'<text x="{x + width:.1f}" y="{base + 18}" font-size="11" text-anchor="middle" fill="{INK}">'
            f"{escape(day)}</text>"
        )
    parts.append(
        f'<rect x="0" y="{height - 8}" width="12" height="8" fill="{DONE}"/>'
        f'<text x="16" y="{height}" font-size="12" fill="{INK}">实心：已打卡</text>'
        f'<rect x="110" y="{height - 8}" width="12" height="8" fill="url(#hatch)" stroke="{INK}" stroke-width="0.5"/>'
        f'<text x="126" y="{height}" font-size="12" fill="{INK}">斜线：漏打卡</text>'
    )
    summary = "；".join(f"{d} 已打卡{done} 漏打卡{missed}" for d, done, missed in points)
    return _svg(title, chart_id, height + 4, "".join(parts), summary)


def _svg(title: str, chart_id: str, height: int, body: str, summary: str) -> Markup:
    """The chart's frame: an image role, a title and a description that carries every number."""
    # Every word in `body` and here went through escape(); the rest is numbers and fixed markup.
    return Markup(  # noqa: S704
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(summary)}</desc>{body}</svg>'
    )
