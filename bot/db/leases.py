"""Named leases in the database: one holder at a time, until it stops renewing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Lease
from bot.db.queries import insert_or_ignore


async def acquire(
    session: AsyncSession, name: str, holder: str, *, now: datetime, ttl: timedelta
) -> bool:
    """Take or renew the lease `name` for `holder`; False while someone else holds it."""
    renewed = await session.execute(
        update(Lease)
        .where(Lease.name == name, or_(Lease.until < now, Lease.holder == holder))
        .values(holder=holder, until=now + ttl)
    )
    if renewed.rowcount:  # type: ignore[attr-defined]
        return True
    row = {"name": name, "holder": holder, "until": now + ttl}
    return await insert_or_ignore(session, Lease, row, "name")


async def release(session: AsyncSession, name: str, holder: str) -> None:
    await session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


async def live(session: AsyncSession, prefix: str, *, now: datetime) -> list[str]:
    """Names of unexpired leases starting with `prefix`, sorted."""
    rows = await session.execute(
        select(Lease.name)
        .where(Lease.name.startswith(prefix), Lease.until >= now)
        .order_by(Lease.name)
    )
    return list(rows.scalars())


async def first_in(session: AsyncSession, name: str, period: str, *, now: datetime) -> bool:
    """True the first time `name` is asked for in this `period` (say, an office date), then
    False until the period changes. The period is kept as the lease's holder, so a restart
    does not run the day's work twice; a unit of work that rolls back forgets it."""
    moved = await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.holder != period)
        .values(holder=period, until=now)
    )
    if moved.rowcount:  # type: ignore[attr-defined]
        return True
    row = {"name": name, "holder": period, "until": now}
    return await insert_or_ignore(session, Lease, row, "name")


async def holder_of(session: AsyncSession, name: str) -> str | None:
    return await session.scalar(select(Lease.holder).where(Lease.name == name))
