"""One lockout for every surface where someone could guess their way to a teen's record.

Every refused guess is an event (kind "refused:<surface>") carrying who guessed (`claimant`,
the Telegram user id: it survives /hapus and a new account row) and what was guessed at
(`subject`: a keyed hash of the code or of the NIK, whether or not it is on the list, so a
lock never tells whether a NIK exists, and the log holds no code a copy of the database could
use). Two counts, over the last MEMORY:
- the claimant's refusals on this surface (one person trying many codes or NIKs), and
- the subject's refusals on any surface, by anyone (many accounts trying one code or NIK).
Every LOCK_AFTER-th refusal of either count locks for a while, longer each time (1 h, 2 h,
4 h ... at most a day), so guessing costs more and more while the real owner is never locked
out for longer than they are told. Staff can lift a lock on a code or NIK (an event): every
refusal about it before then stops counting, in both counts, so whoever was locked by guessing
at it (the owner who mistyped her birth date three times included) may try again. Counting
from the append-only log means no conversation step, other command, old button, /hapus or
restart can reset a lock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.codes import Code, cleaned, find_by_code
from bot.db.models import Event, Target
from bot.db.vault import CODE_HASH_DIGITS, vault_of
from bot.domain.kinds import Actor, Channel
from bot.services import events

LOCK_AFTER = 3
FIRST_LOCK = timedelta(hours=1)
LONGEST_LOCK = timedelta(hours=24)
MEMORY = timedelta(hours=24)  # refusals older than this are forgotten
UNLOCKED = "lock_lifted"


class Surface(enum.StrEnum):
    INVITATION = "invitation"  # an invitation code and the teen's birth date
    REGISTRATION = "registration"  # /daftar: a NIK and the birth date in it
    PARENT_CODE = "parent_code"  # a child's code and birth date
    PARENT_NIK = "parent_nik"  # a child's NIK and birth date


def _kind(surface: Surface) -> str:
    return f"refused:{surface.value}"


_ALL_KINDS = tuple(_kind(surface) for surface in Surface)


_CODE = "code:"
_HASHED = 40  # hex digits of a keyed hash kept in a subject


def code_subject(code: str) -> str:
    """What a guess at a code is about: the code as printed (upper case). It is hashed with
    DATA_KEY (`_kept`) before it is stored or compared: the log never holds the code."""
    return _CODE + cleaned(code)[:16]


def _kept(session: AsyncSession, subject: str | None) -> str | None:
    """A subject as the log keeps it: a code's keyed hash instead of the code."""
    if subject is None or not subject.startswith(_CODE):
        return subject
    code = subject.removeprefix(_CODE)
    if len(code) == CODE_HASH_DIGITS and all(c in "0123456789abcdef" for c in code):
        return subject  # kept already
    return _CODE + vault_of(session).code_hash(code)[:_HASHED]


def nik_subject(nik_hash: str) -> str:
    """What a guess at a NIK is about: its keyed hash (bot/db/vault.py), never the NIK."""
    return "nik:" + nik_hash[:_HASHED]


