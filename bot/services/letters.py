"""Who gets a printed summons letter (teens without Telegram, or a school's), and what each
says; bot/presentation/letters.py lays them out as a PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Place, School, ServiceSession, Summons, Target
from bot.db.vault import vault_of
from bot.domain.kinds import TargetReview
from bot.domain.nik import mask
from bot.services.summonses import EXPECTED


@dataclass(frozen=True)
class Letter:
    name: str
    code: str
    school: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    place: str | None
    address: str | None
    bring: str | None
    services: tuple[str, ...]


async def letters(session: AsyncSession, *, school: str | None, everyone: bool) -> list[Letter]:
    """Pending teens with a current summons: those without Telegram (or everyone), optionally
    only one school's students; by school, then name."""
    query = (
        select(Target, School.name, ServiceSession, Place)
        .join(Summons, Summons.target_id == Target.id)
        .join(ServiceSession, ServiceSession.id == Summons.session_id)
        .join(Place, Place.id == ServiceSession.place_id)
        .outerjoin(School, School.id == Target.school_id)
        .where(Target.recorded_at.is_(None), Summons.state.in_(EXPECTED))
        .order_by(School.name, Target.name, Target.id)
    )
    if school:
        query = query.where(School.name == school)
    if not everyone:
        query = query.where(
            ~Target.id.in_(select(Account.target_id).where(Account.target_id.is_not(None)))
        )
    return [
        Letter(
            name=target.name,
            code=target.invite_code,
            school=school_name,
            starts_at=service.starts_at,
            ends_at=service.ends_at,
            place=place.name,
            address=place.address,
            bring=service.bring,
            services=tuple(service.services or ()),
        )
        for target, school_name, service, place in await session.execute(query)
    ]


async def invitations(session: AsyncSession, *, school: str | None) -> list[tuple[str, str, str]]:
    """(masked NIK, name, code) of every accepted target not yet recorded, by school and name:
    the masked NIK lets a family check that a letter is for the right child."""
    vault = vault_of(session)
    query = (
        select(Target.nik_sealed, Target.name, Target.invite_code)
        .outerjoin(School, School.id == Target.school_id)
        .where(Target.recorded_at.is_(None), Target.review == TargetReview.ACCEPTED)
        .order_by(School.name, Target.name, Target.id)
    )
    if school:
        query = query.where(School.name == school)
    return [
        (mask(vault.open(sealed)), name, code)
        for sealed, name, code in await session.execute(query)
    ]
