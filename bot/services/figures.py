"""The office's figures: target, recorded, remaining and the answers, per kelurahan, kecamatan
or school; and how far the office reaches: families reachable on each channel, teens reached,
answered and unreached (the same teens as the unreached list, bot/services/unreached.py).

Two grouped queries, combined here: the targets counted per (kelurahan, school) from a covering
index, and the summonses counted per (kelurahan, school, state) walking the summonses and
looking each target up by its key. Joining every target to its summons instead cost a million
index searches for a million targets (3 s); this is about a third of that (docs/benchmarks.md).
Home visits are counted the same way as the summonses, from the far smaller home_visits table.
Reach walks what can carry a message (unblocked accounts, active parent links, numbers), each
target's channels gathered first and the target then looked up by its key, as the summonses are.
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

from bot.db.engine import phones_of
from bot.db.models import Region, School
from bot.domain.kinds import (
    Channel,
    HomeVisitState,
    LinkState,
    OutboxState,
    SummonsState,
    TargetReview,
)
from bot.domain.outbox_kinds import Kind


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
    answered: int  # summoned, and no longer waiting for an answer
    unreached: int  # waiting for an answer, and nothing reached the family (the unreached list)

    @property
    def reached(self) -> int:
        """Summoned teens whose family a channel reaches or reached."""
        return self.summoned - self.unreached

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
    "attended",
    "no_show",
    "unrecorded",
    "recorded",
    "telegram",
    "whatsapp",
    "sms",
    "answered",
    "unreached",
)
_WAITING = (SummonsState.SUMMONED, SummonsState.MOVED)  # as the unreached list has them
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
    "SELECT t.region_id, t.school_id, s.state, "
    "CASE WHEN t.recorded_at IS NULL THEN 1 ELSE 0 END AS open, count(*) "
    "FROM summonses s CROSS JOIN targets t "
    "WHERE t.id = s.target_id AND t.review = :accepted "
    "GROUP BY t.region_id, t.school_id, s.state, open"
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

# Who a channel reaches (bot/services/outbox.py: recipients_of_many reads the same), per area:
# the families each channel reaches, and how many of the teens waiting for an answer (not
# recorded) something reaches. A phone channel counts only where the office has it (:whatsapp
# and :sms are 1 or 0). Numbers first: each target's numbers are read in the order of their
# covering index (ix_contact_points_reach, no sort), then the target looked up by its key.
_PHONE_REACH = text(
    "SELECT t.region_id, t.school_id, sum(r.wa), sum(r.sms), "
    "sum(CASE WHEN s.state IN (:summoned, :moved) AND t.recorded_at IS NULL AND r.wa + r.sms > 0 THEN 1 ELSE 0 END) "
    "FROM (SELECT target_id, max(CASE WHEN whatsapp_consent_at IS NOT NULL "
    "AND whatsapp_user IS NOT FALSE THEN :whatsapp ELSE 0 END) AS wa, "
    "max(CASE WHEN sms_stopped_at IS NULL THEN :sms ELSE 0 END) AS sms "
    "FROM contact_points GROUP BY target_id) r "
    "CROSS JOIN targets t LEFT JOIN summonses s ON s.target_id = t.id "
    "WHERE t.id = r.target_id AND t.review = :accepted GROUP BY t.region_id, t.school_id"
)
# Then Telegram (the teen's unblocked account or an active parent link to an unblocked one):
# the families, those waiting, and those waiting whom a number reaches too (counted once).
_TELEGRAM_REACH = text(
    "SELECT t.region_id, t.school_id, count(*), "
    "sum(CASE WHEN s.state IN (:summoned, :moved) AND t.recorded_at IS NULL THEN 1 ELSE 0 END), "
    "sum(CASE WHEN s.state IN (:summoned, :moved) AND t.recorded_at IS NULL AND EXISTS (SELECT 1 FROM contact_points c "
    "WHERE c.target_id = g.target_id AND ((c.whatsapp_consent_at IS NOT NULL "
    "AND c.whatsapp_user IS NOT FALSE AND :whatsapp = 1) "
    "OR (c.sms_stopped_at IS NULL AND :sms = 1))) THEN 1 ELSE 0 END) "
    "FROM (SELECT target_id FROM accounts WHERE target_id IS NOT NULL "
    "AND unreachable_at IS NULL UNION SELECT p.target_id FROM parent_links p "
    "JOIN accounts a ON a.id = p.parent_account_id "
    "WHERE p.state = :active AND a.unreachable_at IS NULL) g "
    "CROSS JOIN targets t LEFT JOIN summonses s ON s.target_id = t.id "
    "WHERE t.id = g.target_id AND t.review = :accepted GROUP BY t.region_id, t.school_id"
)

# And the waiting teens a channel reaches whose summons (or its change) failed on every rung
# and went out nowhere: the few failed rows first (ix_outbox_state_due), each summons and
# target then by its key. The same teens as bot/services/unreached.py's UNDELIVERED.
_UNDELIVERED = text(
    "SELECT t.region_id, t.school_id, count(DISTINCT s.id) "
    "FROM outbox o CROSS JOIN summonses s CROSS JOIN targets t "
    "WHERE o.state IN (:failed, :unreachable) AND o.message_key IN (:summons, :moved_key) "
    "AND s.id = o.summons_id AND s.state IN (:summoned, :moved) "
    "AND t.id = s.target_id AND t.recorded_at IS NULL AND t.review = :accepted "
    "AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.summons_id = o.summons_id "
    "AND d.message_key IN (:summons, :moved_key) AND d.state IN (:sent, :pending, :sending)) "
    "AND (EXISTS (SELECT 1 FROM accounts a WHERE a.target_id = t.id "
    "AND a.unreachable_at IS NULL) "
    "OR EXISTS (SELECT 1 FROM parent_links p JOIN accounts pa ON pa.id = p.parent_account_id "
    "WHERE p.target_id = t.id AND p.state = :active AND pa.unreachable_at IS NULL) "
    "OR EXISTS (SELECT 1 FROM contact_points c WHERE c.target_id = t.id "
    "AND ((c.whatsapp_consent_at IS NOT NULL AND c.whatsapp_user IS NOT FALSE "
    "AND :whatsapp = 1) OR (c.sms_stopped_at IS NULL AND :sms = 1)))) "
    "GROUP BY t.region_id, t.school_id"
)


def total(lines: list[Figures]) -> Figures:
    """The office's totals: 'target 4,924, recorded 4,656, remaining 268'."""
    sums = [sum(getattr(line, name) for line in lines) for name in _NUMBERS]
    return Figures("", "", *sums)


