"""Phone numbers on a teen's record (issue 24's contact points): hers and a parent's or
guardian's, one of each, from the target list, from staff, or from her own Telegram account.

A number is read into E.164 (bot/domain/phones.py) or refused with its reason; it is kept as
the NIK is (a keyed hash to find whose number wrote, a sealed copy to send to it). A teen who
links Telegram later keeps her numbers: linking changes no contact point, and sharing 📱 sets
her own. Every change is an event on her record, the number in it masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContactPoint, Target
from bot.db.queries import one_of
from bot.db.vault import vault_of
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.domain.phones import PhoneError, PhoneProblem, masked, normalise
from bot.services import events

_LOOKED_UP = 5_000  # records whose numbers one query reads (bound parameters, one each)


@dataclass(frozen=True)
class Contact:
    """A number on a record, opened: for staff to read and a channel to send to."""

    whose: ContactOf
    number: str  # E.164
    source: ContactSource
    whatsapp_consent: bool
    sms_stopped: bool

    @property
    def shown(self) -> str:
        return masked(self.number)


@dataclass(frozen=True)
class Owner:
    """Whose a number is: the record, and whether it is the teen's or a guardian's."""

    target_id: int
    whose: ContactOf


@dataclass(frozen=True)
class Saved:
    """A number put on a record; `changed` is False when it was there already as given."""

    contact: Contact
    changed: bool


@dataclass(frozen=True)
class Refused:
    """A number not put on a record, and why (no such record, or the number itself)."""

    problem: PhoneProblem | None  # None: no such record


@dataclass(frozen=True)
class Listed:
    """The numbers a target-list row gives, read already (bot/domain/target_rows.py), and the
    record's NIK hash (its row may be new: no id yet)."""

    nik_hash: str
    teen: str | None
    guardian: str | None
    whatsapp_consent: bool


def _contact(row: ContactPoint, number: str) -> Contact:
    return Contact(
        row.whose,
        number,
        row.source,
        row.whatsapp_consent_at is not None,
        row.sms_stopped_at is not None,
    )


def _forget_the_old_number(row: ContactPoint) -> None:
    """A new number on the record: what was known of the old one was the old one's (its
    BERHENTI, its WhatsApp yes and whether it is on WhatsApp, its window, its GANTI list)."""
    row.sms_stopped_at = row.whatsapp_consent_at = row.whatsapp_window_until = None
    row.whatsapp_user = None
    row.sms_choices = None


async def of(session: AsyncSession, target_id: int) -> tuple[Contact, ...]:
    """The numbers on a record, the teen's first."""
    return (await of_many(session, [target_id])).get(target_id, ())


async def of_many(
    session: AsyncSession, target_ids: Sequence[int]
) -> dict[int, tuple[Contact, ...]]:
    """The numbers on each of these records, the teen's first, in one query (records with no
    number are left out)."""
    vault = vault_of(session)
    rows = await session.scalars(
        select(ContactPoint).where(ContactPoint.target_id.in_(list(target_ids)))
    )
    found: dict[int, list[Contact]] = {}
    for row in rows:
        found.setdefault(row.target_id, []).append(
            _contact(row, vault.open_phone(row.phone_sealed))
        )
    return {
        target_id: tuple(sorted(numbers, key=lambda c: c.whose != ContactOf.TEEN))
        for target_id, numbers in found.items()
    }


async def owners(session: AsyncSession, number: str) -> tuple[Owner, ...]:
    """Every record this number (E.164) is on, and as whose: a guardian's number can be on
    several siblings' records. Nothing for a number on no record."""
    digest = vault_of(session).phone_hash(number)
    rows = await session.execute(
        select(ContactPoint.target_id, ContactPoint.whose)
        .where(ContactPoint.phone_hash == digest)
        .order_by(ContactPoint.target_id)
    )
    return tuple(Owner(target_id, whose) for target_id, whose in rows)


async def points(session: AsyncSession, number: str) -> list[ContactPoint]:
    """The records' rows for this number (E.164), to change what it asked (a service's own
    use: front ends get `owners`)."""
    digest = vault_of(session).phone_hash(number)
    found = await session.scalars(
        select(ContactPoint)
        .where(ContactPoint.phone_hash == digest)
        .order_by(ContactPoint.target_id, ContactPoint.id)
    )
    return list(found)


