"""Home visits: a teen (or a parent for them) asks with 🏠 that staff come to the house; staff
on duty hear of it at once, see the waiting requests in a queue, schedule a visit for one teen
or a round of several in one kecamatan on one day, and record what happened at the door.

A visit is an ordinary session (capacity 1) at a Place of kind `home`, and the teen's summons
moves there through the usual paths, so the summons, its buttons and its reminders are the ones
every teen gets. Recorded at the door goes through bot/services/recording.py like the desk's."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    HomeVisit,
    ParentLink,
    Place,
    Region,
    ServiceSession,
    Summons,
    Target,
)
from bot.domain.kinds import (
    Actor,
    Channel,
    ContactOf,
    HomeVisitState,
    LinkState,
    PlaceKind,
    SessionState,
    SummonsState,
)
from bot.domain.outbox_kinds import Kind
from bot.domain.summons_rules import EXPECTED, HOLDS_SEAT, Hours, hours_problem
from bot.domain.venues import HOME_PLACE
from bot.services import contacts, events, notices, outbox, recording, seats
from bot.services.outbox import Message, Reach, Recipient


@dataclass(frozen=True)
class Request:
    """One request as staff see it: who, where, why, and where it stands."""

    id: int
    target_id: int
    name: str
    kelurahan: str
    kecamatan: str
    address: str
    reason: str
    requested_at: datetime
    state: HomeVisitState
    starts_at: datetime | None = None  # the visit, once scheduled
    ends_at: datetime | None = None


@dataclass(frozen=True)
class Card:
    """What the staff alert says: the request, and how to reach the family."""

    request: Request
    phone: str | None  # the teen's number on her record (E.164), for the visit's call
    guardian_phone: str | None  # a parent's or guardian's number on it
    parents: tuple[str, ...]  # each linked parent's name


class Scheduled(enum.StrEnum):
    DONE = "done"
    GONE = "gone"  # a request no longer waiting (scheduled, done, recorded elsewhere, unknown)
    PAST = Hours.PAST.value  # the hours (summons_rules.hours_problem), as for any session
    AFTER_ELECTION = Hours.AFTER_ELECTION.value
    ENDS_FIRST = Hours.ENDS_FIRST.value
    TWO_AREAS = "two_areas"  # a round covers one kecamatan


# The outcomes that are about the hours typed: staff may type them again.
WRONG_HOURS = frozenset({Scheduled.PAST, Scheduled.AFTER_ELECTION, Scheduled.ENDS_FIRST})


async def requested(
    session: AsyncSession,
    target_id: int,
    reason: str | None,
    *,
    now: datetime,
    default_language: str,
    duty: Sequence[int] = (),
) -> int:
    """The 🏠 answer, in its unit of work: the request joins the queue (again, should an
    earlier visit have been scheduled) and staff on duty are alerted. The request's id."""
    visit = await session.scalar(
        select(HomeVisit).where(HomeVisit.target_id == target_id).with_for_update()
    )
    if visit is None:
        visit = HomeVisit(target_id=target_id, requested_at=now)
        session.add(visit)
    elif visit.state != HomeVisitState.REQUESTED:
        visit.requested_at = now
    visit.state, visit.session_id, visit.reason = HomeVisitState.REQUESTED, None, reason
    await session.flush()
    alert = Message(
        kind=Kind.STAFF_ALERT,
        due_at=now,
        params={"alert": "home_visit", "target_id": target_id, "visit_id": visit.id},
    )
    await outbox.enqueue(
        session, await outbox.staff_on_duty(session, default_language, duty), [alert]
    )
    return visit.id


# A request with its teen, their area and (once scheduled) the visit's session.
_REQUESTS = (
    select(HomeVisit, Target, Region, ServiceSession)
    .join(Target, Target.id == HomeVisit.target_id)
    .outerjoin(Region, Region.id == Target.region_id)
    .outerjoin(ServiceSession, ServiceSession.id == HomeVisit.session_id)
)


def _request(
    visit: HomeVisit, target: Target, region: Region | None, visit_session: ServiceSession | None
) -> Request:
    return Request(
        id=visit.id,
        target_id=target.id,
        name=target.name,
        kelurahan=region.kelurahan if region else "",
        kecamatan=region.kecamatan if region else "",
        address=target.address or "",
        reason=visit.reason or "",
        requested_at=visit.requested_at,
        state=visit.state,
        starts_at=visit_session.starts_at if visit_session else None,
        ends_at=visit_session.ends_at if visit_session else None,
    )


