"""One lockout for every surface where someone could guess their way to a teen's record.

Every refused guess is an event (kind "refused:<surface>") carrying who guessed (`claimant`,
the Telegram user id: it survives /hapus and a new account row) and what was guessed at
(`subject`: the code, or a hash of the NIK, whether or not it is on the list, so a lock never
tells whether a NIK exists). A surface is locked for a claimant after LOCK_AFTER refusals of
theirs on it within WINDOW, and a subject is locked for everyone after LOCK_AFTER refusals about
it on any surface within WINDOW (a new Telegram account does not start afresh). Counting from
the append-only log means no conversation step, other command, old button, /hapus or restart
can reset a lock; it ends when the refusals age out of the window.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Event
from bot.domain.kinds import Actor, Channel
from bot.services import events

LOCK_AFTER = 3
WINDOW = timedelta(hours=1)


class Surface(enum.StrEnum):
    INVITATION = "invitation"  # an invitation code and the teen's birth date
    REGISTRATION = "registration"  # /daftar: a NIK and the birth date in it
    PARENT_CODE = "parent_code"  # a child's code and birth date
    PARENT_NIK = "parent_nik"  # a child's NIK and birth date


def _kind(surface: Surface) -> str:
    return f"refused:{surface.value}"


_ALL_KINDS = tuple(_kind(surface) for surface in Surface)


def code_subject(code: str) -> str:
    """What a guess at a code is about: the code as printed (upper case)."""
    return "code:" + code.strip().upper()[:16]


def nik_subject(nik: str) -> str:
    """What a guess at a NIK is about, without keeping the NIK itself in the event log."""
    return "nik:" + hashlib.sha256(nik.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class Lock:
    """Guessing here stays refused until `until`."""

    until: datetime


async def _recent(session: AsyncSession, condition: object, now: datetime) -> list[datetime]:
    result = await session.execute(
        select(Event.at)
        .where(condition, Event.at > now - WINDOW)  # type: ignore[arg-type]
        .order_by(Event.at.desc())
        .limit(LOCK_AFTER)
    )
    return list(result.scalars())


async def lock_on(
    session: AsyncSession, surface: Surface, *, claimant: int, subject: str | None, now: datetime
) -> Lock | None:
    """The lock on this claimant's guessing here, or on this subject for everyone, if any."""
    conditions = [(Event.kind == _kind(surface)) & (Event.claimant == claimant)]
    if subject is not None:
        conditions.append(Event.kind.in_(_ALL_KINDS) & (Event.subject == subject))
    until = None
    for condition in conditions:
        recent = await _recent(session, condition, now)
        if len(recent) >= LOCK_AFTER:
            # It lasts until the oldest of the last LOCK_AFTER refusals leaves the window.
            ends = recent[LOCK_AFTER - 1] + WINDOW
            until = ends if until is None else max(until, ends)
    return Lock(until) if until is not None else None


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
