"""What a 403 means: the person blocked the bot. Stop writing to them, and tell who can help."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account
from bot.domain.kinds import Actor, Channel
from bot.domain.outbox_kinds import Kind
from bot.services import events, ladder, outbox
from bot.services.outbox import Message


async def mark(session: AsyncSession, account_id: int, now: datetime, staff_language: str) -> None:
    """Mark the account unreachable, cancel what waits for it, and queue a notice to the teen's
    parents and to staff (in the office's language, for staff without one of their own)."""
    account = await session.get(Account, account_id)
    if account is None or account.unreachable_at is not None:
        return
    account.unreachable_at = now
    # What carries a number on her record goes down the ladder; the rest waits for no one.
    await ladder.fall_pending(session, account_id, failed=Channel.TELEGRAM, why="blocked", now=now)
    await outbox.cancel(session, account_id=account_id)
    events.record(
        session,
        "unreachable",
        actor=Actor.SYSTEM,
        channel=Channel.TELEGRAM,
        account_id=account_id,
        target_id=account.target_id,
    )
    if account.target_id is None:
        return
    notice = Message(
        kind=Kind.UNREACHABLE,
        due_at=now,
        params={"target_id": account.target_id},
        dedupe=f"unreachable:{account.target_id}",
    )
    helpers = await outbox.recipients_of(session, account.target_id, teen=False)
    helpers += await outbox.staff_recipients(session, staff_language)
    await outbox.enqueue(session, helpers, [notice])
