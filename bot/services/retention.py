"""Keeping personal data no longer than its purpose: abandoned conversations forgotten after a
day (a NIK typed into a /daftar left half-way), and everything personal deleted RETENTION_DAYS
after election day (`rekam purge`), keeping the office's figures and the proof of consent."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Account,
    Base,
    Claim,
    ContactPoint,
    Event,
    HomeVisit,
    OutboxMessage,
    ParentLink,
    Place,
    ProcessedUpdate,
    Summons,
    Target,
    WaitingTeen,
)
from bot.domain.kinds import Actor, Channel, PlaceKind
from bot.services import events

CONVERSATION_KEPT = timedelta(days=1)
PURGED = ""  # what a purged record's name and sealed NIK hold


async def forget_abandoned_conversations(session: AsyncSession, now: datetime) -> int:
    """Conversations nobody answered for a day end, with what they collected."""
    result = await session.execute(
        update(Account)
        .where(Account.conversation.is_not(None), Account.updated_at < now - CONVERSATION_KEPT)
        .values(conversation=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@dataclass
class Purged:
    """What `rekam purge` removed (or would remove)."""

    targets: int = 0  # records emptied of name, NIK, birth day, address (figures kept)
    accounts: int = 0
    parent_links: int = 0
    claims: int = 0
    queued_messages: int = 0
    waiting: int = 0
    guesses: int = 0  # who-guessed-what on refused guesses
    numbers: int = 0  # phone numbers on records (issue 24's contact points)

    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


async def _count(session: AsyncSession, model: type[Base], *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(model).where(*where)
    return int(await session.scalar(query) or 0)


async def purge(session: AsyncSession, *, now: datetime, by: str, dry_run: bool) -> Purged:
    """Delete personal data, keeping what the figures need (area, school, recorded or not,
    the year of birth), id-only events and consents (as proof, without the account). Safe to
    run again: what is gone is not counted twice."""
    personal = Target.name != PURGED
    found = Purged(
        targets=await _count(session, Target, personal),
        accounts=await _count(session, Account),
        parent_links=await _count(session, ParentLink),
        claims=await _count(session, Claim),
        queued_messages=await _count(session, OutboxMessage),
        waiting=await _count(session, WaitingTeen),
        guesses=await _count(session, Event, Event.claimant.is_not(None)),
        numbers=await _count(session, ContactPoint),
    )
    if dry_run or not found.total():
        return found
    # Children first: rows that point at accounts and targets go before them.
    await session.execute(delete(OutboxMessage))
    await session.execute(delete(ParentLink))
    await session.execute(delete(Claim))
    await session.execute(delete(WaitingTeen))
    await session.execute(delete(ContactPoint))
    await session.execute(delete(ProcessedUpdate))
    await session.execute(delete(Account))
    await session.execute(update(Summons).values(note=None))
    await session.execute(update(HomeVisit).values(reason=None))
    # A home visit's place is named for the family's address.
    await session.execute(
        update(Place).where(Place.kind == PlaceKind.HOME).values(name=PURGED, address="")
    )
    await session.execute(
        update(Event).where(Event.claimant.is_not(None)).values(claimant=None, subject=None)
    )
    for target in await session.scalars(select(Target).where(personal)):
        target.name = PURGED
        target.nik_sealed = PURGED
        target.nik_hash = f"purged:{target.id}"  # unique, and matches no NIK
        target.birth_date = target.birth_date.replace(month=1, day=1)
        target.sex = target.address = None
        # Codes: unique placeholders that no typed code hashes to; a parent code links no more.
        target.invite_hash, target.invite_sealed = f"purged:invite{target.id}", PURGED
        target.attend_hash, target.attend_sealed = f"purged:attend{target.id}", PURGED
        target.parent_hash = target.parent_sealed = None
    events.record(
        session,
        "personal_data_purged",
        actor=Actor.STAFF,
        channel=Channel.CLI,
        by=by,
        **{f.name: getattr(found, f.name) for f in fields(found)},
    )
    return found
