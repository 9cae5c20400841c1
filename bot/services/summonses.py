"""A teen's summons to a session, and their answers: confirm, decline, move, home visit."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Place, ServiceSession, Summons, Target
from bot.domain.kinds import Actor, Answer, Channel, PlaceKind, SessionState, SummonsState
from bot.domain.summons_rules import EXPECTED, FINAL, HOLDS_SEAT
from bot.services import events, notices, options, seats
from bot.services.office import Office

# Which sessions a teen may move to is decided there; re-exported for this module's callers.
from bot.services.options import SessionOption as SessionOption
from bot.services.options import move_options as move_options

DECLINE_REASONS = ("school", "internship", "sick", "away", "other")
# What a person may type as a reason (a decline's "other", a home visit's why): stated in the
# question, checked when typed.
NOTE_LIMIT = 300
# Answers the others linked to a summons (the teen, the parents) are told of.
ANSWERS = frozenset({SummonsState.CONFIRMED, SummonsState.DECLINED, SummonsState.HOME_VISIT})


@dataclass(frozen=True)
class SummonsView:
    """Everything a summons message shows."""

    id: int
    revision: int
    state: SummonsState
    target_id: int
    name: str
    session_id: int
    starts_at: datetime
    ends_at: datetime
    services: tuple[str, ...]
    bring: str
    place: str
    address: str
    latitude: float | None
    longitude: float | None
    home: bool = False  # a home visit: staff come to the teen (the place is their address)


class Outcome(enum.StrEnum):
    DONE = "done"
    STALE = "stale"  # forged, someone else's, outdated, or no longer changeable
    FULL = "full"  # the chosen session has no seat left
    TOO_LONG = "too_long"  # the typed note is over NOTE_LIMIT: nothing changed, ask again


# Built once: these run on every press and /jadwal, and building a statement costs more than
# looking up its compiled form. Values come in as bound parameters.
_VIEW = (
    select(Summons, Target.name, ServiceSession, Place)
    .join(Target, Target.id == Summons.target_id)
    .join(ServiceSession, ServiceSession.id == Summons.session_id)
    .join(Place, Place.id == ServiceSession.place_id)
)
_VIEW_OF_TARGET = _VIEW.where(Summons.target_id == bindparam("target_id"))
_VIEW_BY_ID = _VIEW.where(Summons.id == bindparam("summons_id"))
_VIEW_BY_ID_LOCKED = _VIEW_BY_ID.with_for_update(of=Summons)


@dataclass(frozen=True)
class Locked:
    """A summons row locked for an answer in this unit of work, with its session, as
    `locked_view` read them: respond() uses them without reading them again."""

    summons: Summons
    session: ServiceSession


def _view(row: Row[Summons, str, ServiceSession, Place]) -> SummonsView:
    summons, name, service_session, place = row
    return SummonsView(
        id=summons.id,
        revision=summons.revision,
        state=summons.state,
        target_id=summons.target_id,
        name=name,
        session_id=service_session.id,
        starts_at=service_session.starts_at,
        ends_at=service_session.ends_at,
        services=tuple(service_session.services or ()),
        bring=service_session.bring,
        place=place.name,
        address=place.address,
        latitude=place.latitude,
        longitude=place.longitude,
        home=place.kind == PlaceKind.HOME,
    )


async def for_target(session: AsyncSession, target_id: int) -> SummonsView | None:
    """The target's current summons, if they have one."""
    row = (await session.execute(_VIEW_OF_TARGET, {"target_id": target_id})).first()
    return _view(row) if row else None


async def view(session: AsyncSession, summons_id: int) -> SummonsView | None:
    """The summons as its message shows it."""
    row = (await session.execute(_VIEW_BY_ID, {"summons_id": summons_id})).first()
    return _view(row) if row else None


async def locked_view(session: AsyncSession, summons_id: int) -> tuple[SummonsView, Locked] | None:
    """The summons as its message shows it, its row locked for an answer in this unit of work
    (PostgreSQL; SQLite's units of work take the write lock at BEGIN). The Locked value goes to
    respond(), which then reads neither again (the session's identity map keeps only what
    something refers to, so without it each press read the summons three times)."""
    row = (await session.execute(_VIEW_BY_ID_LOCKED, {"summons_id": summons_id})).first()
    if row is None:
        return None
    return _view(row), Locked(row[0], row[2])


