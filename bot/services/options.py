"""Sessions a teen may be sent to: /ganti, the no-show and cancellation notices, and the check
when they choose one. Closed venues are only their own people's (bot/domain/venues.py); a
session must offer recording on a day the teen is 16. The teen's own area comes first: their
school's or institution's visit, their kelurahan, their kecamatan, then the rest of the city,
soonest first within each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Place, Region, School, ServiceSession, Target
from bot.domain import venues
from bot.domain.kinds import PlaceKind, SessionState


@dataclass(frozen=True)
class SessionOption:
    id: int
    starts_at: datetime
    ends_at: datetime
    place: str
    free: int


@dataclass(frozen=True)
class Person:
    """A target as the venue and age rules see them."""

    born: date
    region_id: int | None
    kecamatan: str | None
    keys: venues.Keys


async def person(session: AsyncSession, target_id: int) -> Person | None:
    row = (
        await session.execute(
            select(
                Target.birth_date,
                Target.region_id,
                Region.kecamatan,
                Target.school_id,
                Target.institution,
            )
            .outerjoin(Region, Region.id == Target.region_id)
            .where(Target.id == target_id)
        )
    ).first()
    if row is None:
        return None
    born, region_id, kecamatan, school_id, institution = row
    return Person(born, region_id, kecamatan, venues.person_keys(school_id, institution))


def _rank(who: Person, closed: bool, region_id: int | None, kecamatan: str | None) -> int:
    if closed:
        return 0  # their own school's, pesantren's or prison's visit
    if who.region_id is not None and region_id == who.region_id:
        return 1
    if who.kecamatan is not None and kecamatan == who.kecamatan:
        return 2
    return 3


async def move_options(
    session: AsyncSession,
    *,
    exclude: int,
    now: datetime,
    deadline: datetime,
    target_id: int | None = None,
    zone: tzinfo = UTC,
    limit: int = 8,
) -> list[SessionOption]:
    """Open sessions with a free seat, from now until election eve, that `target_id` may come
    to (the `limit` chosen own area first, soonest first within each, and listed by date);
    without a target, the sessions anyone may come to, soonest first. `zone`: the office's, whose date the age is checked on."""
    who = await person(session, target_id) if target_id is not None else None
    rows = await session.execute(
        select(
            ServiceSession,
            Place.name,
            Place.kind,
            Place.school_id,
            Place.region_id,
            Region.kecamatan,
            School.name,
        )
        .join(Place, Place.id == ServiceSession.place_id)
        .outerjoin(Region, Region.id == Place.region_id)
        .outerjoin(School, School.id == Place.school_id)
        .where(
            ServiceSession.state == SessionState.OPEN,
            ServiceSession.starts_at > now,
            ServiceSession.starts_at < deadline,
            ServiceSession.booked < ServiceSession.capacity,
            ServiceSession.id != exclude,
            Place.kind != PlaceKind.HOME,
        )
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    )
    found: list[tuple[int, SessionOption]] = []
    for s, place, kind, school_id, region_id, kecamatan, school in rows:
        closed = venues.venue_keys(kind, school_id, place, school)
        services = tuple(s.services or ())
        if who is None:
            if closed is not None or venues.RECORD not in services:
                continue
            rank = 0
        else:
            day = s.starts_at.astimezone(zone).date()
            if not venues.admits(closed, who.keys) or not venues.may_record_at(
                who.born, day, services
            ):
                continue
            rank = _rank(who, closed is not None, region_id, kecamatan)
        option = SessionOption(s.id, s.starts_at, s.ends_at, place, s.capacity - s.booked)
        found.append((rank, option))
    found.sort(key=lambda pair: pair[0])  # stable: soonest first within each rank
    # Own area first decides which are offered; a person reads them in the calendar's order
    # (Wednesday the 9th is not listed before Sunday the 6th).
    chosen = sorted(found[:limit], key=lambda pair: (pair[1].starts_at, pair[0]))
    return [option for _, option in chosen]


async def may_choose(
    session: AsyncSession, target_id: int, session_id: int, *, zone: tzinfo = UTC
) -> bool:
    """Whether the teen may be moved to this session at all (a forged button must not reach a
    closed venue or a session they are too young for)."""
    who = await person(session, target_id)
    row = (
        await session.execute(
            select(ServiceSession.starts_at, ServiceSession.services, Place.kind)
            .add_columns(Place.school_id, Place.name, School.name)
            .join(Place, Place.id == ServiceSession.place_id)
            .outerjoin(School, School.id == Place.school_id)
            .where(ServiceSession.id == session_id)
        )
    ).first()
    if who is None or row is None:
        return False
    starts_at, services, kind, school_id, place, school = row
    day = starts_at.astimezone(zone).date()
    closed = venues.venue_keys(kind, school_id, place, school)
    return venues.admits(closed, who.keys) and venues.may_record_at(
        who.born, day, tuple(services or ())
    )
