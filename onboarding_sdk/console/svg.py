"""Server-rendered SVG charts for the console: no JavaScript, no CDN.

Every chart is ``role="img"`` with ``<title>`` and ``<desc>`` (``aria-labelledby``) and
writes its numbers as text, so the picture never holds a figure the page does not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)
#: Distinguishable on white and for common colour-vision deficiencies (Okabe-Ito).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    n = next(_ids)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="chart{n}-title chart{n}-desc" class="chart">'
        f'<title id="chart{n}-title">{escape(title)}</title><desc id="chart{n}-desc">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def bar_chart(title: str, desc: str, bars: Sequence[tuple[str, int]], width: int = 640) -> Markup:
    """Horizontal bars, one per (label, value), each labelled with its value."""
    row, label_w, pad = 22, 180, 8
    height = max(1, len(bars)) * row + 2 * pad
    top = max((v for _, v in bars), default=0) or 1
    span = width - label_w - 60
    head, tail = _open(width, height, title, desc)
    parts = [head]
    for i, (label, value) in enumerate(bars):
        y = pad + i * row
        w = round(span * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row - 6}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 15}" font-size="12">{value}</text>'
        )
    parts.append(tail)
    return Markup("".join(parts))


def line_chart(
    title: str, desc: str, labels: Sequence[str], series: Mapping[str, Sequence[int]], width: int = 640
) -> Markup:
    """One polyline per series over ``labels`` (days), with a legend, the maximum on the
    y axis and the first and last label on the x axis."""
    height, left, right, top_pad, bottom = 220, 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    peak = max((v for values in series.values() for v in values), default=0) or 1
    step = plot_w / max(1, len(labels) - 1)
    head, tail = _open(width, height, title, desc)
    base = top_pad + plot_h
    parts = [
        head,
        f'<line x1="{left}" y1="{base}" x2="{left + plot_w}" y2="{base}" stroke="#555"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base}" stroke="#555"/>',
        f'<text x="{left - 4}" y="{top_pad + 10}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 4}" y="{base}" text-anchor="end" font-size="11">0</text>',
    ]
    if labels:
        parts.append(f'<text x="{left}" y="{base + 14}" font-size="11">{escape(labels[0])}</text>')
        parts.append(
            f'<text x="{left + plot_w}" y="{base + 14}" text-anchor="end" font-size="11">{escape(labels[-1])}</text>'
        )
    for i, (name, values) in enumerate(series.items()):
        colour = PALETTE[i % len(PALETTE)]
        points = " ".join(f"{left + j * step:.1f},{base - plot_h * v / peak:.1f}" for j, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{points}"/>')
        x = left + i * 110
        parts.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{height - 5}" font-size="11">{escape(name)} ({sum(values)})</text>'
        )
    parts.append(tail)
    return Markup("".join(parts))


def _same(text: str) -> str:
    return text


def funnel_chart(
    title: str,
    desc: str,
    stages: Sequence[tuple[str, int, int, float | None]],
    width: int = 640,
    say: Callable[[str], str] = _same,
) -> Markup:
    """One bar per ``(stage, reached, now, share of the previous stage)``: the bar's length is
    ``reached``, its dark part ``now``; each bar is labelled with all three figures (its words
    through ``say``, the console's catalog)."""
    row, label_w, pad = 26, 110, 8
    height = max(1, len(stages)) * row + 2 * pad
    top = max((reached for _, reached, _, _ in stages), default=0) or 1
    span = width - label_w - 230
    head, tail = _open(width, height, title, desc)
    parts = [head]
    for i, (stage, reached, now, share) in enumerate(stages):
        y = pad + i * row
        w_all, w_now = round(span * reached / top), round(span * min(now, reached) / top)
        text = say("{reached} reached, {now} now").format(reached=reached, now=now)
        if share is not None:
            text += say(", {share}% of previous").format(share=f"{share * 100:.1f}")
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="12">{escape(stage)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w_all}" height="{row - 6}" fill="{PALETTE[5]}"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w_now}" height="{row - 6}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w_all + 4}" y="{y + 17}" font-size="12">{escape(text)}</text>'
        )
    parts.append(tail)
    return Markup("".join(parts))
