"""The overview's figures cache: one count for every level; a page that waits only briefly for
a count made because the figures grew old, when it has earlier ones; one count at a time; and
after a change made on the dashboard, the figures that show it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.services import figures
from bot.web.figures_cache import MAX_AGE, FiguresCache


@pytest.fixture
async def slow_counts(monkeypatch: pytest.MonkeyPatch) -> Any:
    """figures.count replaced: the n-th count says n targets; from the second on, each waits
    for the test to open the gate."""
    state: dict[str, Any] = {"counts": 0, "gate": asyncio.Event()}

    async def count(_sessions: Any) -> figures.Counts:
        state["counts"] += 1
        number = state["counts"]
        if number > 1:
            await state["gate"].wait()
        return figures.Counts(
            [(1, None, number, 0)], [], [], [], [], [], {1: ("Utara", "Mawar")}, {}
        )

    monkeypatch.setattr(figures, "count", count)
    return state


async def test_old_figures_are_shown_while_a_slow_recount_runs_once(
    sqlite_url: str, slow_counts: dict[str, Any]
) -> None:
    clock = FrozenClock(ZoneInfo("Asia/Jakarta"), datetime(2026, 12, 1, 1, tzinfo=UTC))
    db = Database(sqlite_url)
    cache = FiguresCache(db, clock, wait=0.05)
    try:
        first = await cache.report(figures.By.KECAMATAN)  # nothing earlier: waited for
        assert [(line.area, line.target) for line in first.value] == [("Utara", 1)]
        by_kelurahan = await cache.report(figures.By.KELURAHAN)  # the same count, summed again
        assert [(line.area, line.target) for line in by_kelurahan.value] == [("Mawar", 1)]
        assert slow_counts["counts"] == 1

        clock.move_to(clock.now() + MAX_AGE * 2)  # grown old: counted again in the background
        meanwhile = await cache.report(figures.By.KECAMATAN)
        assert meanwhile.value[0].target == 1 and meanwhile.at == first.at
        await cache.report(figures.By.KELURAHAN)
        assert slow_counts["counts"] == 2  # the count under way is waited for, not begun again

        slow_counts["gate"].set()
        await cache.settled()
        fresh = await cache.report(figures.By.KECAMATAN)
        assert fresh.value[0].target == 2 and slow_counts["counts"] == 2
    finally:
        await cache.close()
        await db.dispose()


async def test_after_a_change_here_pages_say_so_until_a_count_begun_after_it_lands(
    sqlite_url: str, slow_counts: dict[str, Any]
) -> None:
    """Staff who just marked a teen recorded are told the figures are being counted again (the
    page refreshes itself); a count begun before the change cannot show it, so another one
    follows it at once, and only that one's figures are fresh."""
    clock = FrozenClock(ZoneInfo("Asia/Jakarta"), datetime(2026, 12, 1, 1, tzinfo=UTC))
    db = Database(sqlite_url)
    cache = FiguresCache(db, clock, wait=0.05)
    try:
        first = await cache.report(figures.By.KECAMATAN)
        assert not cache.stale(first)
        clock.move_to(clock.now() + MAX_AGE * 2)
        assert (await cache.report(figures.By.KECAMATAN)).value[0].target == 1  # count 2 runs
        cache.invalidate()  # a teen marked recorded on the dashboard, while count 2 runs
        shown = await cache.report(figures.By.KECAMATAN)  # at once, with what there is
        assert shown.value[0].target == 1 and cache.stale(shown)
        slow_counts["gate"].set()
        await cache.settled()
        assert slow_counts["counts"] == 3  # count 3 followed count 2 by itself
        fresh = await cache.report(figures.By.KECAMATAN)
        assert fresh.value[0].target == 3 and not cache.stale(fresh)
    finally:
        await cache.close()
        await db.dispose()
