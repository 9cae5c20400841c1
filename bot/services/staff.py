"""The office's staff: who they are (read from the database at the moment of every action),
today's sessions with their counts, and attendance."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.codes import Code, find_by_code
from bot.db.models import Event, Place, ServiceSession, Staff, Summons, Target
from bot.db.queries import count_where
from bot.db.vault import vault_of
from bot.domain.kinds import Actor, Channel, PlaceKind, SessionState, SummonsState
from bot.domain.names import clean_name
from bot.domain.nik import mask
from bot.domain.outbox_kinds import SUMMONS_GROUPS
from bot.domain.summons_rules import HOLDS_SEAT
from bot.services import events, outbox, summonses, web_access

_INSTANT = timedelta(microseconds=1)
NAME_LIMIT = 200


@dataclass(frozen=True)
class Member:
    """A staff member as read at the moment of an action."""

    telegram_id: int
    is_admin: bool
    name: str | None = None


async def role_of(session: AsyncSession, telegram_id: int) -> Staff | None:
    """The staff row of this Telegram account, or None for everyone else."""
    result = await session.execute(select(Staff).where(Staff.telegram_id == telegram_id))
    return result.scalar_one_or_none()


async def member(session: AsyncSession, telegram_id: int) -> Member | None:
    """This Telegram account as staff, or None for everyone else."""
    row = await role_of(session, telegram_id)
    return Member(row.telegram_id, row.is_admin, row.name) if row is not None else None


REFUSALS_KEPT_EVERY = timedelta(minutes=10)


async def refused(session: AsyncSession, telegram_id: int, what: str, now: datetime) -> None:
    """A non-staff account tried a staff action: the office should know, once every ten
    minutes per account at most (someone hammering a command must not flood the log)."""
    recent = await session.scalar(
        select(Event.id)
        .where(
            Event.kind == "staff_action_refused",
            Event.claimant == telegram_id,
            Event.at > now - REFUSALS_KEPT_EVERY,
        )
        .limit(1)
    )
    if recent is not None:
        return
    event = events.record(
        session,
        "staff_action_refused",
        actor=Actor.SYSTEM,
        channel=Channel.TELEGRAM,
        telegram_id=telegram_id,
        action=what[:50],
    )
    event.at, event.claimant = now, telegram_id


class Roster(enum.StrEnum):
    """What a change to the staff did, or why it did nothing. The rules are here, not in a
    front end, so Telegram, the dashboard and `rekam staff` keep the same ones."""

    ADDED = "added"
    UPDATED = "updated"  # was staff: the admin flag (and name) as given now
    REMOVED = "removed"
    NOT_STAFF = "not_staff"  # nobody to remove
    YOURSELF = "yourself"  # nobody changes their own role or removes themself, by a slip
    LAST_ADMIN = "last_admin"  # the office's only admin stays one: add another admin first


async def _only_admin(session: AsyncSession, existing: Staff) -> bool:
    """Whether this member is the office's only admin; the admins' rows stay locked to the
    end of the unit of work, so two admins removing each other cannot both succeed."""
    if not existing.is_admin:
        return False
    admins = await session.scalars(
        select(Staff.id).where(Staff.is_admin).order_by(Staff.id).with_for_update()
    )
    return len(admins.all()) <= 1


async def add(
    session: AsyncSession,
    telegram_id: int,
    *,
    admin: bool,
    by: int | str | None,
    channel: Channel,
    name: str | None = None,
) -> Roster:
    """Make someone staff (or change their admin flag, and their name when one is given).
    Refused for one's own role, and for making the only admin plain staff."""
    name = clean_name(name or "")[:NAME_LIMIT] or None
    existing = await role_of(session, telegram_id)
    if existing is not None and by == telegram_id:
        return Roster.YOURSELF
    if existing is not None and not admin and await _only_admin(session, existing):
        return Roster.LAST_ADMIN
    if existing is None:
        session.add(
            Staff(
                telegram_id=telegram_id,
                is_admin=admin,
                added_by=by if isinstance(by, int) else None,
                name=name,
            )
        )
    else:
        existing.is_admin = admin
        existing.name = name or existing.name
    events.record(
        session,
        "staff_added",
        actor=Actor.STAFF,
        channel=channel,
        telegram_id=telegram_id,
        admin=admin,
        by=by,
    )
    return Roster.ADDED if existing is None else Roster.UPDATED


