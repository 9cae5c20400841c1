"""The office's figures: target, recorded, remaining and the answers, per kelurahan, kecamatan
or school.

Two grouped queries, combined here: the targets counted per (kelurahan, school) from a covering
index, and the summonses counted per (kelurahan, school, state) walking the summonses and
looking each target up by its key. Joining every target to its summons instead cost a million
index searches for a million targets (3 s); this is about a third of that (docs/benchmarks.md).
Home visits are counted the same way as the summonses, from the far smaller home_visits table.
"""

from __future__ import annotations

import asyncio
import enum
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import TextClause, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Region, School
from bot.domain.kinds import HomeVisitState, SummonsState, TargetReview


class By(enum.StrEnum):
    KELURAHAN = "kelurahan"
    KECAMATAN = "kecamatan"
    SCHOOL = "school"


@dataclass(frozen=True)
class Figures:
    """One line of the report (or the total, with an empty `area`)."""

    area: str
    parent_area: str
    target: int
    summoned: int
    confirmed: int
    declined: int
    moved: int
    home_visit: int
    visits_requested: int  # ever asked for a home visit (a row in home_visits)
    visits_scheduled: int  # a visit is planned
    visits_done: int  # recorded at home
    unreachable: int
    attended: int
    no_show: int
    unrecorded: int  # came to the desk, not recorded there
    recorded: int

    @property
    def remaining(self) -> int:
        return self.target - self.recorded

    @property
    def percent(self) -> float:
        return 100.0 * self.recorded / self.target if self.target else 0.0


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
_NUMBERS = (
    "target",
    "summoned",
    "confirmed",
    "declined",
    "moved",
    "home_visit",
    "visits_requested",
    "visits_scheduled",
    "visits_done",
    "unreachable",
    "attended",
    "no_show",
    "unrecorded",
    "recorded",
)
_STATE_COLUMN = {
    SummonsState.CONFIRMED: "confirmed",
    SummonsState.DECLINED: "declined",
    SummonsState.MOVED: "moved",
    SummonsState.HOME_VISIT: "home_visit",
    SummonsState.ATTENDED: "attended",
    SummonsState.NO_SHOW: "no_show",
    SummonsState.UNRECORDED: "unrecorded",
}
# Plain SQL both backends read the same way. The CROSS JOIN makes SQLite walk the summonses and
# look up each target, not the other way round; PostgreSQL plans it as the join it is.
_TARGETS = text(
    "SELECT region_id, school_id, count(*), "
    "sum(CASE WHEN recorded_at IS NOT NULL THEN 1 ELSE 0 END) "
    "FROM targets WHERE review = :accepted GROUP BY region_id, school_id"
)
_SUMMONSES = text(
    "SELECT t.region_id, t.school_id, s.state, count(*) "
    "FROM summonses s CROSS JOIN targets t "
    "WHERE t.id = s.target_id AND t.review = :accepted "
    "GROUP BY t.region_id, t.school_id, s.state"
)
_HOME_VISITS = text(
    "SELECT t.region_id, t.school_id, h.state, count(*) "
    "FROM home_visits h CROSS JOIN targets t "
    "WHERE t.id = h.target_id AND t.review = :accepted "
    "GROUP BY t.region_id, t.school_id, h.state"
)
_VISIT_COLUMN = {
    HomeVisitState.SCHEDULED: "visits_scheduled",
    HomeVisitState.DONE: "visits_done",
}

# Teens not yet recorded whose own account has blocked the bot (403): nobody reaches them in
# Telegram, whatever their summons says; staff should call on them another way.
_UNREACHABLE = text(
    "SELECT t.region_id, t.school_id, count(*) "
    "FROM accounts a JOIN targets t ON t.id = a.target_id "
    "WHERE a.unreachable_at IS NOT NULL AND t.review = :accepted AND t.recorded_at IS NULL "
    "GROUP BY t.region_id, t.school_id"
)


def total(lines: list[Figures]) -> Figures:
    """The office's totals: 'target 4,924, recorded 4,656, remaining 268'."""
    sums = [sum(getattr(line, name) for line in lines) for name in _NUMBERS]
    return Figures("", "", *sums)


async def _rows(sessions: Sessions, query: TextClause) -> list[tuple[Any, ...]]:
    async with sessions() as session:
        rows = await session.execute(query, {"accepted": TargetReview.ACCEPTED.value})
        return [tuple(row) for row in rows]


@dataclass(frozen=True)
class Counts:
    """Everything the report is made of, counted per (kelurahan, school) in one pass: any
    grouping (kecamatan, kelurahan, school) is then summed from it without the database."""

    targets: list[tuple[Any, ...]]
    summoned: list[tuple[Any, ...]]
    unreachable: list[tuple[Any, ...]]
    visits: list[tuple[Any, ...]]
    regions: dict[int, tuple[str, str]]
    schools: dict[int, str]


