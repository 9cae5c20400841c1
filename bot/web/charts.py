"""Charts drawn on the server as SVG coordinates (no script, no inline style: the pages'
content policy allows neither)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import accumulate

WIDTH, HEIGHT, PAD = 600, 160, 4


@dataclass(frozen=True)
class Trend:
    points: str  # the polyline's "x,y x,y ..."
    first: date
    last: date
    most: int  # the cumulative total at the end (the top of the chart)


def cumulative(per_day: list[tuple[date, int]]) -> Trend | None:
    """The recorded total day by day, scaled into the chart; None before anyone is recorded."""
    if not per_day:
        return None
    first, last = per_day[0][0], per_day[-1][0]
    days = max((last - first).days, 1)
    totals = list(accumulate(number for _, number in per_day))
    most = max(totals[-1], 1)
    points = [
        (
            PAD + (WIDTH - 2 * PAD) * (day - first).days / days,
            HEIGHT - PAD - (HEIGHT - 2 * PAD) * total / most,
        )
        for (day, _), total in zip(per_day, totals, strict=True)
    ]
    if len(points) == 1:  # one day: a flat line across, at its height
        points.append((WIDTH - PAD, points[0][1]))
    return Trend(" ".join(f"{x:.1f},{y:.1f}" for x, y in points), first, last, totals[-1])
