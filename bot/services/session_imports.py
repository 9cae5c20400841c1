"""Importing the office's sessions file: places and their sessions, matched by the office's
own code when the file gives one (a changed day, hours or place then moves the session, and
everyone called to it is told, as for a move in Telegram), else by place and start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import Place, ServiceSession
from bot.domain import session_rows, table_rows
from bot.domain.kinds import Channel, PlaceKind, SessionState, place_kind
from bot.domain.table_rows import Problem, Rejected, RowError
from bot.services import notices, schedule
from bot.services.directory import Directory
from bot.services.imports import ImportResult
from bot.services.outbox import Reach


async def _place(
    session: AsyncSession, row: session_rows.SessionRow, directory: Directory
) -> Place:
    region_id = await directory.region(session, row.kecamatan, row.kelurahan)
    school_name = row.school or (row.place if row.kind == PlaceKind.SCHOOL else None)
    school_id = await directory.school(session, school_name, region_id)
    found = await session.execute(select(Place).where(Place.name == row.place).limit(1))
    place = found.scalar_one_or_none()
    if place is None:
        place = Place(name=row.place)
        session.add(place)
    place.kind = PlaceKind(row.kind)
    place.address = row.address or place.address or ""
    place.latitude = row.latitude if row.latitude is not None else place.latitude
    place.longitude = row.longitude if row.longitude is not None else place.longitude
    place.region_id = region_id if region_id is not None else place.region_id
    place.school_id = school_id if school_id is not None else place.school_id
    await session.flush()
    return place


@dataclass(frozen=True)
class Moving:
    """What a re-imported session with a known code needs to move like a move in Telegram."""

    now: datetime
    deadline: datetime
    policy: notices.Policy
    by: str


async def _store_session(
    session: AsyncSession,
    row: session_rows.SessionRow,
    zone: ZoneInfo,
    directory: Directory,
    moving: Moving,
) -> tuple[bool, bool, Reach]:
    """Add the session, or update the same one: by its code when the file gives one (a new
    day, hours or place moves it, and everyone called to it is told), else at the same place
    and hour. A new session keeps the rules of /sesi (not past, before election day, at most
    MOST_SEATS seats). (added, moved, who was told of the move)."""
    place = await _place(session, row, directory)
    starts_at, ends_at = row.starts.replace(tzinfo=zone), row.ends.replace(tzinfo=zone)
    if row.code is not None:
        found = await session.execute(
            select(ServiceSession).where(ServiceSession.code == row.code).with_for_update()
        )
    else:
        found = await session.execute(
            select(ServiceSession)
            .where(ServiceSession.place_id == place.id, ServiceSession.starts_at == starts_at)
            .with_for_update()
        )
    existing = found.scalar_one_or_none()
    if existing is None and row.code is None:
        await _refuse_look_alike(session, place.id, starts_at, zone)
    if existing is not None and row.capacity < existing.booked:
        raise RowError(Problem.CAPACITY_BELOW_BOOKED, "capacity")
    if (refused := schedule.check_seats(row.capacity)) is not None:
        _refuse(refused)
    if existing is None:  # the rules /sesi and the dashboard apply to a new session
        hours = schedule.check_hours(starts_at, ends_at, now=moving.now, deadline=moving.deadline)
        if hours is not None:
            _refuse(hours)
    reach, moved = Reach(), False
    if existing is not None and (
        (existing.starts_at, existing.ends_at, existing.place_id) != (starts_at, ends_at, place.id)
    ):
        outcome, reach = await schedule.move(
            session,
            existing.id,
            starts_at=starts_at,
            ends_at=ends_at,
            now=moving.now,
            deadline=moving.deadline,
            policy=moving.policy,
            by=moving.by,
            place_id=place.id,
            channel=Channel.CLI,
        )
        if outcome != schedule.Change.DONE:
            _refuse(outcome)
        moved = True
    target = existing or ServiceSession(
        place_id=place.id, starts_at=starts_at, ends_at=ends_at, booked=0, code=row.code
    )
    target.capacity = row.capacity
    target.services = list(row.services)
    target.bring = row.bring
    if existing is None:
        session.add(target)
    return existing is None, moved, reach


# A schedule rule a row breaks, as the rejects file names it (problem, column).
_ROW_PROBLEMS = {
    schedule.Change.PAST: (Problem.PAST_TIME, "start"),
    schedule.Change.AFTER_ELECTION: (Problem.AFTER_ELECTION, "date"),
    schedule.Change.ENDS_FIRST: (Problem.BAD_TIME, "end"),
    schedule.Change.NO_SEATS: (Problem.BAD_NUMBER, "capacity"),
    schedule.Change.TOO_MANY_SEATS: (Problem.TOO_MANY_SEATS, "capacity"),
    schedule.Change.GONE: (Problem.SESSION_CANCELLED, "code"),
}


def _refuse(change: schedule.Change) -> NoReturn:
    problem, column = _ROW_PROBLEMS.get(change, (Problem.BAD_TIME, "start"))
    raise RowError(problem, column)


async def _refuse_look_alike(
    session: AsyncSession, place_id: int, starts_at: datetime, zone: ZoneInfo
) -> None:
    """Without a code, a session at the same place on the same day at other hours is most
    likely the one the office moved, not a second one: say so instead of adding it."""
    day = starts_at.astimezone(zone).date()
    start = datetime.combine(day, time(0), tzinfo=zone)
    same_day = await session.scalar(
        select(ServiceSession.id).where(
            ServiceSession.place_id == place_id,
            ServiceSession.starts_at >= start,
            ServiceSession.starts_at < start + timedelta(days=1),
            ServiceSession.state == SessionState.OPEN,
        )
    )
    if same_day is not None:
        raise RowError(Problem.POSSIBLE_DUPLICATE, "start")


async def import_sessions(
    db: Database,
    header: list[Any],
    rows: Iterable[tuple[int, list[Any] | None]],
    *,
    today: date,
    zone: ZoneInfo,
    moving: Moving,
) -> ImportResult:
    """Add or update the sessions of a file (matched by code, else by place and start)."""
    fields = table_rows.header_fields(
        header, session_rows.SESSION_HEADERS, session_rows.SESSION_REQUIRED
    )
    result = ImportResult()
    directory = Directory()
    for number, cells in rows:
        if cells is None:
            result.rejected.append(Rejected(number, Problem.CELL_TOO_LARGE))
            continue
        values = {f: cell for f, cell in zip(fields, cells, strict=False) if f}
        place = table_rows.shown_name(values.get("place"))  # what the rejects file names
        kind = place_kind(values.get("kind"))
        if kind is not None:  # the office's many words for a place, as the row checks take it
            values["kind"] = kind.value
        try:
            row = session_rows.session_row(values, today=today)
            async with db.session() as session:
                added, moved, reach = await _store_session(session, row, zone, directory, moving)
        except RowError as error:
            result.rejected.append(Rejected(number, error.problem, error.column, place))
            directory = Directory()  # what it learnt in the rolled-back transaction is gone
            continue
        result.added += added
        result.updated += not added
        result.moved += moved
        result.told += reach.told
        result.untold += reach.untold
    return result
