"""The overview's figures cache: one count for every level, a page that waits only briefly for
a slow count when it has earlier figures, one count at a time, fresh figures after a change."""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock
from bot.db.engine import Database
from bot.services import figures
from bot.web.figures_cache import FiguresCache


async def test_a_slow_count_shows_the_earlier_figures_and_runs_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = 0
    gate = asyncio.Event()

    async def count(_sessions: Any) -> figures.Counts:
        nonlocal counts
        counts += 1
        number = counts
        if number > 1:
            await gate.wait()  # the second count takes as long as the test says
        regions = {1: ("Utara", "Mawar")}
        return figures.Counts([(1, None, number, 0)], [], [], [], regions, {})

    monkeypatch.setattr(figures, "count", count)
    db = Database(sqlite_url)
    cache = FiguresCache(db, Clock(ZoneInfo("Asia/Jakarta")), wait=0.05)
    try:
        first = await cache.report(figures.By.KECAMATAN)  # nothing earlier: waited for
        assert [(line.area, line.target) for line in first.value] == [("Utara", 1)]
        by_kelurahan = await cache.report(figures.By.KELURAHAN)  # the same count, summed again
        assert [(line.area, line.target) for line in by_kelurahan.value] == [("Mawar", 1)]
        assert counts == 1

        cache.invalidate()
        meanwhile = await cache.report(figures.By.KECAMATAN)
        assert meanwhile.value[0].target == 1 and meanwhile.at == first.at
        await cache.report(figures.By.KELURAHAN)
        assert counts == 2  # the count under way is waited for, not begun again

        gate.set()
        for _ in range(20):
            await asyncio.sleep(0.01)
            fresh = await cache.report(figures.By.KECAMATAN)
            if fresh.value[0].target == 2:
                break
        assert fresh.value[0].target == 2
        assert counts == 2
    finally:
        await cache.close()
        await db.dispose()
