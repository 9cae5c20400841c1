"""Consent to a privacy notice: recorded with the notice's version and time on every path
(/daftar, sharing a phone number after an invitation, a guardian linking), and kept as proof
when it is withdrawn (/hapus): withdrawn_at is set, the row stays."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Consent
from bot.domain.kinds import Actor, Channel
from bot.services import events


def record(
    session: AsyncSession,
    account_id: int,
    *,
    notice_version: str,
    given_as: str = "teen",
    target_id: int | None = None,
) -> None:
    """Someone agreed to the current privacy notice (kept as proof, even after /hapus)."""
    session.add(
        Consent(
            account_id=account_id,
            target_id=target_id,
            given_as=given_as,
            notice_version=notice_version,
        )
    )
    events.record(
        session,
        "consent_given",
        actor=Actor.PARENT if given_as == "parent" else Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account_id,
        target_id=target_id,
        notice_version=notice_version,
    )


async def withdraw(session: AsyncSession, account_id: int, now: datetime) -> None:
    """Every consent this account gave is withdrawn as of now (the rows stay)."""
    await session.execute(
        update(Consent)
        .where(Consent.account_id == account_id, Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
