"""A message down the ladder (bot/domain/ladder.py): when its rung fails the person (Telegram
blocked, not a WhatsApp user, an SMS that cannot arrive), the same outbox row moves to the
next open rung for the number on her record, in the unit of work that learnt of the failure.

The row is moved, never copied: whichever process or webhook sees the failure, the message
exists once, on one channel at a time, so nobody gets it twice on two channels. Each step is
an event on the teen's record ("ladder_step": from, to, why), and so is the end of the ladder
("ladder_end"): below the last rung is people's work (the unreached list).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.engine import phones_of
from bot.db.models import ContactPoint, OutboxMessage, Summons
from bot.domain.kinds import Actor, Channel, OutboxState, SummonsState
from bot.domain.ladder import next_rung, tried_list
from bot.domain.outbox_kinds import Kind
from bot.services import events, outbox

_CLIMBED_AT_ONCE = 500  # a round's share: the next round takes the rest
_CLIMB = literal("climb:", String)


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
    # Pending again at once if it was due (a reminder keeps its hour).
    row.state, row.lease_until, row.attempts = OutboxState.PENDING, None, 0
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
    """A number a channel can no longer reach (not a WhatsApp user, BERHENTI): what waits for
    it on that channel moves down now, rather than fail there one message at a time; what has
    no rung left is cancelled. How many moved."""
    rows = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.channel == failed,
            OutboxMessage.state == OutboxState.PENDING,
        )
    )
    moved = 0
    for row in list(rows):
        if await fall(session, row, failed=failed, why=why, now=now) is not None:
            moved += 1
        else:  # no rung left: it waits for nobody
            row.state = OutboxState.CANCELLED
            row.dedupe_key = None
    return moved


async def climb(session: AsyncSession, *, now: datetime, wait: timedelta) -> int:
    """Summonses sent `wait` ago and still unanswered climb the ladder: the summons is sent
    again to the same person on their next open rung (once per rung: its dedupe key
    names the row it follows). An answer on any channel, meanwhile, stops it. How many."""
    follows = aliased(OutboxMessage)
    phones = phones_of(session)
    if not phones:
        return 0
    unanswered = (
        select(OutboxMessage)
        .join(Summons, Summons.id == OutboxMessage.summons_id)
        .where(
            OutboxMessage.message_key.in_((Kind.SUMMONS.value, Kind.SESSION_MOVED.value)),
            OutboxMessage.state == OutboxState.SENT,
            OutboxMessage.contact_id.is_not(None),
            OutboxMessage.channel != Channel(phones[-1]),  # the last rung climbs nowhere
            OutboxMessage.sent_at <= now - wait,
            Summons.state.in_((SummonsState.SUMMONED, SummonsState.MOVED)),
            Summons.answered_at.is_(None) | (Summons.answered_at < OutboxMessage.sent_at),
            ~exists().where(follows.dedupe_key == _CLIMB + cast(OutboxMessage.id, String)),
        )
        .order_by(OutboxMessage.id)
        .limit(_CLIMBED_AT_ONCE)
    )
    # Page by id: a row with no rung open (its number stopped SMS, say) is passed over, and
    # never holds the ones after it back.
    sent: list[OutboxMessage] = []
    last = 0
    while len(sent) < _CLIMBED_AT_ONCE:
        page = list(await session.scalars(unanswered.where(OutboxMessage.id > last)))
        if not page:
            break
        last = page[-1].id
        for row in page:
            point = await session.get(ContactPoint, row.contact_id)
            tried = [*tried_list(row.tried), row.channel.value]
            if point is not None and next_rung(phones, outbox.reachable(point), tried):
                sent.append(row)
    climbed = 0
    for row in sent[:_CLIMBED_AT_ONCE]:
        point = await session.get(ContactPoint, row.contact_id)
        tried = [*tried_list(row.tried), row.channel.value]
        rung = next_rung(phones_of(session), outbox.reachable(point), tried) if point else None
        if point is None or rung is None:
            continue
        session.add(
            OutboxMessage(
                account_id=None,
                chat_id=-point.id,
                summons_id=row.summons_id,
                kind=row.kind,
                message_key=row.message_key,
                params=dict(row.params or {}),
                language=row.language,
                due_at=now,
                state=OutboxState.PENDING,
                attempts=0,
                dedupe_key=f"climb:{row.id}",
                channel=rung,
                contact_id=point.id,
                tried=",".join(tried),
            )
        )
        events.record(
            session,
            "ladder_step",
            actor=Actor.SYSTEM,
            channel=row.channel,
            target_id=point.target_id,
            failed=row.channel.value,
            to=rung.value,
            why="unanswered",
            message=row.message_key,
        )
        climbed += 1
    return climbed