async def assign(
    session: AsyncSession,
    target_id: int,
    session_id: int,
    *,
    now: datetime,
    deadline: datetime,
    actor: Actor,
    channel: Channel,
    policy: notices.Policy,
    shown_to: int | None = None,
) -> Summons | None:
    """Summon a target to a session, holding a seat, and queue the summons and its reminders
    for everyone linked (but the summons itself not to `shown_to`, who sees it as a reply);
    None when the session is full."""
    if not await seats.take(session, session_id, now=now, before=deadline):
        return None
    summons = Summons(target_id=target_id, session_id=session_id, state=SummonsState.SUMMONED)
    session.add(summons)
    await session.flush()
    events.record(
        session,
        "summoned",
        actor=actor,
        channel=channel,
        target_id=target_id,
        summons_id=summons.id,
        session_id=session_id,
    )
    service_session = await session.get(ServiceSession, session_id)
    assert service_session is not None
    await notices.summoned(
        session,
        summons_id=summons.id,
        target_id=target_id,
        session_id=session_id,
        starts_at=service_session.starts_at,
        policy=policy,
        now=now,
        shown_to=shown_to,
    )
    return summons


async def _editable(
    session: AsyncSession,
    summons_id: int,
    revision: int,
    target_ids: frozenset[int],
    now: datetime,
    action: Answer,
    locked: Locked | None,
) -> Summons | None:
    """The summons if the presser may make this change now, at the revision their button
    showed. After a session is over only a no-show may still move, to a later session."""
    if locked is not None and locked.summons.id == summons_id:
        summons: Summons | None = locked.summons
    else:
        summons = await session.get(Summons, summons_id, with_for_update=True)
    if summons is None or summons.target_id not in target_ids or summons.revision != revision:
        return None
    if summons.state in (SummonsState.NO_SHOW, SummonsState.UNRECORDED):
        return summons if action == Answer.MOVE else None
    if summons.state in FINAL:
        return None
    service_session = await session.get(ServiceSession, summons.session_id)
    if service_session is None or service_session.ends_at <= now:
        return None
    if service_session.state == SessionState.CANCELLED:
        return summons if action == Answer.MOVE else None  # staff cancelled it: only a new session
    if action == Answer.HOME_VISIT:  # a home visit cannot ask for a home visit (forged button)
        place = await session.get(Place, service_session.place_id)
        if place is None or place.kind == PlaceKind.HOME:
            return None
    return summons


async def _renotify(
    session: AsyncSession,
    summons: Summons,
    *,
    moved: bool,
    policy: notices.Policy,
    now: datetime,
    shown_to: int,
) -> None:
    """Reminders follow the answer: rescheduled on a move, stopped on a decline or home visit.
    `shown_to` just saw the new summons as a reply, so the outbox does not send it twice."""
    if moved:
        new_session = await session.get(ServiceSession, summons.session_id)
        assert new_session is not None
        await notices.moved(
            session,
            summons_id=summons.id,
            target_id=summons.target_id,
            session_id=summons.session_id,
            starts_at=new_session.starts_at,
            policy=policy,
            now=now,
            shown_to=shown_to,
        )
    elif summons.state not in HOLDS_SEAT:
        await notices.stopped(session, summons.id)


async def _refusal(
    session: AsyncSession, session_id: int, now: datetime, deadline: datetime
) -> Outcome:
    """Why no seat was had: a real session that is full, or one nobody may choose (stale)."""
    target = await session.get(ServiceSession, session_id)
    choosable = (
        target is not None
        and target.state == SessionState.OPEN
        and now < target.starts_at < deadline
    )
    return Outcome.FULL if choosable else Outcome.STALE


def _change(summons: Summons, state: SummonsState, now: datetime) -> None:
    summons.state = state
    summons.revision += 1
    summons.answered_at = now


@dataclass(frozen=True)
class Press:
    """One answer to a summons, as the button showed it: the action, its argument (a decline's
    reason, a session to move to) and what the person typed after it (a home visit's reason, a
    decline's "other")."""

    summons_id: int
    revision: int
    action: Answer
    argument: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Presser:
    """Who answers: their account, as whom (the teen, a parent), and the targets they may
    answer for; on WhatsApp or SMS, the number on the record instead of an account."""

    account_id: int | None
    actor: Actor
    target_ids: frozenset[int]
    channel: Channel = Channel.TELEGRAM
    contact_id: int | None = None

    @property
    def who(self) -> int:
        """As outbox.Recipient.who: the account's id, or the number's chat (-contact_id)."""
        return self.account_id if self.account_id is not None else -(self.contact_id or 0)


