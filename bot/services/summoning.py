"""`rekam summon`: call every eligible, unsummoned teen by name to a session, in bulk.

The plan is made in memory (bot.domain.planning) and written in one transaction with a few
set-based statements, so a city's 280,000 teens are summoned in seconds. Seats are taken with
the same conditional UPDATE the bot uses (booked + n <= capacity): if the bot gave a seat away
while the plan was being made, nothing is written and the office is asked to run it again.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    func,
    insert,
    literal,
    select,
    union,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import leases
from bot.db.engine import phones_of
from bot.db.models import (
    Account,
    ContactPoint,
    Event,
    ParentLink,
    Place,
    Region,
    School,
    ServiceSession,
    Summons,
    Target,
    WaitingTeen,
)
from bot.db.queries import core_table
from bot.db.types import UTCDateTime
from bot.domain import planning, venues
from bot.domain.eligibility import RECORDING_AGE, add_years
from bot.domain.kinds import (
    Actor,
    Channel,
    LinkState,
    PlaceKind,
    SessionState,
    SummonsState,
    TargetReview,
)
from bot.services import notices

# Nobody is called to a session that starts sooner than this: they could not plan to come.
NOTICE = timedelta(hours=24)
_CHUNK = 5000
# The lease row whose holder is the last office day the newly-16 were summoned.
_DAILY = "summon_newly_of_age"


class SeatsChangedError(RuntimeError):
    """Seats were taken by someone else while the plan was made; nothing was written."""


@dataclass(frozen=True)
class Shortage:
    kecamatan: str | None
    kelurahan: str | None
    teens: int


@dataclass
class SummonResult:
    summoned: int = 0
    sessions: int = 0
    waiting: int = 0
    too_young: int = 0
    shortages: list[Shortage] = field(default_factory=list)
    messages_queued: int = 0


async def _teens(
    session: AsyncSession, today: date, turned_16_after: date | None
) -> tuple[list[planning.Teen], int]:
    """Accepted targets not recorded and never summoned (with `turned_16_after`: only those
    whose 16th birthday came after that day), oldest first; and how many are too young to
    record yet."""
    rows = await session.execute(
        select(
            Target.id,
            Target.birth_date,
            Target.region_id,
            Region.kecamatan,
            Target.school_id,
            Target.preferred_days,
            Target.institution,
        )
        .outerjoin(Region, Region.id == Target.region_id)
        .outerjoin(Summons, Summons.target_id == Target.id)
        .where(
            Target.review == TargetReview.ACCEPTED,
            Target.recorded_at.is_(None),
            Summons.id.is_(None),
        )
        .order_by(Target.birth_date, Target.id)
    )
    teens, too_young = [], 0
    for target_id, born, region_id, kecamatan, school_id, days, institution in rows:
        # 16 today, so 16 on the day of any session ahead: the age check at the session's date
        # holds for every slot. Those who turn 16 later are summoned by the planner's daily
        # round (summon_newly_of_age).
        if add_years(born, RECORDING_AGE) > today:
            too_young += 1
            continue
        if turned_16_after is not None and add_years(born, RECORDING_AGE) <= turned_16_after:
            continue  # old enough before: `rekam summon` is the office's call for them
        belongs = venues.person_keys(school_id, institution)
        teens.append(planning.Teen(target_id, region_id, kecamatan, school_id, str(days), belongs))
    return teens, too_young


async def _slots(
    session: AsyncSession, now: datetime, deadline: datetime, zone: Any
) -> list[tuple[planning.Slot, datetime]]:
    rows = await session.execute(
        select(
            ServiceSession.id,
            ServiceSession.starts_at,
            Place.region_id,
            Region.kecamatan,
            Place.school_id,
            ServiceSession.capacity - ServiceSession.booked,
            ServiceSession.services,
            Place.kind,
            Place.name,
            School.name,
        )
        .join(Place, Place.id == ServiceSession.place_id)
        .outerjoin(Region, Region.id == Place.region_id)
        .outerjoin(School, School.id == Place.school_id)
        .where(
            ServiceSession.state == SessionState.OPEN,
            ServiceSession.starts_at >= now + NOTICE,
            ServiceSession.starts_at < deadline,
            ServiceSession.booked < ServiceSession.capacity,
            Place.kind != PlaceKind.HOME,
        )
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    )
    return [
        (
            planning.Slot(
                id=sid,
                weekend=starts.astimezone(zone).weekday() >= 5,
                region_id=region_id,
                kecamatan=kecamatan,
                school_id=school_id,
                free=free,
                closed=venues.venue_keys(kind, school_id, place_name, school_name),
            ),
            starts,
        )
        for sid, starts, region_id, kecamatan, school_id, free, services, kind, place_name, school_name in rows
        if venues.RECORD in (services or ())  # the teens planned have not recorded yet
    ]


async def _shortages(
    session: AsyncSession, counts: Counter[tuple[str | None, int | None]]
) -> list[Shortage]:
    rows = await session.execute(
        select(Region.id, Region.kelurahan).where(Region.id.in_({r for _, r in counts if r}))
    )
    names = {region_id: kelurahan for region_id, kelurahan in rows}
    found = [
        Shortage(kec, names.get(region) if region else None, n)
        for (kec, region), n in counts.items()
    ]
    return sorted(found, key=lambda s: (-s.teens, s.kecamatan or "", s.kelurahan or ""))


def _plan_table() -> Table:
    """A temporary table holding the plan (session_id NULL: no place, so the waiting list), so
    the database writes the summonses, their events and the waiting list with INSERT ... SELECT
    statements instead of a million Python rows."""
    return Table(
        "summon_plan",
        MetaData(),
        Column("target_id", Integer, primary_key=True),
        Column("session_id", Integer, nullable=True),
        prefixes=["TEMPORARY"],
    )


async def _write(session: AsyncSession, plan: planning.Plan, now: datetime, by: str) -> Table:
    seats = Counter(plan.placed.values())
    for session_id, taken in sorted(seats.items()):
        result = await session.execute(
            update(ServiceSession)
            .where(
                ServiceSession.id == session_id,
                ServiceSession.state == SessionState.OPEN,
                ServiceSession.booked + taken <= ServiceSession.capacity,
            )
            .values(booked=ServiceSession.booked + taken)
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise SeatsChangedError(session_id)
    table = _plan_table()
    await session.run_sync(lambda sync: table.create(sync.connection()))
    everyone: list[tuple[int, int | None]] = sorted(plan.placed.items())
    everyone += [(t, None) for t in plan.unplaced]
    for start in range(0, len(everyone), _CHUNK):
        rows = [{"target_id": t, "session_id": s} for t, s in everyone[start : start + _CHUNK]]
        await session.execute(insert(table), rows)
    placed = table.c.session_id.is_not(None)
    json_object = (
        func.json_build_object
        if session.get_bind().dialect.name == "postgresql"
        else func.json_object
    )
    at = literal(now, UTCDateTime())
    await session.execute(
        insert(core_table(Summons)).from_select(
            ["target_id", "session_id", "state", "revision", "created_at", "updated_at"],
            select(
                table.c.target_id,
                table.c.session_id,
                literal(SummonsState.SUMMONED.value),
                literal(0),
                at,
                at,
            ).where(placed),
        )
    )
    await session.execute(
        insert(core_table(Event)).from_select(
            ["at", "actor", "channel", "target_id", "kind", "data"],
            select(
                at,
                literal(Actor.STAFF.value),
                literal(Channel.CLI.value),
                table.c.target_id,
                literal("summoned"),
                json_object("session_id", table.c.session_id, "by", literal(by)),
            ).where(placed),
        )
    )
    await session.execute(
        insert(core_table(WaitingTeen)).from_select(
            ["target_id", "since", "offers"],
            select(table.c.target_id, at, literal(0)).where(
                table.c.session_id.is_(None),
                table.c.target_id.not_in(select(WaitingTeen.target_id)),
            ),
        )
    )
    return table


async def _notify_linked(
    session: AsyncSession,
    table: Table,
    starts: dict[int, datetime],
    policy: notices.Policy,
    now: datetime,
) -> int:
    """Queue the summons for the teens (and parents) already on Telegram, and, where the
    office sends on WhatsApp or SMS, for those with a number on their record; the others get
    it the moment they link (notices.linked_late)."""
    teens = select(Account.target_id).join(table, table.c.target_id == Account.target_id)
    parents = (
        select(ParentLink.target_id)
        .join(table, table.c.target_id == ParentLink.target_id)
        .where(ParentLink.state == LinkState.ACTIVE)
    )
    sources = [teens, parents]
    if phones_of(session):
        sources.append(
            select(ContactPoint.target_id).join(table, table.c.target_id == ContactPoint.target_id)
        )
    linked = select(Summons.id, Summons.target_id, Summons.session_id).where(
        Summons.target_id.in_(union(*sources).scalar_subquery())
    )
    found = (await session.execute(linked.order_by(Summons.target_id))).all()
    for summons_id, target_id, session_id in found:
        await notices.summoned(
            session,
            summons_id=summons_id,
            target_id=target_id,
            session_id=session_id,
            starts_at=starts[session_id],
            policy=policy,
            now=now,
        )
    return len(found)


async def summon_all(
    session: AsyncSession,
    *,
    now: datetime,
    deadline: datetime,
    policy: notices.Policy,
    dry_run: bool,
    by: str = "rekam summon",
    turned_16_after: date | None = None,
) -> SummonResult:
    """Plan and (unless `dry_run`) write the summonses, the waiting list and the messages;
    with `turned_16_after`, only for the teens who became old enough since that day."""
    today = now.astimezone(policy.zone).date()
    teens, too_young = await _teens(session, today, turned_16_after)
    slots = await _slots(session, now, deadline, policy.zone)
    plan = planning.plan(teens, [slot for slot, _ in slots])
    result = SummonResult(
        summoned=len(plan.placed),
        sessions=len(set(plan.placed.values())),
        waiting=len(plan.unplaced),
        too_young=too_young,
        shortages=await _shortages(session, plan.shortage),
    )
    if not dry_run:
        table = await _write(session, plan, now, by)
        starts = {slot.id: starts_at for slot, starts_at in slots}
        result.messages_queued = await _notify_linked(session, table, starts, policy, now)
        await session.run_sync(lambda sync: table.drop(sync.connection()))
    return result


async def summon_newly_of_age(
    session: AsyncSession, *, now: datetime, deadline: datetime, policy: notices.Policy
) -> SummonResult | None:
    """Once an office day (the planner's round): summon the teens who turned 16 since the last
    time, as `rekam summon` would have had they been old enough then. Nothing before the
    office has summoned anyone: when to start is theirs to say. None when already done today."""
    today = now.astimezone(policy.zone).date()
    last = await leases.holder_of(session, _DAILY)
    if not await leases.first_in(session, _DAILY, today.isoformat(), now=now):
        return None
    if await session.scalar(select(Summons.id).limit(1)) is None:
        return SummonResult()
    since = date.fromisoformat(last) if last else today - timedelta(days=1)
    return await summon_all(
        session,
        now=now,
        deadline=deadline,
        policy=policy,
        dry_run=False,
        by="planner",
        turned_16_after=since,
    )
