"""Horizontal SVG bars for the Party page, in the shape templates/web/_chart.html draws (no script, no inline style)."""
from __future__ import annotations

from dataclasses import dataclass

ROW_HEIGHT = 38
CHART_WIDTH = 320
BAR_AREA = 230  # the longest bar; the rest of the width is for its value


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float
    label_y: int
    value_x: float
    value_y: int
    href: str = ""


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    unit: str = "tCO2e"
    width: int = CHART_WIDTH


def bar_chart(items: list[tuple[str, int]]) -> Chart:
    top = max((abs(value) for _label, value in items), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(items):
        width = max(round(BAR_AREA * abs(value) / top, 2), 1)
        y = i * ROW_HEIGHT
        bars.append(Bar(label=label, value=value, y=y + 16, width=width, label_y=y + 12, value_x=round(width + 5, 2),
                        value_y=y + 28))
    return Chart(bars=bars if any(value for _label, value in items) else [], height=max(1, len(bars)) * ROW_HEIGHT)