async def _rows(sessions: Sessions, query: TextClause, **values: object) -> list[tuple[Any, ...]]:
    async with sessions() as session:
        rows = await session.execute(query, {"accepted": TargetReview.ACCEPTED.value, **values})
        return [tuple(row) for row in rows]


async def _reach(sessions: Sessions, query: TextClause) -> list[tuple[Any, ...]]:
    async with sessions() as session:
        phones = phones_of(session)
    return await _rows(
        sessions,
        query,
        summoned=SummonsState.SUMMONED.value,
        moved=SummonsState.MOVED.value,
        active=LinkState.ACTIVE.value,
        whatsapp=int(Channel.WHATSAPP.value in phones),
        sms=int(Channel.SMS.value in phones),
        failed=OutboxState.FAILED.value,
        unreachable=OutboxState.UNREACHABLE.value,
        sent=OutboxState.SENT.value,
        pending=OutboxState.PENDING.value,
        sending=OutboxState.SENDING.value,
        summons=Kind.SUMMONS.value,
        moved_key=Kind.SESSION_MOVED.value,
    )


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
    """The counts behind every report. They run at once, each in its own unit of work (on
    SQLite, reading connections work in parallel). Reach costs the most (about twice the rest
    at a million targets with numbers, docs/benchmarks.md): `reach=False` leaves it out, for a
    report that does not show it."""
    nothing: list[tuple[Any, ...]] = []

    async def counted(query: TextClause) -> list[tuple[Any, ...]]:
        return await _reach(sessions, query) if reach else nothing

    targets, summoned, phone_reach, telegram_reach, undelivered, visits = await asyncio.gather(
        _rows(sessions, _TARGETS),
        _rows(sessions, _SUMMONSES),
        counted(_PHONE_REACH),
        counted(_TELEGRAM_REACH),
        counted(_UNDELIVERED),
        _rows(sessions, _HOME_VISITS),
    )
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
        line = sums[(area, "" if collapse else parent)]
        line["target"] += int(number)
        line["recorded"] += int(recorded or 0)
        if parent:
            parents[area].add(parent)
    for region_id, school_id, state, open_, number in counts.summoned:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        line = sums[(area, "" if collapse else parent)]
        line["summoned"] += int(number)
        column = _STATE_COLUMN.get(SummonsState(state))
        if column:
            line[column] += int(number)
        if SummonsState(state) not in _WAITING:
            line["answered"] += int(number)
        elif open_ and counts.with_reach:  # waiting, not recorded: unreached unless reached
            line["unreached"] += int(number)
    for region_id, school_id, whatsapp, sms, waiting_reached in counts.phone_reach:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        line = sums[(area, "" if collapse else parent)]
        line["whatsapp"] += int(whatsapp or 0)
        line["sms"] += int(sms or 0)
        line["unreached"] -= int(waiting_reached or 0)
    for region_id, school_id, telegram, waiting, waiting_on_both in counts.telegram_reach:
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        line = sums[(area, "" if collapse else parent)]
        line["telegram"] += int(telegram or 0)
        line["unreached"] -= int(waiting or 0) - int(waiting_on_both or 0)
    for region_id, school_id, number in counts.undelivered:  # a channel, and it failed
        if (found_key := key(region_id, school_id)) is None:
            continue
        area, parent = found_key
        sums[(area, "" if collapse else parent)]["unreached"] += int(number)
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