async def remove(
    session: AsyncSession, telegram_id: int, *, by: int | str | None, channel: Channel
) -> Roster:
    """Take someone off the staff. Refused for oneself and for the only admin."""
    existing = await role_of(session, telegram_id)
    if existing is None:
        return Roster.NOT_STAFF
    if by == telegram_id:
        return Roster.YOURSELF
    if await _only_admin(session, existing):
        return Roster.LAST_ADMIN
    await session.execute(delete(Staff).where(Staff.telegram_id == telegram_id))
    await web_access.end_all(session, telegram_id)  # their dashboard sessions end with them
    events.record(
        session, "staff_removed", actor=Actor.STAFF, channel=channel, telegram_id=telegram_id, by=by
    )
    return Roster.REMOVED


@dataclass(frozen=True)
class SessionCounts:
    id: int
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    state: SessionState
    summoned: int
    confirmed: int
    attended: int  # came here (marked at the door or recorded at the desk)
    unrecorded: int  # came, but could not be recorded (documents, a device fault)
    recorded: int  # called here and recorded by now: here, or elsewhere before they came

    @property
    def came(self) -> int:
        """Everyone who reached the desk for this session, recorded or not."""
        return self.attended + self.unrecorded


async def sessions_between(
    session: AsyncSession, start: datetime, end: datetime
) -> list[SessionCounts]:
    """Sessions starting in [start, end) with how many were summoned, confirmed, came and
    are recorded."""
    holding = Summons.state.in_(HOLDS_SEAT)
    rows = await session.execute(
        select(
            ServiceSession.id,
            Place.name,
            ServiceSession.starts_at,
            ServiceSession.ends_at,
            ServiceSession.capacity,
            ServiceSession.state,
            count_where(holding),
            count_where(Summons.state == SummonsState.CONFIRMED),
            count_where(Summons.state == SummonsState.ATTENDED),
            count_where(Summons.state == SummonsState.UNRECORDED),
            # Recording, from any source, ends the summons as one of these two (recording.py);
            # ATTENDED alone is only "came": recorded is the teen's recorded_at.
            count_where(
                Summons.state.in_((SummonsState.ATTENDED, SummonsState.RECORDED))
                & Target.recorded_at.is_not(None)
            ),
        )
        .join(Place, Place.id == ServiceSession.place_id)
        .outerjoin(Summons, Summons.session_id == ServiceSession.id)
        .outerjoin(Target, Target.id == Summons.target_id)
        .where(ServiceSession.starts_at >= start, ServiceSession.starts_at < end)
        .group_by(ServiceSession.id, Place.name)
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    )
    return [SessionCounts(*row) for row in rows]


class Attendance(enum.StrEnum):
    ATTENDED = "attended"  # came: marked now (or before); not recorded until the desk says so
    CAME = "came"  # marked as come before, not recorded yet: nothing new
    ALREADY = "already"  # recorded before: nothing to mark
    UNKNOWN = "unknown"
    OTHER_DAY = "other_day"  # summoned for another day: nothing marked until staff say so


@dataclass(frozen=True)
class Marked:
    outcome: Attendance
    name: str = ""
    masked_nik: str = ""  # for staff to check it is the right teen
    recorded_at: datetime | None = None
    due_at: datetime | None = None  # OTHER_DAY: the session they were summoned to


