"""The office's figures: target, recorded, remaining and the answers, per kelurahan, kecamatan
or school; and how far the office reaches: families each channel can reach, the teens holding an
answer, those still waiting for one, and of these the unreached (the same teens as the unreached
list, bot/services/unreached.py).

The counts are grouped SQL per (kelurahan, school) (bot/services/figure_counts.py), combined here
into any level (kecamatan, kelurahan, school) without the database.
"""

from __future__ import annotations

import asyncio
import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bot.db.models import Region, School
from bot.domain.kinds import HomeVisitState, SummonsState, TargetReview
from bot.services import figure_counts
from bot.services.summonses import ANSWERS
from bot.services.unreached import WAITING


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
    attended: int
    no_show: int
    unrecorded: int  # came to the desk, not recorded there
    recorded: int
    # Families a channel can carry a message to (the teen's or a linked parent's Telegram, a
    # number with WhatsApp consent, a number that did not stop SMS): one teen may be in several.
    telegram: int
    whatsapp: int
    sms: int
    answered: int  # holding an answer: will come, cannot come, or a home visit
    waiting: int  # called, not recorded, and no answer yet (summoned or moved)
    unreached: int  # of those waiting, the ones nothing reaches (the unreached list)

    @property
    def remaining(self) -> int:
        return self.target - self.recorded

    @property
    def percent(self) -> float:
        return 100.0 * self.recorded / self.target if self.target else 0.0


Sessions = figure_counts.Sessions
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
    "attended",
    "no_show",
    "unrecorded",
    "recorded",
    "telegram",
    "whatsapp",
    "sms",
    "answered",
    "waiting",
    "unreached",
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
_VISIT_COLUMN = {
    HomeVisitState.SCHEDULED: "visits_scheduled",
    HomeVisitState.DONE: "visits_done",
}


def total(lines: list[Figures]) -> Figures:
    """The office's totals: 'target 4,924, recorded 4,656, remaining 268'."""
    sums = [sum(getattr(line, name) for line in lines) for name in _NUMBERS]
    return Figures("", "", *sums)


@dataclass(frozen=True)
class Counts:
    """Everything the report is made of, counted per (kelurahan, school) in one pass: any
    grouping (kecamatan, kelurahan, school) is then summed from it without the database."""

    targets: list[tuple[Any, ...]]
    summoned: list[tuple[Any, ...]]
    phone_reach: list[tuple[Any, ...]]
    telegram_reach: list[tuple[Any, ...]]
    undelivered: list[tuple[Any, ...]]
    visits: list[tuple[Any, ...]]
    regions: dict[int, tuple[str, str]]
    schools: dict[int, str]
    with_reach: bool = True  # False: reach not counted, its figures (and `unreached`) are 0


async def count(sessions: Sessions, *, reach: bool = True) -> Counts:
    """The counts behind every report: the targets, the home visits, and the summonses with who
    is reached at one instant, each in its own unit of work, at once (on SQLite, reading
    connections work in parallel). Reach costs the most (about twice the rest at a million
    targets with numbers, docs/benchmarks.md): `reach=False` leaves it out, for a report that
    does not show it."""
    targets, answers, visits = await asyncio.gather(
        figure_counts.rows(sessions, figure_counts.TARGETS),
        figure_counts.answers_and_reach(sessions, reach),
        figure_counts.rows(sessions, figure_counts.HOME_VISITS),
    )
    summoned, phone_reach, telegram_reach, undelivered = answers
    async with sessions() as session:
        found = await session.execute(select(Region.id, Region.kecamatan, Region.kelurahan))
        regions = {i: (kecamatan, kelurahan) for i, kecamatan, kelurahan in found}
        schools = {i: name for i, name in await session.execute(select(School.id, School.name))}
    return Counts(
        targets,
        summoned,
        phone_reach,
        telegram_reach,
        undelivered,
        visits,
        regions,
        schools,
        with_reach=reach,
    )


async def report(
    sessions: Sessions,
    by: By,
    *,
    in_kelurahan: tuple[str, str] | None = None,
    reach: bool = True,
) -> list[Figures]:
    """Figures per area, biggest remaining first (`lines` of a fresh `count`)."""
    return lines(await count(sessions, reach=reach), by, in_kelurahan=in_kelurahan)


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
        targets = sums[(area, "" if collapse else parent)]
        targets["target"] += int(number)
        targets["recorded"] += int(recorded or 0)
        if parent:
            parents[area].add(parent)

    def line_of(region_id: Any, school_id: Any) -> dict[str, int] | None:
        """The sums of the line a count's (kelurahan, school) belongs to; None: not shown."""
        found_key = key(region_id, school_id)
        if found_key is None:
            return None
        area, parent = found_key
        return sums[(area, "" if collapse else parent)]

    for region_id, school_id, state, open_, number in counts.summoned:
        if (line := line_of(region_id, school_id)) is None:
            continue
        line["summoned"] += int(number)
        column = _STATE_COLUMN.get(SummonsState(state))
        if column:
            line[column] += int(number)
        if SummonsState(state) in ANSWERS:
            line["answered"] += int(number)
        elif SummonsState(state) in WAITING and open_:
            line["waiting"] += int(number)
            if counts.with_reach:  # unreached, unless the reach below finds them reached
                line["unreached"] += int(number)
    for region_id, school_id, whatsapp, sms, waiting_reached in counts.phone_reach:
        if (line := line_of(region_id, school_id)) is None:
            continue
        line["whatsapp"] += int(whatsapp or 0)
        line["sms"] += int(sms or 0)
        line["unreached"] -= int(waiting_reached or 0)
    for region_id, school_id, telegram, waiting, waiting_on_both in counts.telegram_reach:
        if (line := line_of(region_id, school_id)) is None:
            continue
        line["telegram"] += int(telegram or 0)
        line["unreached"] -= int(waiting or 0) - int(waiting_on_both or 0)
    for region_id, school_id, number in counts.undelivered:  # a channel, and it failed
        if (line := line_of(region_id, school_id)) is not None:
            line["unreached"] += int(number)
    for region_id, school_id, state, number in counts.visits:
        if (line := line_of(region_id, school_id)) is None:
            continue
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