async def queue(session: AsyncSession) -> list[Request]:
    """What is still owed: waiting requests oldest first, then scheduled visits soonest first.
    The summons says whether it still is: a teen who chose a session after all (or declined
    the visit), or was recorded elsewhere, has left the queue; 🏠 again puts them back."""
    rows = await session.execute(
        _REQUESTS.join(Summons, Summons.target_id == HomeVisit.target_id)
        .where(
            or_(
                (HomeVisit.state == HomeVisitState.REQUESTED)
                & (Summons.state == SummonsState.HOME_VISIT),
                (HomeVisit.state == HomeVisitState.SCHEDULED)
                & (Summons.session_id == HomeVisit.session_id)
                & Summons.state.in_(EXPECTED),
            ),
            Target.recorded_at.is_(None),
        )
        .order_by(HomeVisit.requested_at, HomeVisit.id)
    )
    found = [_request(*row) for row in rows]
    waiting = [r for r in found if r.state == HomeVisitState.REQUESTED]
    planned = sorted(
        (r for r in found if r.state == HomeVisitState.SCHEDULED),
        key=lambda r: (r.starts_at, r.id),
    )
    return waiting + planned


async def request_of(session: AsyncSession, visit_id: int) -> Request | None:
    row = (await session.execute(_REQUESTS.where(HomeVisit.id == visit_id))).first()
    return _request(*row) if row else None


async def card(session: AsyncSession, visit_id: int) -> Card | None:
    """The staff alert's contents, read when it is sent."""
    request = await request_of(session, visit_id)
    if request is None:
        return None
    numbers = {c.whose: c.number for c in await contacts.of(session, request.target_id)}
    names = await session.scalars(
        select(ParentLink.parent_name)
        .where(ParentLink.target_id == request.target_id, ParentLink.state == LinkState.ACTIVE)
        .order_by(ParentLink.id)
    )
    parents = tuple(name or "?" for name in names)
    return Card(request, numbers.get(ContactOf.TEEN), numbers.get(ContactOf.GUARDIAN), parents)