async def respond(
    session: AsyncSession,
    press: Press,
    by: Presser,
    *,
    office: Office,
    now: datetime,
    locked: Locked | None = None,
) -> Outcome:
    """Apply one button press (confirm / decline / move / home visit) by someone allowed to.
    `locked`: the row as locked_view() read it in this unit of work, if it did."""
    action, argument, deadline = press.action, press.argument, office.deadline
    if len(press.note or "") > NOTE_LIMIT:
        return Outcome.TOO_LONG  # refused whole, never cut: the person shortens it
    summons = await _editable(
        session, press.summons_id, press.revision, by.target_ids, now, action, locked
    )
    if summons is None:
        return Outcome.STALE
    held = summons.state in HOLDS_SEAT
    old_session = summons.session_id
    if action == Answer.CONFIRM:
        if not held and not await seats.take(session, old_session, now=now, before=deadline):
            return await _refusal(session, old_session, now, deadline)
        _change(summons, SummonsState.CONFIRMED, now)
    elif action == Answer.DECLINE and argument in DECLINE_REASONS:
        _change(summons, SummonsState.DECLINED, now)
        summons.reason = argument
        summons.note = press.note or None
    elif action == Answer.HOME_VISIT:
        _change(summons, SummonsState.HOME_VISIT, now)
        summons.note = press.note or argument or None
    elif action == Answer.MOVE and argument and argument.isdigit() and int(argument) != old_session:
        if not await options.may_choose(
            session, summons.target_id, int(argument), zone=office.zone
        ):
            return Outcome.STALE  # a closed venue, or a day they are too young for
        if not await seats.take(session, int(argument), now=now, before=deadline):
            return await _refusal(session, int(argument), now, deadline)
        summons.session_id = int(argument)
        _change(summons, SummonsState.MOVED, now)
    else:
        return Outcome.STALE
    # The old seat goes back unless the summons still holds it (same session, seat-holding state).
    if held and (summons.state not in HOLDS_SEAT or summons.session_id != old_session):
        await seats.release(session, old_session)
    moved = summons.session_id != old_session
    await _renotify(session, summons, moved=moved, policy=office.policy, now=now, shown_to=by.who)
    if not moved:  # a move already sends everyone the new summons
        await notices.answered(
            session,
            summons_id=summons.id,
            target_id=summons.target_id,
            session_id=summons.session_id,
            revision=summons.revision,
            by_parent=by.actor == Actor.PARENT,
            now=now,
            shown_to=by.who,
        )
    events.record(
        session,
        f"summons_{action.value}",
        actor=by.actor,
        channel=by.channel,
        account_id=by.account_id,
        target_id=summons.target_id,
        summons_id=summons.id,
        session_id=summons.session_id,
        reason=summons.reason,
    )
    return Outcome.DONE


async def mark_no_shows(session: AsyncSession, *, now: datetime, grace: timedelta) -> list[int]:
    """Summonses still expecting the teen at a session that ended `grace` ago: no-shows.
    Their seats are released (the session is over) and their ids returned."""
    rows = await session.execute(
        select(Summons)
        .join(ServiceSession, ServiceSession.id == Summons.session_id)
        .join(Place, Place.id == ServiceSession.place_id)
        .where(
            Summons.state.in_(EXPECTED),
            ServiceSession.state == SessionState.OPEN,  # nobody misses a cancelled session
            ServiceSession.ends_at <= now - grace,
            # Staff at the door say what happened at a home visit (bot/services/home_visits.py)
            Place.kind != PlaceKind.HOME,
        )
        .with_for_update()
    )
    marked = []
    for summons in rows.scalars():
        _change(summons, SummonsState.NO_SHOW, now)
        await seats.release(session, summons.session_id)
        events.record(
            session,
            "no_show",
            actor=Actor.SYSTEM,
            channel=Channel.SYSTEM,
            target_id=summons.target_id,
            summons_id=summons.id,
            session_id=summons.session_id,
        )
        marked.append(summons.id)
    return marked
