"""Charts drawn on the server as SVG coordinates (no script, no inline style: the pages'
content policy allows neither)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT, PAD = 600, 120, 2
DAYS = 30  # the trend shows the last month of recording


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int


@dataclass(frozen=True)
class Trend:
    bars: list[Bar]
    first: date
    last: date
    most: int  # the best day's count (the top of the chart)
    total: int  # recorded in these days


def daily(per_day: list[tuple[date, int]], today: date) -> Trend | None:
    """One bar per day for the last DAYS days up to today (days without a recording too);
    None before anyone is recorded."""
    if not per_day:
        return None
    last = max(today, per_day[-1][0])
    first = last - timedelta(days=DAYS - 1)
    counts = {day: number for day, number in per_day if day >= first}
    most = max(counts.values(), default=0)
    slot = (WIDTH - 2 * PAD) / DAYS
    bars = []
    for index in range(DAYS):
        day = first + timedelta(days=index)
        count = counts.get(day, 0)
        height = (HEIGHT - 2 * PAD) * count / most if most else 0.0
        bars.append(
            Bar(PAD + index * slot + 1, HEIGHT - PAD - height, slot - 2, height, day, count)
        )
    return Trend(bars, first, last, most, sum(counts.values()))
