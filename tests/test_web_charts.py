"""The overview's trend: one bar per day of the last month, empty days included."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.web import charts

TODAY = date(2026, 12, 1)


def test_the_best_day_reaches_the_top_and_empty_days_stay_at_the_bottom() -> None:
    trend = charts.daily([(date(2026, 11, 20), 5), (date(2026, 11, 30), 10)], TODAY)
    assert trend is not None
    assert (trend.first, trend.last, trend.most, trend.total) == (
        TODAY - timedelta(days=29),
        TODAY,
        10,
        15,
    )
    by_day = {bar.day: bar for bar in trend.bars}
    assert len(by_day) == charts.DAYS
    assert by_day[date(2026, 11, 30)].y == charts.PAD  # the top
    assert by_day[date(2026, 11, 20)].height * 2 == by_day[date(2026, 11, 30)].height
    assert by_day[TODAY].height == 0 and by_day[TODAY].count == 0


def test_days_before_the_month_are_left_out_and_nobody_recorded_draws_nothing() -> None:
    assert charts.daily([], TODAY) is None
    trend = charts.daily([(date(2026, 9, 1), 99), (date(2026, 11, 5), 3)], TODAY)
    assert trend is not None and trend.total == 3 and trend.most == 3


@given(
    st.lists(
        st.tuples(st.integers(0, 60), st.integers(1, 10_000)), min_size=1, unique_by=lambda x: x[0]
    )
)
def test_every_bar_stays_inside_the_chart(days: list[tuple[int, int]]) -> None:
    per_day = sorted((TODAY - timedelta(days=ago), count) for ago, count in days)
    trend = charts.daily(per_day, TODAY)
    assert trend is not None
    for bar in trend.bars:
        assert bar.x >= 0 and bar.x + bar.width <= charts.WIDTH
        assert (
            bar.y >= charts.PAD - 1e-9 and bar.y + bar.height <= charts.HEIGHT - charts.PAD + 1e-9
        )
