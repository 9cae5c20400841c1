"""What WhatsApp and the SMS gateway say of a message after they took it: delivered, read, or
failed. A failure that cannot pass (not a WhatsApp user, an SMS the network will not carry)
sends the message down the ladder (bot/services/ladder.py); one that can (the messaging limit,
no signal) tries the same rung again later. A status for a message already moved on, or one
seen before, changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContactPoint, OutboxMessage, WebhookEvent
from bot.db.queries import insert_or_ignore
from bot.domain.kinds import Channel, OutboxState
from bot.services import ladder

RETRY_LATER = timedelta(minutes=10)


async def status(
    session: AsyncSession,
    channel: Channel,
    external_id: str,
    state: str,
    *,
    now: datetime,
    why: str = "",
    passes: bool = False,
    not_a_user: bool = False,
    closed_window: bool = False,
) -> bool:
    """Record what the channel said of its message `external_id` (state: "delivered",
    "read", "failed", ...). `passes`: a failure that may pass if tried later. False when no
    such message is waiting on that channel (moved on, or never ours)."""
    row = await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.external_id == external_id, OutboxMessage.channel == channel)
        .with_for_update()
    )
    if row is None:
        return False
    if state != "failed":
        if row.delivery != "read":  # "delivered" may come after "read"; read stays
            row.delivery, row.delivery_at = state, now
        return True
    row.delivery, row.delivery_at, row.last_error = "failed", now, why[:500]
    point = await session.get(ContactPoint, row.contact_id) if row.contact_id else None
    if point is not None and not_a_user:
        point.whatsapp_user = False
    if point is not None and closed_window:
        point.whatsapp_window_until = None  # the template, then
    if passes or closed_window:
        row.state, row.external_id = OutboxState.PENDING, None
        row.lease_until = now if closed_window else now + RETRY_LATER
        return True
    row.state = OutboxState.FAILED
    await ladder.fall(session, row, failed=channel, why=why or "failed", now=now)
    if point is not None and not_a_user:
        await ladder.fall_number(session, point.id, failed=channel, why=why, now=now)
    return True


async def first_time(session: AsyncSession, key: str, now: datetime) -> bool:
    """Whether this webhook event (a WhatsApp message id, an SMS gateway event id) is new: it
    is marked seen in the same unit of work as what it does, so a retry of it does nothing."""
    inserted = await session.execute(
        insert_or_ignore(session, WebhookEvent, [{"key": key[:160], "at": now}], "key")
    )
    return bool(inserted.rowcount)  # type: ignore[attr-defined]