async def mark_attended(
    session: AsyncSession,
    code: str,
    *,
    staff_id: int,
    now: datetime,
    zone: ZoneInfo,
    any_day: bool = False,
) -> Marked:
    """The teen with this attendance code (their /kode QR) came: their summons is ATTENDED
    (the seat stays theirs) and its reminders stop. Came is not recorded: biometrics are taken
    at the desk, which marks recorded (`desk.record`, through `recording.mark_recorded`) or
    came-but-not-recorded. The invitation code on a letter marks nothing: it is not shown at
    a desk.

    A teen summoned for another day is not marked at once: staff are told the day and decide
    (`any_day`), since walking in early is welcome but a wrong code is not."""
    target = await find_by_code(session, code, Code.ATTEND, lock=True)
    if target is None:
        return Marked(Attendance.UNKNOWN)
    masked = mask(vault_of(session).open(target.nik_sealed))
    if target.recorded_at is not None:
        return Marked(Attendance.ALREADY, target.name, masked, target.recorded_at)
    due = await summonses.for_target(session, target.id)
    today = now.astimezone(zone).date()
    if not any_day and due is not None and due.starts_at.astimezone(zone).date() != today:
        return Marked(Attendance.OTHER_DAY, target.name, masked, due_at=due.starts_at)
    summons = await session.scalar(
        select(Summons).where(Summons.target_id == target.id).with_for_update()
    )
    was = summons.state if summons else None
    if was == SummonsState.ATTENDED:
        return Marked(Attendance.CAME, target.name, masked)
    if summons is not None:
        if summons.state not in HOLDS_SEAT:
            # Came after declining, missing or being turned away: the seat is theirs again,
            # over capacity if need be (they are at the desk).
            await session.execute(
                update(ServiceSession)
                .where(ServiceSession.id == summons.session_id)
                .values(booked=ServiceSession.booked + 1)
                .execution_options(synchronize_session=False)
            )
        summons.state, summons.revision, summons.answered_at = (
            SummonsState.ATTENDED,
            summons.revision + 1,
            now,
        )
        await outbox.cancel(session, summons_id=summons.id, groups=SUMMONS_GROUPS)
    events.record(
        session,
        "attended",
        actor=Actor.STAFF,
        channel=Channel.TELEGRAM,
        target_id=target.id,
        by=str(staff_id),
        was=was.value if was else None,
    )
    return Marked(Attendance.ATTENDED, target.name, masked)


async def everyone(session: AsyncSession) -> list[Member]:
    """All staff, admins first."""
    rows = await session.execute(
        select(Staff.telegram_id, Staff.is_admin, Staff.name).order_by(
            Staff.is_admin.desc(), Staff.name, Staff.telegram_id
        )
    )
    return [Member(telegram_id, is_admin, name) for telegram_id, is_admin, name in rows]


@dataclass(frozen=True)
class Listed:
    """A staff member as the dashboard's staff page lists them."""

    telegram_id: int
    is_admin: bool
    added_by: int | None
    added_at: datetime
    name: str | None = None
    added_by_name: str | None = None


async def roster(session: AsyncSession) -> list[Listed]:
    """All staff by name, with who added them and when, admins first."""
    adder = aliased(Staff)
    rows = await session.execute(
        select(
            Staff.telegram_id,
            Staff.is_admin,
            Staff.added_by,
            Staff.added_at,
            Staff.name,
            adder.name,
        )
        .outerjoin(adder, adder.telegram_id == Staff.added_by)
        .order_by(Staff.is_admin.desc(), Staff.name, Staff.telegram_id)
    )
    return [Listed(*row) for row in rows]


async def open_session(session: AsyncSession, session_id: int) -> SessionCounts | None:
    """One open session with its counts, or None when it is gone, cancelled, or a home visit
    (changed from the home-visit queue only)."""
    found = await session.get(ServiceSession, session_id)
    if found is None or found.state != SessionState.OPEN:
        return None
    place = await session.get(Place, found.place_id)
    if place is not None and place.kind == PlaceKind.HOME:
        return None
    counts = await sessions_between(session, found.starts_at, found.starts_at + _INSTANT)
    return next((c for c in counts if c.id == session_id), None)