async def pins(session: AsyncSession, visit_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    """(latitude, longitude) of each of these visits whose home place has them. A teen's record
    carries no coordinates: a request not yet scheduled, or a home nobody pinned, has only its
    address (the dashboard links that to a map search instead)."""
    if not visit_ids:
        return {}
    rows = await session.execute(
        select(HomeVisit.id, Place.latitude, Place.longitude)
        .join(ServiceSession, ServiceSession.id == HomeVisit.session_id)
        .join(Place, Place.id == ServiceSession.place_id)
        .where(
            HomeVisit.id.in_(set(visit_ids)),
            Place.latitude.is_not(None),
            Place.longitude.is_not(None),
        )
    )
    return {
        visit_id: (lat, lon)
        for visit_id, lat, lon in rows
        if lat is not None and lon is not None  # (for the type checker; the query says so)
    }


async def schedule(
    session: AsyncSession,
    visit_ids: Sequence[int],
    *,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    deadline: datetime,
    policy: notices.Policy,
    by: str,
    channel: Channel,
) -> tuple[Scheduled, Reach]:
    """A visit for each of these requests at these hours, all or none: each teen gets a home
    session of one seat and their summons moves there (summoned again, with its reminders, to
    the teen and the parents). A round covers one kecamatan. Who was told."""
    if not visit_ids:
        return Scheduled.GONE, Reach()
    problem = hours_problem(starts_at, ends_at, now=now, deadline=deadline)
    if problem is not None:
        return Scheduled(problem.value), Reach()
    rows = (
        await session.execute(
            select(HomeVisit, Target)
            .join(Target, Target.id == HomeVisit.target_id)
            .join(Summons, Summons.target_id == HomeVisit.target_id)
            .where(
                HomeVisit.id.in_(set(visit_ids)),
                HomeVisit.state == HomeVisitState.REQUESTED,
                Summons.state == SummonsState.HOME_VISIT,  # not since gone to a session
                Target.recorded_at.is_(None),
            )
            .with_for_update(of=HomeVisit)
        )
    ).all()
    if len(rows) != len(set(visit_ids)):
        return Scheduled.GONE, Reach()
    areas = {
        await session.scalar(select(Region.kecamatan).where(Region.id == t.region_id))
        for _, t in rows
    }
    if len(areas) > 1:
        return Scheduled.TWO_AREAS, Reach()
    reach = Reach()
    for visit, target in rows:
        home = await _home_session(session, target, starts_at, ends_at)
        told = await _summon_home(
            session, target.id, home.id, now=now, deadline=deadline, policy=policy
        )
        reach = reach.plus(told)
        visit.state, visit.session_id = HomeVisitState.SCHEDULED, home.id
        visit.decided_by, visit.decided_at = by, now
        events.record(
            session,
            "home_visit_scheduled",
            actor=Actor.STAFF,
            channel=channel,
            target_id=target.id,
            session_id=home.id,
            by=by,
        )
    return Scheduled.DONE, reach


async def _home_session(
    session: AsyncSession, target: Target, starts_at: datetime, ends_at: datetime
) -> ServiceSession:
    """The teen's home as a place (its address, a name that says nothing of them), and one
    seat there at these hours."""
    place = Place(
        name=HOME_PLACE,
        address=target.address or "",
        kind=PlaceKind.HOME,
        region_id=target.region_id,
    )
    session.add(place)
    await session.flush()
    home = ServiceSession(
        place_id=place.id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=1,
        services=["rekam"],
    )
    session.add(home)
    await session.flush()
    return home


async def _summon_home(
    session: AsyncSession,
    target_id: int,
    session_id: int,
    *,
    now: datetime,
    deadline: datetime,
    policy: notices.Policy,
) -> list[Recipient]:
    """The teen's summons moves to the home session, summoned again; the old session's rows
    are cancelled and the new summons and reminders queued, as on any move. Who was told."""
    summons = await session.scalar(
        select(Summons).where(Summons.target_id == target_id).with_for_update()
    )
    taken = await seats.take(session, session_id, now=now, before=deadline)
    assert taken, "a new home session has its one seat free"
    assert summons is not None, "schedule() takes only requests whose summons waits for a visit"
    if summons.state in HOLDS_SEAT:
        await seats.release(session, summons.session_id)
    summons.session_id, summons.state = session_id, SummonsState.SUMMONED
    summons.revision += 1  # the old buttons no longer apply
    await session.flush()
    service_session = await session.get(ServiceSession, session_id)
    assert service_session is not None
    return await notices.moved(
        session,
        summons_id=summons.id,
        target_id=target_id,
        session_id=session_id,
        starts_at=service_session.starts_at,
        policy=policy,
        now=now,
    )


async def finish(
    session: AsyncSession,
    visit_id: int,
    *,
    recorded: bool,
    reason: str | None,
    by: str,
    channel: Channel,
    now: datetime,
) -> Reach | None:
    """What happened at the door. Recorded: every consequence, as at the desk, and who was
    sent the thank-you (nobody, when the teen was recorded elsewhere already). Not at home, or
    not recorded: an event with the reason, the home
    session is cancelled (nobody else is offered its seat), the summons waits for a visit
    again and the request is back in the queue; nobody is told. None when the visit is not
    scheduled (any more)."""
    visit = await session.get(HomeVisit, visit_id, with_for_update=True)
    if visit is None or visit.state != HomeVisitState.SCHEDULED or visit.session_id is None:
        return None
    home_id = visit.session_id
    visit.decided_by, visit.decided_at = by, now
    if recorded:
        fresh = await recording.mark_recorded(
            session,
            [visit.target_id],
            at=now,
            source=recording.Source.DESK,
            by=by,
            channel=channel,
            now=now,
            session_id=home_id,
        )
        visit.state = HomeVisitState.DONE
        if not fresh:  # recorded elsewhere before the visit was closed: no thank-you went
            return Reach()
        return Reach().plus(await outbox.recipients_of(session, visit.target_id))
    summons = await session.scalar(
        select(Summons).where(Summons.target_id == visit.target_id).with_for_update()
    )
    if summons is not None and summons.session_id == home_id:
        if summons.state in HOLDS_SEAT:
            await seats.release(session, home_id)
        summons.state, summons.revision = SummonsState.HOME_VISIT, summons.revision + 1
        await notices.stopped(session, summons.id)
    home = await session.get(ServiceSession, home_id)
    if home is not None:
        home.state = SessionState.CANCELLED
    visit.state, visit.session_id = HomeVisitState.REQUESTED, None
    events.record(
        session,
        "home_visit_failed",
        actor=Actor.STAFF,
        channel=channel,
        target_id=visit.target_id,
        session_id=home_id,
        reason=(reason or "")[:200],
        by=by,
    )
    return Reach()
