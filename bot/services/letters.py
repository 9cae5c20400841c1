"""Who gets a printed summons letter (teens without Telegram, or a school's), what each says,
and its running number; bot/presentation/letters.py lays them out as a PDF."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Account,
    LetterNumber,
    Place,
    School,
    ServiceSession,
    Summons,
    Target,
)
from bot.db.queries import insert_all_or_ignore
from bot.db.vault import vault_of
from bot.domain.kinds import TargetReview
from bot.domain.nik import mask
from bot.domain.summons_rules import EXPECTED


@dataclass(frozen=True)
class Letter:
    name: str
    nik: str  # masked: the family checks the letter is for the right child
    code: str
    school: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    place: str | None
    address: str | None
    bring: str | None
    services: tuple[str, ...]
    number: int = 0  # the running number, {n} of LETTER_NUMBER
    summons_id: int = 0
    session_id: int = 0


async def letters(
    session: AsyncSession,
    *,
    school: str | None,
    everyone: bool,
    only: Collection[int] | None = None,
) -> list[Letter]:
    """Pending teens with a current summons: those without Telegram (or everyone, or `only`
    these targets: the unreached), optionally only one school's students; by school, then
    name; each numbered (see `numbered`)."""
    vault = vault_of(session)
    query = (
        select(Target, Summons.id, School.name, ServiceSession, Place)
        .join(Summons, Summons.target_id == Target.id)
        .join(ServiceSession, ServiceSession.id == Summons.session_id)
        .join(Place, Place.id == ServiceSession.place_id)
        .outerjoin(School, School.id == Target.school_id)
        .where(Target.recorded_at.is_(None), Summons.state.in_(EXPECTED))
        .order_by(School.name, Target.name, Target.id)
    )
    if school:
        query = query.where(School.name == school)
    if only is not None:
        query = query.where(Target.id.in_(list(only)))
    elif not everyone:
        query = query.where(
            ~Target.id.in_(select(Account.target_id).where(Account.target_id.is_not(None)))
        )
    found = [
        Letter(
            name=target.name,
            nik=mask(vault.open(target.nik_sealed)),
            code=vault.open_code(target.invite_sealed),
            school=school_name,
            starts_at=service.starts_at,
            ends_at=service.ends_at,
            place=place.name,
            address=place.address,
            bring=service.bring,
            services=tuple(service.services or ()),
            summons_id=summons_id,
            session_id=service.id,
        )
        for target, summons_id, school_name, service, place in await session.execute(query)
    ]
    return await numbered(session, found)


async def numbered(session: AsyncSession, found: list[Letter]) -> list[Letter]:
    """The letters with their running numbers: a summons printed again for the same session
    keeps its number; any other letter takes the next one. Numbers come from the database's
    own counter, so two offices' laptops printing at once never share one, and a number is
    never handed out again (a purge may leave gaps, which an archive tolerates)."""
    if not found:
        return found
    pairs = {(letter.summons_id, letter.session_id) for letter in found}
    summons_ids = sorted({summons_id for summons_id, _ in pairs})
    known = await _numbers(session, summons_ids)
    missing = [
        {"summons_id": letter.summons_id, "session_id": letter.session_id}
        for letter in found
        if (letter.summons_id, letter.session_id) not in known
    ]
    if missing:
        # Another printing at the same moment may number the same summons: it keeps its own.
        for start in range(0, len(missing), _CHUNK):
            rows = missing[start : start + _CHUNK]
            await insert_all_or_ignore(session, LetterNumber, rows, "summons_id", "session_id")
        known = await _numbers(session, summons_ids)
    return [replace(letter, number=known[letter.summons_id, letter.session_id]) for letter in found]


async def _numbers(session: AsyncSession, summons_ids: list[int]) -> dict[tuple[int, int], int]:
    numbers: dict[tuple[int, int], int] = {}
    for start in range(0, len(summons_ids), _CHUNK):
        chunk = summons_ids[start : start + _CHUNK]
        rows = await session.execute(
            select(LetterNumber.summons_id, LetterNumber.session_id, LetterNumber.id).where(
                LetterNumber.summons_id.in_(chunk)
            )
        )
        numbers.update({(summons_id, session_id): n for summons_id, session_id, n in rows})
    return numbers


# Bound parameters per IN (...): well under SQLite's and asyncpg's limits.
_CHUNK = 500


async def invitations(session: AsyncSession, *, school: str | None) -> list[tuple[str, str, str]]:
    """(masked NIK, name, code) of every accepted target not yet recorded, by school and name:
    the masked NIK lets a family check that a letter is for the right child."""
    vault = vault_of(session)
    query = (
        select(Target.nik_sealed, Target.name, Target.invite_sealed)
        .outerjoin(School, School.id == Target.school_id)
        .where(Target.recorded_at.is_(None), Target.review == TargetReview.ACCEPTED)
        .order_by(School.name, Target.name, Target.id)
    )
    if school:
        query = query.where(School.name == school)
    return [
        (mask(vault.open(sealed)), name, vault.open_code(code))
        for sealed, name, code in await session.execute(query)
    ]
