"""The waiting list: teens with no place yet get freed places, first come, first served.

One mechanism covers every way a place frees up (a decline, a move, a home visit, a session
made bigger or added): each planner round compares the free places with the waiting teens and
offers each place to the first teen it suits. An offer lasts `OFFER_TTL`; one not taken in time
goes to the next teen, and the teen who let it pass goes to the back of the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import delete, func, insert, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Account,
    ParentLink,
    Place,
    Region,
    School,
    ServiceSession,
    Summons,
    Target,
    WaitingTeen,
)
from bot.db.queries import core_table, insert_or_ignore
from bot.db.types import UTCDateTime
from bot.domain import summons_rules, venues
from bot.domain.kinds import (
    Actor,
    Answer,
    Channel,
    LinkState,
    PlaceKind,
    SessionState,
    SummonsState,
)
from bot.services import events, summonses
from bot.services.office import Office
from bot.services.summonses import Outcome

OFFER_TTL = timedelta(hours=6)
# A place is not offered for a session starting sooner than this: nobody could plan for it.
MIN_NOTICE = timedelta(hours=3)


@dataclass(frozen=True)
class Offer:
    entry_id: int
    target_id: int
    session_id: int
    expires_at: datetime


@dataclass(frozen=True)
class _Free:
    session_id: int
    starts_at: datetime
    kecamatan: str | None
    closed: venues.Keys | None  # bot/domain/venues.py
    services: tuple[str, ...]
    free: int


async def join(session: AsyncSession, target_id: int, *, now: datetime) -> None:
    """Put a teen on the list (a teen already on it keeps their place in line)."""
    row = {"target_id": target_id, "since": now, "offers": 0}
    await insert_or_ignore(session, WaitingTeen, row, "target_id")


async def join_stranded(session: AsyncSession, *, now: datetime) -> None:
    """Teens whose session staff cancelled and who picked none of the sessions offered by the
    time it would have started: they wait for a freed place like everyone without one."""
    stranded = (
        select(Summons.target_id, literal(now, UTCDateTime()), literal(0))
        .join(ServiceSession, ServiceSession.id == Summons.session_id)
        .where(
            ServiceSession.state == SessionState.CANCELLED,
            ServiceSession.starts_at <= now,
            Summons.state.in_(summons_rules.EXPECTED),
            Summons.target_id.not_in(select(WaitingTeen.target_id)),
        )
    )
    await session.execute(
        insert(core_table(WaitingTeen)).from_select(["target_id", "since", "offers"], stranded)
    )


async def _tidy(session: AsyncSession, now: datetime) -> None:
    """Expired offers go back to the end of the line; teens placed or recorded since leave."""
    expired = await session.execute(
        select(WaitingTeen).where(WaitingTeen.offer_expires_at <= now).with_for_update()
    )
    for entry in expired.scalars():
        entry.offered_session_id = None
        entry.offer_expires_at = None
        entry.since = now
    placed = (
        select(WaitingTeen.id)
        .join(Target, Target.id == WaitingTeen.target_id)
        .outerjoin(Summons, Summons.target_id == WaitingTeen.target_id)
        .outerjoin(ServiceSession, ServiceSession.id == Summons.session_id)
        .where(
            or_(
                Target.recorded_at.is_not(None),
                Summons.state.is_not(None)
                & Summons.state.not_in((SummonsState.NO_SHOW, SummonsState.UNRECORDED))
                & (ServiceSession.state == SessionState.OPEN),
            )
        )
    )
    await session.execute(delete(WaitingTeen).where(WaitingTeen.id.in_(placed)))


async def _free_places(session: AsyncSession, now: datetime, deadline: datetime) -> list[_Free]:
    offered = (
        select(WaitingTeen.offered_session_id, func.count().label("n"))
        .where(WaitingTeen.offered_session_id.is_not(None))
        .group_by(WaitingTeen.offered_session_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            ServiceSession.id,
            ServiceSession.starts_at,
            Region.kecamatan,
            Place.kind,
            Place.school_id,
            Place.name,
            School.name,
            ServiceSession.services,
            ServiceSession.capacity - ServiceSession.booked - func.coalesce(offered.c.n, 0),
        )
        .join(Place, Place.id == ServiceSession.place_id)
        .outerjoin(Region, Region.id == Place.region_id)
        .outerjoin(School, School.id == Place.school_id)
        .outerjoin(offered, offered.c.offered_session_id == ServiceSession.id)
        .where(
            ServiceSession.state == SessionState.OPEN,
            ServiceSession.starts_at > now + MIN_NOTICE,
            ServiceSession.starts_at < deadline,
            ServiceSession.booked + func.coalesce(offered.c.n, 0) < ServiceSession.capacity,
            Place.kind != PlaceKind.HOME,  # a home visit's seat is that teen's alone
        )
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    )
    return [
        _Free(
            session_id,
            starts_at,
            kecamatan,
            venues.venue_keys(kind, school_id, place, school),
            tuple(services or ()),
            free,
        )
        for session_id, starts_at, kecamatan, kind, school_id, place, school, services, free in rows
    ]


@dataclass(frozen=True)
class _Waiting:
    born: date
    kecamatan: str | None
    keys: venues.Keys


def _suits(place: _Free, teen: _Waiting, zone: tzinfo) -> bool:
    """A closed venue (a school's, pesantren's or prison's visit) is for its own people only;
    a place without an area, or a teen whose area is not known, matches any other place;
    otherwise the kecamatan must be the same. And the teen must be able to record there."""
    if not venues.may_record_at(teen.born, place.starts_at.astimezone(zone).date(), place.services):
        return False
    if place.closed is not None:
        return venues.admits(place.closed, teen.keys)
    return place.kecamatan is None or teen.kecamatan is None or place.kecamatan == teen.kecamatan


async def offer_places(
    session: AsyncSession, *, now: datetime, deadline: datetime, zone: tzinfo = UTC
) -> list[Offer]:
    """Offer every free place to the first waiting teen it suits who can be reached (`zone`:
    the office's, on whose date ages are checked)."""
    await _tidy(session, now)
    places = await _free_places(session, now, deadline)
    if not places:
        return []
    # Reached through the teen's own account or an active linked parent's (who may take the
    # place for them).
    reachable = (
        select(Account.target_id)
        .where(Account.target_id.is_not(None), Account.unreachable_at.is_(None))
        .union(
            select(ParentLink.target_id)
            .join(Account, Account.id == ParentLink.parent_account_id)
            .where(ParentLink.state == LinkState.ACTIVE, Account.unreachable_at.is_(None))
        )
    )
    waiting = await session.execute(
        select(
            WaitingTeen, Target.birth_date, Region.kecamatan, Target.school_id, Target.institution
        )
        .join(Target, Target.id == WaitingTeen.target_id)
        .outerjoin(Region, Region.id == Target.region_id)
        .where(WaitingTeen.offered_session_id.is_(None), WaitingTeen.target_id.in_(reachable))
        .order_by(WaitingTeen.since, WaitingTeen.id)
    )
    made = []
    expires = now + OFFER_TTL
    for entry, born, kecamatan, school_id, institution in waiting:
        teen = _Waiting(born, kecamatan, venues.person_keys(school_id, institution))
        place = next((p for p in places if p.free > 0 and _suits(p, teen, zone)), None)
        if place is None:
            continue
        places[places.index(place)] = _Free(**{**place.__dict__, "free": place.free - 1})
        entry.offered_session_id = place.session_id
        entry.offer_expires_at = min(expires, place.starts_at - MIN_NOTICE)
        entry.offers += 1
        made.append(Offer(entry.id, entry.target_id, place.session_id, entry.offer_expires_at))
    return made


async def _parent_of(session: AsyncSession, account_id: int, target_id: int) -> bool:
    """Whether the account is an active linked parent of the target."""
    found = await session.scalar(
        select(ParentLink.id).where(
            ParentLink.parent_account_id == account_id,
            ParentLink.target_id == target_id,
            ParentLink.state == LinkState.ACTIVE,
        )
    )
    return found is not None


async def live_offer(session: AsyncSession, entry_id: int, now: datetime) -> WaitingTeen | None:
    entry = await session.get(WaitingTeen, entry_id)
    if entry is None or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        return None
    return entry


@dataclass(frozen=True)
class OfferShown:
    """A freed place offered to a waiting teen, as the offer message shows it."""

    place: str
    starts_at: datetime
    expires_at: datetime


async def offer_of(
    session: AsyncSession, entry_id: int, session_id: int, now: datetime
) -> OfferShown | None:
    """The offer of `session_id` to waiting entry `entry_id`, unless it expired or moved on."""
    entry = await live_offer(session, entry_id, now)
    if entry is None or entry.offered_session_id != session_id:
        return None
    assert entry.offer_expires_at is not None
    found = (
        await session.execute(
            select(ServiceSession.starts_at, Place.name)
            .join(Place, Place.id == ServiceSession.place_id)
            .where(ServiceSession.id == session_id)
        )
    ).one()
    return OfferShown(found.name, found.starts_at, entry.offer_expires_at)


async def take(
    session: AsyncSession,
    *,
    entry_id: int,
    session_id: int,
    account_id: int,
    target_id: int | None,
    now: datetime,
    office: Office,
) -> tuple[Outcome, int | None]:
    """The teen (`target_id`: the presser's own), or a parent linked to them, takes the place
    offered: a new summons, or their missed one moved. Returns the outcome and the summons id."""
    entry = await session.get(WaitingTeen, entry_id, with_for_update=True)
    if entry is None:
        return Outcome.STALE, None
    actor = Actor.TEEN if entry.target_id == target_id else Actor.PARENT
    if actor == Actor.PARENT and not await _parent_of(session, account_id, entry.target_id):
        return Outcome.STALE, None
    if (
        entry.offered_session_id != session_id
        or entry.offer_expires_at is None
        or entry.offer_expires_at <= now
    ):
        return Outcome.STALE, None
    existing = await session.scalar(select(Summons).where(Summons.target_id == entry.target_id))
    if existing is not None:
        outcome = await summonses.respond(
            session,
            summonses.Press(existing.id, existing.revision, Answer.MOVE, str(session_id)),
            summonses.Presser(account_id, actor, frozenset({entry.target_id})),
            office=office,
            now=now,
        )
        summons_id: int | None = existing.id
    else:
        created = await summonses.assign(
            session,
            entry.target_id,
            session_id,
            now=now,
            deadline=office.deadline,
            actor=actor,
            channel=Channel.TELEGRAM,
            policy=office.policy,
            shown_to=account_id,
        )
        outcome = Outcome.DONE if created else Outcome.FULL
        summons_id = created.id if created else None
    if outcome == Outcome.DONE:
        await session.delete(entry)
        events.record(
            session,
            "waiting_offer_taken",
            actor=actor,
            channel=Channel.TELEGRAM,
            account_id=account_id,
            target_id=entry.target_id,
            summons_id=summons_id,
            session_id=session_id,
        )
    else:  # taken by someone else meanwhile: the next round offers another place
        entry.offered_session_id = None
        entry.offer_expires_at = None
    return outcome, summons_id
