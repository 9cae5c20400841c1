"""Seats at a session: taken and released with conditional updates, never over capacity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ServiceSession
from bot.domain.kinds import SessionState


async def take(session: AsyncSession, session_id: int, *, now: datetime, before: datetime) -> bool:
    """Hold one seat at an open session starting between `now` and `before`; False when it is
    full, past, too late (on or after election day) or cancelled.

    One UPDATE with the capacity in its WHERE clause: whichever transaction commits first gets
    the last seat, the other updates no row. No read-then-write race on either backend.
    """
    result = await session.execute(
        update(ServiceSession)
        .where(
            ServiceSession.id == session_id,
            ServiceSession.booked < ServiceSession.capacity,
            ServiceSession.state == SessionState.OPEN,
            ServiceSession.starts_at > now,
            ServiceSession.starts_at < before,
        )
        .values(booked=ServiceSession.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def release(session: AsyncSession, session_id: int) -> None:
    """Give a seat back (a decline, a move away, a home visit instead)."""
    await session.execute(
        update(ServiceSession)
        .where(ServiceSession.id == session_id, ServiceSession.booked > 0)
        .values(booked=ServiceSession.booked - 1)
        .execution_options(synchronize_session=False)
    )
