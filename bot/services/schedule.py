"""Staff changing a session: moved to another day or hours, or cancelled. Everyone summoned to
it is told in their own language; reminders follow the new time; after a cancellation each is
offered the sessions still ahead (or waits for a freed place when there is none)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Place, ServiceSession, Summons
from bot.domain import summons_rules
from bot.domain.kinds import Actor, Channel, PlaceKind, SessionState
from bot.domain.outbox_kinds import SUMMONS_GROUPS, Kind
from bot.domain.summons_rules import EXPECTED, hours_problem
from bot.services import events, notices, outbox, summonses, waiting
from bot.services.outbox import Message, Reach


class Change(enum.StrEnum):
    DONE = "done"
    GONE = "gone"  # no such session, or already cancelled
    PAST = "past"  # starts now or before
    AFTER_ELECTION = "after_election"  # starts on election day or later
    ENDS_FIRST = "ends_first"  # ends before (or as) it starts
    NO_SEATS = "no_seats"  # no seat at all
    TOO_MANY_SEATS = "too_many_seats"  # more than MOST_SEATS: a typo, not a venue
    FEWER = "fewer"  # a capacity below the teens already called


MOST_SEATS = 100_000


def check_seats(capacity: int) -> Change | None:
    """Why a session cannot have this many seats, if it cannot (`create` and `enlarge` apply
    it; a front end may ask it before its confirm question)."""
    if capacity <= 0:
        return Change.NO_SEATS
    if capacity > MOST_SEATS:
        return Change.TOO_MANY_SEATS
    return None


def check_hours(
    starts_at: datetime, ends_at: datetime, *, now: datetime, deadline: datetime
) -> Change | None:
    """Why a session cannot be held at these hours, if it cannot (summons_rules.hours_problem).
    `create` and `move` apply it; a front end may ask it first, before it asks staff to
    confirm."""
    problem = hours_problem(starts_at, ends_at, now=now, deadline=deadline)
    return None if problem is None else Change(problem.value)


async def _changeable(session: AsyncSession, session_id: int) -> ServiceSession | None:
    """The open session staff may move, cancel or enlarge, locked; None for a home visit (its
    visit is moved or ended from the home-visit queue, which keeps the request in step)."""
    found = await session.get(ServiceSession, session_id, with_for_update=True)
    if found is None or found.state != SessionState.OPEN:
        return None
    place = await session.get(Place, found.place_id)
    return None if place is not None and place.kind == PlaceKind.HOME else found


async def _affected(session: AsyncSession, session_id: int) -> list[Summons]:
    rows = await session.execute(
        select(Summons)
        .where(Summons.session_id == session_id, Summons.state.in_(EXPECTED))
        .order_by(Summons.id)
        .with_for_update()
    )
    return list(rows.scalars())


async def affected_count(session: AsyncSession, session_id: int) -> int:
    """How many teens a change to this session concerns."""
    return len(await _affected(session, session_id))


async def preview(session: AsyncSession, session_id: int) -> Reach:
    """Who a move or a cancellation of this session would tell, asked before it is made."""
    target_ids = [s.target_id for s in await _affected(session, session_id)]
    people = await outbox.recipients_of_many(session, target_ids)
    reach = Reach()
    for target_id in target_ids:
        reach = reach.plus(people.get(target_id, []))
    return reach


async def move(
    session: AsyncSession,
    session_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    deadline: datetime,
    policy: notices.Policy,
    by: int | str,
    place_id: int | None = None,
    channel: Channel = Channel.TELEGRAM,
) -> tuple[Change, Reach]:
    """Give the session new hours (and, from a sessions file, maybe a new place); every teen
    expected there hears of it, with new reminders. Who was told (nobody, for a teen with
    neither Telegram nor a linked parent)."""
    target = await _changeable(session, session_id)
    if target is None:
        return Change.GONE, Reach()
    if (refused := check_hours(starts_at, ends_at, now=now, deadline=deadline)) is not None:
        return refused, Reach()
    old = target.starts_at
    target.starts_at, target.ends_at = starts_at, ends_at
    if place_id is not None:
        target.place_id = place_id
    affected = await _affected(session, session_id)
    reach = Reach()
    for summons in affected:
        summons.revision += 1  # the buttons of the old time no longer apply
        await outbox.cancel(session, summons_id=summons.id, groups=SUMMONS_GROUPS)
        told = await notices.summoned(
            session,
            summons_id=summons.id,
            target_id=summons.target_id,
            session_id=session_id,
            starts_at=starts_at,
            policy=policy,
            now=now,
            changed=True,
        )
        reach = reach.plus(told)
    events.record(
        session,
        "session_moved",
        actor=Actor.STAFF,
        channel=channel,
        session_id=session_id,
        old=old.isoformat(),
        new=starts_at.isoformat(),
        affected=len(affected),
        untold=reach.untold,
        by=by,
    )
    return Change.DONE, reach


async def cancel(
    session: AsyncSession,
    session_id: int,
    *,
    now: datetime,
    deadline: datetime,
    by: int | str,
    channel: Channel = Channel.TELEGRAM,
) -> tuple[Change, Reach]:
    """Cancel the session: its teens are told and offered the sessions still ahead.
    Who was told (nobody, for a teen with neither Telegram nor a linked parent)."""
    target = await _changeable(session, session_id)
    if target is None:
        return Change.GONE, Reach()
    target.state = SessionState.CANCELLED
    zone = deadline.tzinfo or UTC  # the deadline is midnight in the office's zone
    affected = await _affected(session, session_id)
    ahead = await summonses.move_options(session, exclude=session_id, now=now, deadline=deadline)
    reach = Reach()
    for summons in affected:
        summons.revision += 1
        await outbox.cancel(session, summons_id=summons.id, groups=SUMMONS_GROUPS)
        if not ahead:
            await waiting.join(session, summons.target_id, now=now)
        notice = Message(
            kind=Kind.SESSION_CANCELLED,
            due_at=now,
            params={"summons_id": summons.id, "session_id": session_id},
            summons_id=summons.id,
            dedupe=f"cancelled:{summons.id}:{session_id}",
            urgent=summons_rules.same_day(target.starts_at, now, zone),
        )
        people = await outbox.recipients_of(session, summons.target_id)
        await outbox.enqueue(session, people, [notice])
        reach = reach.plus(people)
    events.record(
        session,
        "session_cancelled",
        actor=Actor.STAFF,
        channel=channel,
        session_id=session_id,
        affected=len(affected),
        untold=reach.untold,
        by=by,
    )
    return Change.DONE, reach


@dataclass(frozen=True)
class PlaceChoice:
    id: int
    name: str


async def places(session: AsyncSession, limit: int = 40) -> list[PlaceChoice]:
    """Places a new session can be at, by name (not a home: a home visit is made for a teen)."""
    rows = await session.execute(
        select(Place.id, Place.name)
        .where(Place.kind != PlaceKind.HOME)
        .order_by(Place.name, Place.id)
        .limit(limit)
    )
    return [PlaceChoice(place_id, name) for place_id, name in rows]


async def create(
    session: AsyncSession,
    place_id: int,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    now: datetime,
    deadline: datetime,
    by: int | str,
    channel: Channel = Channel.TELEGRAM,
) -> tuple[Change, int | None]:
    """A new recording session at a known place; the planner offers its seats to teens on the
    waiting list at its next round. (outcome, the new session's id). A home is no such place:
    its visits are one teen's, made by home_visits.schedule (GONE, as for an unknown place)."""
    place = await session.get(Place, place_id)
    if place is None or place.kind == PlaceKind.HOME:
        return Change.GONE, None
    if (refused := check_hours(starts_at, ends_at, now=now, deadline=deadline)) is not None:
        return refused, None
    if (refused := check_seats(capacity)) is not None:
        return refused, None
    created = ServiceSession(
        place_id=place_id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        booked=0,
        services=["rekam"],
        bring="",
    )
    session.add(created)
    await session.flush()
    events.record(
        session,
        "session_created",
        actor=Actor.STAFF,
        channel=channel,
        session_id=created.id,
        capacity=capacity,
        by=by,
    )
    return Change.DONE, created.id


async def enlarge(
    session: AsyncSession,
    session_id: int,
    capacity: int,
    *,
    by: int | str,
    channel: Channel = Channel.TELEGRAM,
) -> Change:
    """Give a session more (or fewer, but never below those already called) seats."""
    target = await _changeable(session, session_id)
    if target is None:
        return Change.GONE
    if (refused := check_seats(capacity)) is not None:
        return refused
    if capacity < target.booked:
        return Change.FEWER
    old, target.capacity = target.capacity, capacity
    events.record(
        session,
        "session_capacity",
        actor=Actor.STAFF,
        channel=channel,
        session_id=session_id,
        old=old,
        new=capacity,
        by=by,
    )
    return Change.DONE


@dataclass(frozen=True)
class Listed:
    """A session as the office's list shows it (`rekam sessions`)."""

    id: int
    code: str | None
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    cancelled: bool


async def listing(session: AsyncSession, *, since: datetime | None) -> list[Listed]:
    """Every session from `since` on (all of them for None), by start; home visits are left
    out (each is one teen's, made by `homevisits schedule`)."""
    # Only the columns shown: a city has thousands of sessions ahead, and whole rows (their
    # JSON services decoded, each tracked by the session) cost more than the page itself.
    query = (
        select(
            ServiceSession.id,
            ServiceSession.code,
            Place.name,
            ServiceSession.starts_at,
            ServiceSession.ends_at,
            ServiceSession.capacity,
            ServiceSession.booked,
            ServiceSession.state,
        )
        .join(Place, Place.id == ServiceSession.place_id)
        .where(Place.kind != PlaceKind.HOME)
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    )
    if since is not None:
        query = query.where(
            ServiceSession.ends_at >= since, ServiceSession.state == SessionState.OPEN
        )
    return [
        Listed(
            id=row.id,
            code=row.code,
            place=row.name,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            capacity=row.capacity,
            booked=row.booked,
            cancelled=row.state == SessionState.CANCELLED,
        )
        for row in await session.execute(query)
    ]
