"""What the dispatcher's claim hands over for one row (`Claimed`: the row, rendered for its
rung, and the number a phone row goes to), and what recording a batch's results does beyond
the rows: the ladder step a send that failed its rung takes, and the statuses a channel sent
before the send's answer was written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContactPoint, OutboxMessage
from bot.db.vault import vault_of
from bot.delivery.attempts import Result
from bot.delivery.phones import Number
from bot.domain.kinds import Channel, OutboxState
from bot.presentation.outbox import Outgoing
from bot.presentation.outbox.phone import Said
from bot.services import deliveries, ladder


@dataclass(frozen=True)
class Claimed:
    """A claimed row, rendered for its rung (None: it no longer applies), with the number a
    phone row goes to (None for Telegram, or a number gone from the record)."""

    row: OutboxMessage
    message: Outgoing | Said | None
    number: Number | None = None


async def numbers_of(session: AsyncSession, rows: Sequence[OutboxMessage]) -> dict[int, Number]:
    """The numbers phone rows go to, opened, with WhatsApp's window and each channel's leave
    to write to them."""
    ids = {row.contact_id for row in rows if row.contact_id is not None}
    if not ids:
        return {}
    vault = vault_of(session)
    points = await session.scalars(select(ContactPoint).where(ContactPoint.id.in_(ids)))
    return {
        p.id: Number(
            vault.open_phone(p.phone_sealed),
            p.whatsapp_window_until,
            sms_stopped=p.sms_stopped_at is not None,
            whatsapp_consent=p.whatsapp_consent_at is not None,
        )
        for p in points
    }


async def down_the_ladder(session: AsyncSession, result: Result, now: datetime) -> None:
    """A rung failed the row's person: the row to the next rung, if this claim is still ours."""
    row = await session.get(OutboxMessage, result.row_id)
    if row is None or row.state != result.state or row.attempts != result.attempt:
        return  # another process has it now
    failed, why = row.channel, result.error or ""
    await ladder.fall(session, row, failed=failed, why=why, now=now)
    if result.not_a_user and row.contact_id is not None:
        await session.execute(
            update(ContactPoint)
            .where(ContactPoint.id == row.contact_id)
            .values(whatsapp_user=False)
        )
        await ladder.fall_number(session, row.contact_id, failed=failed, why=why, now=now)


async def early_statuses(session: AsyncSession, results: list[Result], now: datetime) -> None:
    """A phone channel may report on a message before its send's answer is recorded here:
    what it said is applied now that the message's id is written."""
    sent = [r for r in results if r.external_id is not None and r.state == OutboxState.SENT]
    if not sent:
        return
    rows = await session.execute(
        select(OutboxMessage.channel, OutboxMessage.external_id).where(
            OutboxMessage.id.in_([r.row_id for r in sent])
        )
    )
    by_channel: dict[Channel, list[str]] = {}
    for channel, external_id in rows:
        if external_id is not None:
            by_channel.setdefault(channel, []).append(external_id)
    for channel, ids in sorted(by_channel.items()):  # one order, whoever applies them
        await deliveries.apply_early(session, channel, ids, now)


async def windows_closed(session: AsyncSession, results: list[Result]) -> None:
    """WhatsApp refused free-form text as outside the window: the number's window is closed,
    so the row's next try is its template."""
    ids = [r.row_id for r in results if r.closed_window]
    if not ids:
        return
    numbers = select(OutboxMessage.contact_id).where(OutboxMessage.id.in_(ids))
    await session.execute(
        update(ContactPoint)
        .where(ContactPoint.id.in_(numbers.scalar_subquery()))
        .values(whatsapp_window_until=None)
    )
