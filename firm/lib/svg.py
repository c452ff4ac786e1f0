"""Bar charts as SVG written on the server: they need no script, print as they are shown,
and pass the Content-Security-Policy (no style attributes: the look comes from classes in
static/css/app.css; presentation attributes such as x, y, width and height are geometry).

Every chart is an image with a title (``role="img"``, ``aria-label`` and ``<title>``);
the page shows the same numbers as text beside it. Labels are escaped here.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (>= 0, None for no data) and the text written on it."""

    label: str
    value: float | None
    text: str = ""


def _number(value: float) -> str:
    """A coordinate with at most one decimal, as SVG wants it (a dot, never a comma)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _scale(bars: Sequence[Bar], maximum: float | None) -> float:
    top = max([bar.value for bar in bars if bar.value is not None] + [maximum or 0])
    return top or 1


def _open(kind: str, title: str, width: int, height: int) -> list[str]:
    title = escape(title)
    return [
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-label="{title}" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="xMidYMid meet"><title>{title}</title>'
    ]


def column_chart(
    bars: Sequence[Bar], *, title: str, maximum: float | None = None, height: int = 160
) -> SafeString:
    """Vertical bars side by side (months left to right), the text above each bar and the
    label below; scaled to ``maximum`` (100 for percentages) or the largest value."""
    slot, top_room, bottom_room = 48, 18, 20
    width = slot * max(len(bars), 1)
    plot = height - top_room - bottom_room
    scale = _scale(bars, maximum)
    parts = _open("columns", title, width, height)
    parts.append(
        f'<line class="axis" x1="0" y1="{top_room + plot}" x2="{width}" y2="{top_room + plot}"/>'
    )
    for index, bar in enumerate(bars):
        x = index * slot
        middle = _number(x + slot / 2)
        if bar.value is not None:
            bar_height = plot * bar.value / scale
            y = top_room + plot - bar_height
            parts.append(
                f'<rect class="bar" x="{_number(x + 8)}" y="{_number(y)}" width="{slot - 16}" '
                f'height="{_number(bar_height)}"/>'
            )
            if bar.text:
                parts.append(
                    f'<text class="value" x="{middle}" y="{_number(y - 4)}" '
                    f'text-anchor="middle">{escape(bar.text)}</text>'
                )
        parts.append(
            f'<text class="label" x="{middle}" y="{height - 5}" '
            f'text-anchor="middle">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    bars: Sequence[Bar], *, title: str, maximum: float | None = None, width: int = 480
) -> SafeString:
    """Horizontal bars one under the other (a ranking), the label above each bar and the
    text at its end; scaled to ``maximum`` or the largest value."""
    row, label_room, text_room = 34, 14, 90
    height = row * max(len(bars), 1)
    plot = width - text_room
    scale = _scale(bars, maximum)
    parts = _open("bars", title, width, height)
    for index, bar in enumerate(bars):
        y = index * row
        parts.append(
            f'<text class="label" x="0" y="{y + label_room - 2}">{escape(bar.label)}</text>'
        )
        bar_width = plot * (bar.value or 0) / scale
        parts.append(
            f'<rect class="bar" x="0" y="{y + label_room}" width="{_number(bar_width)}" '
            f'height="{row - label_room - 6}"/>'
        )
        if bar.text:
            parts.append(
                f'<text class="value" x="{_number(bar_width + 4)}" y="{y + row - 9}">'
                f"{escape(bar.text)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