async def count(sessions: Sessions) -> Counts:
    """The counts behind every report. They run at once, each in its own unit of work (on
    SQLite, reading connections work in parallel)."""
    targets, summoned, unreachable, visits = await asyncio.gather(
        _rows(sessions, _TARGETS),
        _rows(sessions, _SUMMONSES),
        _rows(sessions, _UNREACHABLE),
        _rows(sessions, _HOME_VISITS),
    )
    async with sessions() as session:
        found = await session.execute(select(Region.id, Region.kecamatan, Region.kelurahan))
        regions = {i: (kecamatan, kelurahan) for i, kecamatan, kelurahan in found}
        schools = {i: name for i, name in await session.execute(select(School.id, School.name))}
    return Counts(targets, summoned, unreachable, visits, regions, schools)


async def report(
    sessions: Sessions, by: By, *, in_kelurahan: tuple[str, str] | None = None
) -> list[Figures]:
    """Figures per area, biggest remaining first (`lines` of a fresh `count`)."""
    return lines(await count(sessions), by, in_kelurahan=in_kelurahan)


def lines(counts: Counts, by: By, *, in_kelurahan: tuple[str, str] | None = None) -> list[Figures]:
    """Figures per area, biggest remaining first; targets without an area under ''.
    By school, a school is one line under its (first) kecamatan; with `in_kelurahan`
    (kecamatan, kelurahan) only the targets living there count, each school a line under that
    kelurahan (the dashboard's drill-down: two kecamatan may each have a kelurahan of the same
    name)."""
    collapse = by == By.SCHOOL and in_kelurahan is None
    regions, schools = counts.regions, counts.schools

    def key(region_id: int | None, school_id: int | None) -> tuple[str, str] | None:
        kecamatan, kelurahan = regions.get(region_id, ("", "")) if region_id else ("", "")
        if in_kelurahan is not None and (kecamatan, kelurahan) != in_kelurahan:
            return None
        if by == By.SCHOOL:
            school = schools.get(school_id, "") if school_id is not None else ""
            return school, kelurahan if in_kelurahan is not None else kecamatan
        if by == By.KECAMATAN:
            return kecamatan, ""
        return kelurahan, kecamatan

    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(_NUMBERS, 0))
    parents: dict[str, set[str]] = defaultdict(set)
    for region_id, school_id, number, recorded in counts.targets:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        line = sums[(area, "" if collapse else parent)]
        line["target"] += int(number)
        line["recorded"] += int(recorded or 0)
        if parent:
            parents[area].add(parent)
    for region_id, school_id, state, number in counts.summoned:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        line = sums[(area, "" if collapse else parent)]
        line["summoned"] += int(number)
        column = _STATE_COLUMN.get(SummonsState(state))
        if column:
            line[column] += int(number)
    for region_id, school_id, number in counts.unreachable:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        sums[(area, "" if collapse else parent)]["unreachable"] += int(number)
    for region_id, school_id, state, number in counts.visits:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        line = sums[(area, "" if collapse else parent)]
        line["visits_requested"] += int(number)
        visit_column = _VISIT_COLUMN.get(HomeVisitState(state))
        if visit_column:
            line[visit_column] += int(number)
    found = [
        Figures(
            area,
            min(parents[area], default="") if collapse else parent,
            *(numbers[name] for name in _NUMBERS),
        )
        for (area, parent), numbers in sums.items()
    ]
    return sorted(found, key=lambda f: (-f.remaining, f.parent_area, f.area))


async def recorded_per_day(sessions: Sessions, zone: ZoneInfo) -> list[tuple[date, int]]:
    """How many accepted targets were recorded on each day (the office's calendar), oldest
    first: the trend under the dashboard's overview."""
    async with sessions() as session:
        if (await session.connection()).dialect.name == "postgresql":
            day = f"(recorded_at AT TIME ZONE '{zone.key}')::date"
        else:  # Indonesia's zones keep one offset all year (no daylight saving)
            offset = zone.utcoffset(datetime(2026, 1, 1))
            minutes = int(offset.total_seconds() // 60) if offset else 0
            day = f"date(recorded_at, '{minutes:+d} minutes')"
        rows = await session.execute(
            text(
                f"SELECT {day} AS day, count(*) FROM targets "  # noqa: S608 (no user input)
                "WHERE recorded_at IS NOT NULL AND review = :accepted GROUP BY day ORDER BY day"
            ),
            {"accepted": TargetReview.ACCEPTED.value},
        )
        return [(_as_date(found), int(number)) for found, number in rows]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
