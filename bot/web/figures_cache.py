"""The office's figures for the dashboard, counted at most once per MAX_AGE (all areas in one
pass: bot/services/figures.py), and afresh after a change made on the dashboard.

At a million targets one count takes about a second (docs/benchmarks.md, issue 15), too long
for every page a desk opens; the figures of half a minute ago are what a screen on the wall
needs, and the page says when they were counted. One count serves every level of the overview
(kecamatan, kelurahan, schools): each is summed from it in Python.

A page never waits long for a count when it has earlier figures to show: a count that is not
done within WAIT goes on in the background and the page shows the figures counted before it
(with their time); the next page after it finishes shows the new ones. After a change made on
the dashboard the page says a recount is under way and refreshes itself until it shows figures
counted after the change (the staff member who marked a teen recorded sees the overview move,
without waiting a second for it). Only the first count after a start is waited for in full (the
dashboard begins it as it starts: `warm`). One count runs at a time for each kind of figure."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.db.engine import Database
from bot.services import figures

MAX_AGE = timedelta(seconds=30)
# How long a page waits for a count under way before it shows the earlier figures instead.
WAIT = 0.15
MOST_KEPT = 512  # levels' lines kept for this many drill-downs at most
T = TypeVar("T")
Level = tuple[figures.By, tuple[str, str] | None]


@dataclass(frozen=True)
class Counted(Generic[T]):
    value: T
    at: datetime
    generation: int


class _Kept(Generic[T]):
    """One figure kept, and the count under way (at most one)."""

    def __init__(self) -> None:
        self.counted: Counted[T] | None = None
        self.counting: asyncio.Task[Counted[T]] | None = None


def _retrieved(task: asyncio.Task[object]) -> None:
    """A count nobody waited for to the end: its failure is the next page's to meet, not an
    "exception never retrieved" in the log."""
    if not task.cancelled():
        task.exception()


class FiguresCache:
    def __init__(self, db: Database, clock: Clock, *, wait: float = WAIT) -> None:
        self._db = db
        self._clock = clock
        self._wait = wait
        self._counts: _Kept[figures.Counts] = _Kept()
        self._trend: _Kept[list[tuple[date, int]]] = _Kept()
        # Each level's lines, summed once from the count they came from.
        self._lines: dict[Level, Counted[list[figures.Figures]]] = {}
        self._lines_of: dict[Level, Counted[figures.Counts]] = {}
        self._generation = 0  # figures counted before a change are not fresh after it

    async def warm(self, zone: ZoneInfo) -> None:
        """Count once now (the dashboard starting), so the first page need not wait long."""
        await asyncio.gather(self.report(figures.By.KECAMATAN), self.trend(zone))

    async def close(self) -> None:
        """Stop any count under way (the dashboard stopping, before its database closes)."""
        for kept in (self._counts, self._trend):
            task = kept.counting
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def settled(self) -> None:
        """Until no count is under way (tests; nothing waits for this in a page)."""
        for kept in (self._counts, self._trend):
            while (task := kept.counting) is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(task)
                if kept.counting is task:  # failed before it could clear itself
                    break

    def invalidate(self) -> None:
        """Something changed here: the next page counts afresh."""
        self._generation += 1

    def _fresh(self, counted: Counted[T] | None) -> bool:
        return (
            counted is not None
            and counted.generation == self._generation
            and counted.at + MAX_AGE >= self._clock.now()
        )

    async def _get(self, kept: _Kept[T], count: Callable[[], Awaitable[T]]) -> Counted[T]:
        if self._fresh(kept.counted):
            assert kept.counted is not None
            return kept.counted
        task = kept.counting
        if task is None:
            task = self._start(kept, count)
        earlier = kept.counted
        if earlier is None:  # nothing to show yet (just started): this one is waited for
            return await asyncio.shield(task)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._wait)
        except TimeoutError:
            return earlier

    def _start(self, kept: _Kept[T], count: Callable[[], Awaitable[T]]) -> asyncio.Task[Counted[T]]:
        task = kept.counting = asyncio.create_task(self._count(kept, count, self._generation))
        task.add_done_callback(_retrieved)
        return task

    async def _count(
        self, kept: _Kept[T], count: Callable[[], Awaitable[T]], generation: int
    ) -> Counted[T]:
        at = self._clock.now()  # the figures are as of the count's start
        try:
            counted = Counted(await count(), at, generation)
        finally:
            kept.counting = None
        kept.counted = counted  # kept even when a change came meanwhile: the latest there is
        if generation != self._generation:
            # A change was made while this count ran: it cannot show it, so the next one
            # starts now, and the pages showing these figures keep refreshing until it lands.
            self._start(kept, count)
        return counted

    def stale(self, counted: Counted[Any]) -> bool:
        """Whether these figures were counted before the latest change made on the dashboard
        (the page then says a recount is under way and refreshes itself)."""
        return counted.generation != self._generation

    async def report(
        self, by: figures.By, *, in_kelurahan: tuple[str, str] | None = None
    ) -> Counted[list[figures.Figures]]:
        counted = await self._get(self._counts, lambda: figures.count(self._db.reading))
        key = (by, in_kelurahan)
        if self._lines_of.get(key) is not counted:
            if key not in self._lines and len(self._lines) >= MOST_KEPT:
                self._lines.clear()  # typed addresses must not grow this without end
                self._lines_of.clear()
            lines = figures.lines(counted.value, by, in_kelurahan=in_kelurahan)
            self._lines[key] = Counted(lines, counted.at, counted.generation)
            self._lines_of[key] = counted
        return self._lines[key]

    async def trend(self, zone: ZoneInfo) -> Counted[list[tuple[date, int]]]:
        return await self._get(
            self._trend, lambda: figures.recorded_per_day(self._db.reading, zone)
        )