async def put(
    session: AsyncSession,
    target_id: int,
    whose: ContactOf,
    typed: str | None,
    *,
    source: ContactSource,
    actor: Actor,
    channel: Channel,
    now: datetime,
    whatsapp_consent: bool | None = None,
    by: str | None = None,
) -> Saved | Refused:
    """Put a number on a record as whose it is, replacing the one there: read from what was
    typed, or refused with the reason. `typed` blank: the number there stays (its WhatsApp
    yes may change). `whatsapp_consent`: the family's yes to WhatsApp recorded (True) or
    withdrawn (False); None leaves it as it was (kept when the number is the same, none for a
    new number)."""
    if await session.get(Target, target_id) is None:
        return Refused(None)
    vault = vault_of(session)
    row = await session.scalar(
        select(ContactPoint).where(ContactPoint.target_id == target_id, ContactPoint.whose == whose)
    )
    try:
        if typed is None or not typed.strip():
            if row is None:
                raise PhoneError(PhoneProblem.UNREADABLE)
            number = vault.open_phone(row.phone_sealed)
        else:
            number = normalise(typed)
    except PhoneError as error:
        return Refused(error.problem)
    digest = vault.phone_hash(number)
    same_number = row is not None and row.phone_hash == digest
    consent_before = row is not None and row.whatsapp_consent_at is not None
    if row is None:
        row = ContactPoint(target_id=target_id, whose=whose, created_at=now)
        session.add(row)
    if not same_number:
        row.phone_hash, row.phone_sealed = digest, vault.seal_phones([number])[0]
        _forget_the_old_number(row)
    if not same_number:
        row.source = source
    row.updated_at = now
    if whatsapp_consent is True and row.whatsapp_consent_at is None:
        row.whatsapp_consent_at = now
    elif whatsapp_consent is False:
        row.whatsapp_consent_at = None
    consent_now = row.whatsapp_consent_at is not None
    changed = not same_number or consent_now != consent_before
    if changed:
        events.record(
            session,
            "contact_set",
            actor=actor,
            channel=channel,
            target_id=target_id,
            whose=whose.value,
            number=masked(number),
            whatsapp_consent=consent_now,
            by=by,
        )
    return Saved(_contact(row, number), changed)


async def remove(
    session: AsyncSession,
    target_id: int,
    whose: ContactOf,
    *,
    actor: Actor,
    channel: Channel,
    by: str | None = None,
) -> bool:
    """Take a number off a record (a wrong number, a family that asked); False if none."""
    gone = await session.execute(
        delete(ContactPoint)
        .where(ContactPoint.target_id == target_id, ContactPoint.whose == whose)
        .returning(ContactPoint.id)
    )
    if gone.first() is None:
        return False
    events.record(
        session,
        "contact_removed",
        actor=actor,
        channel=channel,
        target_id=target_id,
        whose=whose.value,
        by=by,
    )
    return True


async def put_listed(
    session: AsyncSession, listed: Sequence[Listed], *, now: datetime, by: str
) -> int:
    """The numbers of a chunk of target-list rows put on their records; how many changed.

    The list is the office's word: its number replaces one there, and its izin_wa records a
    yes (an empty izin_wa withdraws none: staff may have recorded it). An empty cell takes no
    number away. Each record's change is an event, as from the desk."""
    if not listed:
        return 0
    found = await session.execute(
        select(Target.nik_hash, Target.id).where(
            one_of(session, Target.nik_hash, [item.nik_hash for item in listed])
        )
    )
    ids = {nik_hash: id_ for nik_hash, id_ in found}
    wanted = [
        (ids[item.nik_hash], whose, number, item.whatsapp_consent)
        for item in listed
        for whose, number in ((ContactOf.TEEN, item.teen), (ContactOf.GUARDIAN, item.guardian))
        if number is not None
    ]
    vault = vault_of(session)
    target_ids = sorted({w[0] for w in wanted})
    existing: dict[tuple[int, ContactOf], ContactPoint] = {}
    for start in range(0, len(target_ids), _LOOKED_UP):
        part = target_ids[start : start + _LOOKED_UP]
        rows = await session.scalars(select(ContactPoint).where(ContactPoint.target_id.in_(part)))
        existing |= {(row.target_id, row.whose): row for row in rows}
    changed = 0
    for target_id, whose, number, consent in wanted:
        digest = vault.phone_hash(number)
        row = existing.get((target_id, whose))
        if (
            row is not None
            and row.phone_hash == digest
            and (not consent or row.whatsapp_consent_at is not None)
        ):
            continue
        if row is None:
            row = ContactPoint(target_id=target_id, whose=whose, created_at=now)
            session.add(row)
        if row.phone_hash != digest:
            row.phone_hash, row.phone_sealed = digest, vault.seal_phones([number])[0]
            _forget_the_old_number(row)
        row.source, row.updated_at = ContactSource.LIST, now
        if consent and row.whatsapp_consent_at is None:
            row.whatsapp_consent_at = now
        changed += 1
        events.record(
            session,
            "contact_set",
            actor=Actor.STAFF,
            channel=Channel.CLI,
            target_id=target_id,
            whose=whose.value,
            number=masked(number),
            whatsapp_consent=row.whatsapp_consent_at is not None,
            by=by,
            source="list",
        )
    return changed