def lock_length(refusals: int) -> timedelta:
    """How long the lock after this many refusals lasts: 1 h after the 3rd, 2 h after the 6th,
    4 h after the 9th, ... at most a day."""
    level = max(0, refusals // LOCK_AFTER - 1)
    longer: timedelta = FIRST_LOCK * (1 << min(level, 10))
    return min(LONGEST_LOCK, longer)


_LIFT = aliased(Event)


def _counts() -> ColumnElement[bool]:
    """A refusal still counts: staff have not lifted its code or NIK since it was made."""
    return ~exists().where(
        _LIFT.kind == UNLOCKED, _LIFT.subject == Event.subject, _LIFT.at >= Event.at
    )


@dataclass(frozen=True)
class Lock:
    """Guessing here stays refused until `until`."""

    until: datetime


async def _standing(
    session: AsyncSession, condition: ColumnElement[bool], now: datetime
) -> datetime | None:
    """When the lock on these refusals ends, if they are locked now."""
    count, last = (
        await session.execute(
            select(func.count(), func.max(Event.at)).where(
                condition, Event.at > now - MEMORY, _counts()
            )
        )
    ).one()
    if not count or count % LOCK_AFTER:
        return None
    ends: datetime = last + lock_length(int(count))
    return ends if ends > now else None


async def tries_left(
    session: AsyncSession,
    surface: Surface,
    *,
    claimant: int,
    now: datetime,
    subject: str | None = None,
) -> int:
    """How many more wrong tries before the next lock here, counted as `lock_on` counts: this
    person's on this surface, and (given one) the code's or NIK's by anyone since staff last
    lifted it; so that the last one is said before it is made, not after."""
    since = now - MEMORY
    own = await session.scalar(
        select(func.count()).where(
            Event.kind == _kind(surface), Event.claimant == claimant, Event.at > since, _counts()
        )
    )
    left = LOCK_AFTER - int(own or 0) % LOCK_AFTER
    subject = _kept(session, subject)
    if subject is not None:
        others = await session.scalar(
            select(func.count()).where(
                Event.kind.in_(_ALL_KINDS), Event.subject == subject, Event.at > since, _counts()
            )
        )
        left = min(left, LOCK_AFTER - int(others or 0) % LOCK_AFTER)
    return left


async def lock_on(
    session: AsyncSession, surface: Surface, *, claimant: int, subject: str | None, now: datetime
) -> Lock | None:
    """The lock on this claimant's guessing here, or on this subject for everyone, if any."""
    subject = _kept(session, subject)
    ends = [
        await _standing(session, (Event.kind == _kind(surface)) & (Event.claimant == claimant), now)
    ]
    if subject is not None:
        ends.append(
            await _standing(session, Event.kind.in_(_ALL_KINDS) & (Event.subject == subject), now)
        )
    found = [end for end in ends if end is not None]
    return Lock(max(found)) if found else None


async def refuse(
    session: AsyncSession,
    surface: Surface,
    *,
    claimant: int,
    subject: str | None,
    now: datetime,
    actor: Actor,
    account_id: int | None = None,
    target_id: int | None = None,
) -> Lock | None:
    """Count one refused guess; the lock it leads to, if any."""
    subject = _kept(session, subject)
    event = events.record(
        session,
        _kind(surface),
        actor=actor,
        channel=Channel.TELEGRAM,
        account_id=account_id,
        target_id=target_id,
    )
    event.at, event.claimant, event.subject = now, claimant, subject
    await session.flush()
    return await lock_on(session, surface, claimant=claimant, subject=subject, now=now)


@dataclass(frozen=True)
class Lifted:
    """What a lift changed: the code or NIK itself was locked for everyone, and how many people
    were locked by their own guesses at it (each may try again now)."""

    subject_locked: bool
    people: int

    @property
    def anything(self) -> bool:
        return self.subject_locked or self.people > 0


async def _lift_one(
    session: AsyncSession, subject: str, *, by: int | str, channel: Channel, now: datetime
) -> tuple[bool, set[int]]:
    """Lift one subject: (it was locked, the people locked by their guesses at it)."""
    subject = str(_kept(session, subject))
    about = Event.kind.in_(_ALL_KINDS) & (Event.subject == subject)
    subject_locked = await _standing(session, about, now) is not None
    guessers = await session.execute(
        select(Event.claimant, Event.kind)
        .where(about, Event.claimant.is_not(None), Event.at > now - MEMORY, _counts())
        .distinct()
    )
    locked_people = {
        claimant
        for claimant, kind in guessers
        if claimant is not None
        and await _standing(session, (Event.kind == kind) & (Event.claimant == claimant), now)
    }
    event = events.record(session, UNLOCKED, actor=Actor.STAFF, channel=channel, by=by)
    event.at, event.subject = now, subject
    await session.flush()
    return subject_locked, locked_people


async def lift_typed(
    session: AsyncSession, typed: str, *, by: int | str, channel: Channel, now: datetime
) -> Lifted:
    """Staff lift the lock on a code or a NIK as typed (the owner is at the desk, with their
    family card). When it is a listed teen's, every other way in to that teen is lifted too
    (her letter's and parent code, her NIK): she may have been locked on /daftar while staff
    type her letter's code, or the other way round."""
    vault = vault_of(session)
    bare = "".join(typed.split())
    if len(bare) == 16 and bare.isascii() and bare.isdigit():
        subjects = [nik_subject(vault.hash(bare))]
        target = await session.scalar(select(Target).where(Target.nik_hash == vault.hash(bare)))
    else:
        subjects = [code_subject(bare)]
        target = await find_by_code(session, bare, Code.INVITE, Code.PARENT)
    if target is not None:
        subjects.append(nik_subject(target.nik_hash))
        hashes = (target.invite_hash, target.parent_hash)
        subjects += [_CODE + digest for digest in hashes if digest]
    anything_locked, people = False, set[int]()
    for subject in dict.fromkeys(str(_kept(session, s)) for s in subjects):
        locked, guessers = await _lift_one(session, subject, by=by, channel=channel, now=now)
        anything_locked, people = anything_locked or locked, people | guessers
    return Lifted(anything_locked, len(people))
