"""Update ids already handled (webhook mode): Telegram may deliver one twice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate
from bot.db.queries import insert_or_ignore


async def first_delivery(session: AsyncSession, update_id: int) -> bool:
    """Record the update id; False when another process or an earlier delivery had it."""
    return await insert_or_ignore(session, ProcessedUpdate, {"update_id": update_id}, "update_id")
