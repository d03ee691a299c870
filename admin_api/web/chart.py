"""A bar chart drawn on the server as SVG: geometry only, the template draws it.

Read without JavaScript: every bar has its day and amount in a ``<title>`` (a tooltip,
and what a screen reader says), the vertical axis has labelled amounts, the horizontal
axis labelled days; and the page lists the same figures in a table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 72, 8, 12, 28
"""Room around the plot for the axes' labels (pixels of the view box)."""
TICKS = 4
"""Lines across the plot, above the zero line, each labelled with its amount."""
DAY_LABEL_EVERY = 5


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str
    """The day and its figures, as the bar's tooltip says them."""


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class DayLabel:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    plot_right: int
    baseline: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    days: tuple[DayLabel, ...]


def _ceiling(amount: int) -> int:
    """A round top for the axis at or above ``amount``: ``TICKS`` steps of 1, 2 or 5 times
    a power of ten, so every tick is a round amount."""
    raw = max(1, -(-amount // TICKS))
    magnitude: int = 10 ** (len(str(raw)) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step * TICKS


def revenue_chart(
    days: Sequence[tuple[date, int, int]], amount_text: Callable[[int], str]
) -> BarChart:
    """Bars for ``(day, revenue, orders)``, oldest first; ``amount_text`` writes an amount."""
    top = _ceiling(max([revenue for _, revenue, _ in days] + [1]))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / max(1, len(days))
    bars: list[Bar] = []
    labels: list[DayLabel] = []
    for index, (day, revenue, orders) in enumerate(days):
        height = plot_height * max(0, revenue) / top
        x = LEFT + index * slot
        noun = "order" if orders == 1 else "orders"
        title = f"{day.isoformat()}: {amount_text(revenue)}, {orders} {noun}"
        bars.append(Bar(x + slot * 0.15, baseline - height, slot * 0.7, height, title))
        if (len(days) - 1 - index) % DAY_LABEL_EVERY == 0:
            labels.append(DayLabel(x + slot / 2, day.strftime("%b %d")))
    ticks = tuple(
        Tick(baseline - plot_height * step / TICKS, amount_text(top * step // TICKS))
        for step in range(TICKS + 1)
    )
    return BarChart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, baseline, tuple(bars), ticks, tuple(labels))
