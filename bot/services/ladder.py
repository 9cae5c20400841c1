"""A message down the ladder (bot/domain/ladder.py): when its rung fails the person (Telegram
blocked, not a WhatsApp user, an SMS that cannot arrive), the same outbox row moves to the
next open rung for the number on her record, in the unit of work that learnt of the failure.

The row is moved, never copied: whichever process or webhook sees the failure, the message
exists once, on one channel at a time, so nobody gets it twice on two channels. Each step is
an event on the teen's record ("ladder_step": from, to, why), and so is the end of the ladder
("ladder_end"): below the last rung is people's work (the unreached list).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import phones_of
from bot.db.models import ContactPoint, OutboxMessage
from bot.domain.kinds import Actor, Channel, OutboxState
from bot.domain.ladder import next_rung, tried_list
from bot.services import events, outbox


async def fall(
    session: AsyncSession,
    row: OutboxMessage,
    *,
    failed: Channel,
    why: str,
    now: datetime,
) -> Channel | None:
    """Move `row` from the rung that failed to the next open one (pending, due now); the rung
    it went to, or None when none is left (the row keeps the state its failure gave it)."""
    point = await session.get(ContactPoint, row.contact_id) if row.contact_id else None
    tried = [*tried_list(row.tried), failed.value]
    rung = next_rung(phones_of(session), outbox.reachable(point), tried) if point else None
    events.record(
        session,
        "ladder_step" if rung is not None else "ladder_end",
        actor=Actor.SYSTEM,
        channel=failed,
        target_id=point.target_id if point is not None else None,
        failed=failed.value,
        to=rung.value if rung is not None else None,
        why=why,
        message=row.message_key,
    )
    if point is None or rung is None:
        return None
    # The number's now, not the account's (its language stays the row's).
    row.channel, row.chat_id, row.account_id = rung, -point.id, None
    row.tried = ",".join(tried)
    row.state, row.lease_until, row.attempts = OutboxState.PENDING, None, 0
    row.due_at = min(row.due_at, now)
    row.external_id = row.delivery = None
    row.last_error = why
    return rung


async def fall_pending(
    session: AsyncSession, account_id: int, *, failed: Channel, why: str, now: datetime
) -> int:
    """An account Telegram can no longer reach: its pending rows that carry a number move to
    the next rung; the rest are the caller's to cancel. How many moved."""
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.account_id == account_id,
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.channel == Channel.TELEGRAM,
            OutboxMessage.contact_id.is_not(None),
        )
    )
    moved = 0
    for row in rows:
        moved += await fall(session, row, failed=failed, why=why, now=now) is not None
    return moved


async def fall_number(
    session: AsyncSession, contact_id: int, *, failed: Channel, why: str, now: datetime
) -> int:
    """A number a channel can never reach (not a WhatsApp user): what waits for it on that
    channel moves down now, rather than fail there one message at a time. How many moved."""
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.channel == failed,
            OutboxMessage.state == OutboxState.PENDING,
        )
    )
    moved = 0
    for row in rows:
        moved += await fall(session, row, failed=failed, why=why, now=now) is not None
    return moved
