"""The office's figures for the dashboard, counted at most once per MAX_AGE (all areas in one
pass: bot/services/figures.py), and afresh after a change made on the dashboard.

At a million targets one report takes about a second, too long for every page a desk opens;
the figures of half a minute ago are what a screen on the wall needs, and the page says when
they were counted."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.engine import Database
from bot.services import figures

MAX_AGE = timedelta(seconds=30)
MOST_KEPT = 512  # figures kept for this many drill-downs at most
T = TypeVar("T")


@dataclass(frozen=True)
class Counted(Generic[T]):
    value: T
    at: datetime
    generation: int


class _Kept(Generic[T]):
    """One figure kept: counted by one request at a time while the others wait for it."""

    def __init__(self) -> None:
        self.counted: Counted[T] | None = None
        self.lock = asyncio.Lock()


class FiguresCache:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._reports: dict[
            tuple[figures.By, tuple[str, str] | None], _Kept[list[figures.Figures]]
        ] = {}
        self._trend: _Kept[list[tuple[date, int]]] = _Kept()
        self._generation = 0  # a count begun before a change is not kept after it

    def invalidate(self) -> None:
        """Something changed here: the next page counts afresh."""
        self._generation += 1

    async def _get(self, kept: _Kept[T], count: Callable[[], Awaitable[T]]) -> Counted[T]:
        async with kept.lock:
            now = self._clock.now()
            counted = kept.counted
            if (
                counted is None
                or counted.generation != self._generation
                or counted.at + MAX_AGE < now
            ):
                generation = self._generation
                counted = Counted(await count(), now, generation)
                kept.counted = counted
            return counted

    async def report(
        self, by: figures.By, *, in_kelurahan: tuple[str, str] | None = None
    ) -> Counted[list[figures.Figures]]:
        if (by, in_kelurahan) not in self._reports and len(self._reports) >= MOST_KEPT:
            self._reports.clear()  # typed addresses must not grow this without end
        kept = self._reports.setdefault((by, in_kelurahan), _Kept())
        return await self._get(
            kept, lambda: figures.report(self._db.reading, by, in_kelurahan=in_kelurahan)
        )

    async def trend(self, zone: ZoneInfo) -> Counted[list[tuple[date, int]]]:
        return await self._get(
            self._trend, lambda: figures.recorded_per_day(self._db.reading, zone)
        )
