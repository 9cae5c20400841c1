"""Everything the office knows about one teen (`rekam person`), read at once into a frozen
value: the list entry (NIK masked), who is linked, the summons and its history, what is still
queued to whom, and every event. Looking is itself an event: personal data seen by whom."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.codes import Code, find_by_code
from bot.db.models import (
    Account,
    Event,
    OutboxMessage,
    ParentLink,
    Place,
    Region,
    School,
    ServiceSession,
    Staff,
    Summons,
    Target,
    WaitingTeen,
)
from bot.db.vault import vault_of
from bot.domain.kinds import Actor, Channel, OutboxState
from bot.domain.nik import mask
from bot.services import contacts, events
from bot.services.contacts import Contact


@dataclass(frozen=True)
class LinkedAccount:
    telegram_id: int
    language: str
    unreachable_at: datetime | None


@dataclass(frozen=True)
class ParentOf:
    telegram_id: int
    name: str | None
    state: str
    method: str


@dataclass(frozen=True)
class SummonsOf:
    state: str
    session: int
    place: str
    starts_at: datetime
    reason: str | None
    note: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class Queued:
    kind: str
    due_at: datetime
    to: int  # the chat
    parent: bool


@dataclass(frozen=True)
class Who:
    """The staff member an event names: their name when the office has one."""

    name: str | None
    telegram_id: int | None


@dataclass(frozen=True)
class Happened:
    at: datetime
    kind: str
    actor: str
    channel: str
    data: dict[str, Any]
    by: Who | None = None  # the staff member who did it, when it was staff


@dataclass(frozen=True)
class Person:
    target_id: int
    name: str
    nik: str  # masked
    birth_date: date
    sex: str | None
    kelurahan: str | None
    kecamatan: str | None
    school: str | None
    category: str | None
    source: str
    review: str
    recorded_at: datetime | None
    waiting_since: datetime | None
    accounts: tuple[LinkedAccount, ...]
    parents: tuple[ParentOf, ...]
    numbers: tuple[Contact, ...]  # shown masked (Contact.shown)
    summons: SummonsOf | None
    queued: tuple[Queued, ...]
    events: tuple[Happened, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values: times as ISO 8601 text."""

        def plain(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value

        data = asdict(self)
        # Numbers are personal data, shown masked as the NIK is.
        data["numbers"] = [{**asdict(c), "number": c.shown} for c in self.numbers]
        return plain(data)  # type: ignore[no-any-return]


async def find(session: AsyncSession, nik_or_code: str) -> int | None:
    """The target with this NIK, attendance code or invitation code."""
    typed = "".join(nik_or_code.split())
    if typed.isdigit():
        return await session.scalar(
            select(Target.id).where(Target.nik_hash == vault_of(session).hash(typed))
        )
    found = await find_by_code(session, typed, Code.ATTEND, Code.INVITE)
    return found.id if found is not None else None


LOOKS = ("person_listed", "person_viewed")


def _telegram_id(by: object) -> int | None:
    """The Telegram id in an event's `by` ("staff:700000003", "700000003" or the number)."""
    text = str(by).removeprefix("staff:")
    return int(text) if text.isascii() and text.isdigit() else None


async def _staff_named(session: AsyncSession, said: list[object]) -> dict[str, Who]:
    """Each `by` an event holds, as the staff member it names: their name from the staff
    table; `rekam ... --by Sari` is a name already."""
    ids = {_telegram_id(by) for by in said} - {None}
    names = dict(
        (
            await session.execute(
                select(Staff.telegram_id, Staff.name).where(Staff.telegram_id.in_(ids))
            )
        ).all()
        if ids
        else []
    )
    who: dict[str, Who] = {}
    for by in said:
        if by is None or str(by) in who:
            continue
        number = _telegram_id(by)
        who[str(by)] = Who(names.get(number), number) if number is not None else Who(str(by), None)
    return who


async def _summons(session: AsyncSession, target_id: int) -> SummonsOf | None:
    row = (
        await session.execute(
            select(Summons, ServiceSession.starts_at, Place.name)
            .join(ServiceSession, ServiceSession.id == Summons.session_id)
            .join(Place, Place.id == ServiceSession.place_id)
            .where(Summons.target_id == target_id)
        )
    ).first()
    if row is None:
        return None
    summons, starts_at, place = row
    return SummonsOf(
        summons.state.value,
        summons.session_id,
        place,
        starts_at,
        summons.reason,
        summons.note,
        summons.answered_at,
    )


async def look(session: AsyncSession, target_id: int, *, by: str, channel: Channel) -> Person:
    """Everything about this teen, and the event that someone (`by`) looked."""
    target = await session.get(Target, target_id)
    assert target is not None
    region = await session.get(Region, target.region_id) if target.region_id else None
    school = await session.get(School, target.school_id) if target.school_id else None
    teen_accounts = list(
        await session.scalars(select(Account).where(Account.target_id == target_id))
    )
    links = (
        await session.execute(
            select(ParentLink, Account.telegram_id)
            .join(Account, Account.id == ParentLink.parent_account_id)
            .where(ParentLink.target_id == target_id)
            .order_by(ParentLink.id)
        )
    ).all()
    summons_id = await session.scalar(select(Summons.id).where(Summons.target_id == target_id))
    teen_ids = {a.id for a in teen_accounts}
    reached = teen_ids | {link.parent_account_id for link, _ in links}
    about: list[ColumnElement[bool]] = [OutboxMessage.account_id.in_(reached)] if reached else []
    if summons_id is not None:
        about.append(OutboxMessage.summons_id == summons_id)
    queued = (
        list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.state == OutboxState.PENDING, or_(*about))
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
            )
        )
        if about
        else []
    )
    # Looking at someone is an event (who saw whom) but not something that happened to them.
    history = list(
        await session.scalars(
            select(Event)
            .where(Event.target_id == target_id, Event.kind.not_in(LOOKS))
            .order_by(Event.at, Event.id)
        )
    )
    who = await _staff_named(session, [(e.data or {}).get("by") for e in history])
    person = Person(
        target_id=target.id,
        name=target.name,
        nik=mask(vault_of(session).open(target.nik_sealed)),
        birth_date=target.birth_date,
        sex=target.sex,
        kelurahan=region.kelurahan if region else None,
        kecamatan=region.kecamatan if region else None,
        school=school.name if school else None,
        category=target.category,
        source=target.source.value,
        review=target.review.value,
        recorded_at=target.recorded_at,
        waiting_since=await session.scalar(
            select(WaitingTeen.since).where(WaitingTeen.target_id == target_id)
        ),
        accounts=tuple(
            LinkedAccount(a.telegram_id, a.language, a.unreachable_at) for a in teen_accounts
        ),
        parents=tuple(
            ParentOf(chat, link.parent_name, link.state.value, link.method.value)
            for link, chat in links
        ),
        numbers=await contacts.of(session, target_id),
        summons=await _summons(session, target_id),
        queued=tuple(
            Queued(m.message_key, m.due_at, m.chat_id, m.account_id not in teen_ids) for m in queued
        ),
        events=tuple(
            Happened(
                e.at,
                e.kind,
                e.actor.value,
                e.channel.value,
                dict(e.data or {}),
                who.get(str((e.data or {}).get("by"))),
            )
            for e in history
        ),
    )
    events.record(
        session, "person_viewed", actor=Actor.STAFF, channel=channel, target_id=target_id, by=by
    )
    return person


async def look_if_there(
    session: AsyncSession, target_id: int, *, by: str, channel: Channel
) -> Person | None:
    """`look`, or None (and no event) when there is no such teen: an id typed into an address
    or a form, or someone deleted since the page was opened."""
    if await session.get(Target, target_id) is None:
        return None
    return await look(session, target_id, by=by, channel=channel)


async def reveal_nik(session: AsyncSession, target_id: int, *, by: str, channel: Channel) -> str:
    """The full NIK of this teen (who must exist), and the event that `by` saw it: a full NIK
    is shown only on a staff member's explicit request, and the office can say to whom."""
    target = await session.get(Target, target_id)
    assert target is not None
    events.record(
        session, "nik_revealed", actor=Actor.STAFF, channel=channel, target_id=target_id, by=by
    )
    return vault_of(session).open(target.nik_sealed)
