"""What WhatsApp and the SMS gateway say of a message after they took it: delivered, read, or
failed. A failure that cannot pass (not a WhatsApp user, an SMS the network will not carry)
sends the message down the ladder (bot/services/ladder.py); one that can (the messaging limit,
no signal) tries the same rung again later. A status for a message already moved on, or one
seen before, changes nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContactPoint, EarlyStatus, OutboxMessage, WebhookEvent
from bot.db.queries import insert_or_ignore
from bot.domain.kinds import Channel, OutboxState
from bot.services import ladder

RETRY_LATER = timedelta(minutes=10)
_ORDER = {"sent": 1, "delivered": 2, "read": 3}
# A failure that may pass (no signal) is tried again this often; then the next rung.
MOST_RESENDS = 5


def worth_writing(channel: Channel, state: str) -> bool:
    """Whether a status has anything to write. WhatsApp's "sent" (its server took the message)
    says what the send's own answer said, which the dispatcher wrote (SENT): it is answered
    without a unit of work. It was half of a WhatsApp reply's status webhooks, and, arriving
    before the send's answer most often, the costlier half. The SMS gateway's "sent" is news:
    the phone handed the SMS to the network, where its send's answer said only "Pending"."""
    if state == "sent":
        return channel == Channel.SMS
    return state in _ORDER or state == "failed"


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
    find = (
        select(OutboxMessage)
        .where(OutboxMessage.external_id == external_id, OutboxMessage.channel == channel)
        .with_for_update()
    )
    row = await session.scalar(find)
    if row is None and await lock_id(session, channel, external_id):
        # The dispatcher may have been writing this id: now it is written or not, look again.
        row = await session.scalar(find)
    if row is None:
        # Sent, and its answer not written yet: the webhook beat the dispatcher. Kept, and
        # applied when the id is written (`apply_early`).
        session.add(
            EarlyStatus(
                channel=channel,
                external_id=external_id,
                state=state,
                why=why[:500],
                passes=passes,
                not_a_user=not_a_user,
                closed_window=closed_window,
                at=now,
            )
        )
        return False
    if state != "failed":
        # Statuses may come out of order: one never goes back (sent < delivered < read).
        if _ORDER.get(state, 0) > _ORDER.get(row.delivery or "", 0):
            row.delivery, row.delivery_at = state, now
        return True
    if row.delivery in ("delivered", "read"):
        return True  # it arrived: a "failed" after that changes nothing
    climbed = await session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key == f"climb:{row.id}")
    )
    row.delivery, row.delivery_at, row.last_error = "failed", now, why[:500]
    if climbed is not None:  # it already went on to the next rung, unanswered: not again
        row.state = OutboxState.FAILED
        return True
    point = await session.get(ContactPoint, row.contact_id) if row.contact_id else None
    if point is not None and not_a_user:
        point.whatsapp_user = False
    if point is not None and closed_window:
        point.whatsapp_window_until = None  # the template, then
    resent = int((row.params or {}).get("resent", 0))
    if (passes and resent < MOST_RESENDS) or closed_window:
        # Sent again, as a new message (an SMS's key counts the tries: the gateway would take
        # the same key for the failed one and send nothing).
        params = dict(row.params or {})
        params["resent"] = int(params.get("resent", 0)) + 1
        row.params = params
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
    return await insert_or_ignore(session, WebhookEvent, {"key": key[:160], "at": now}, "key")


async def lock_id(session: AsyncSession, channel: Channel, external_id: str) -> bool:
    """Hold a channel's message id until this unit of work ends (PostgreSQL; SQLite has one
    writer at a time anyway): the dispatcher writing it and a status finding it not written
    take turns, so a status that came first is kept where the writer sees it, or finds it.
    Whether it took the lock, having waited for a writer that held it (PostgreSQL); False on
    SQLite, where nothing can have changed since this unit of work began."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
        {"key": f"{channel.value}:{external_id}"},
    )
    return True


async def apply_early(
    session: AsyncSession, channel: Channel, external_ids: list[str], now: datetime
) -> int:
    """The statuses that came before these messages' ids were written, applied now, in the
    order they came. How many."""
    if not external_ids:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        # Every id at once, in the order of the locks themselves (two writers never wait on
        # each other, even where two ids share a hash): one round trip a batch, where it was
        # one statement for each message sent. PostgreSQL takes the locks after the sort.
        await session.execute(
            text(
                "SELECT pg_advisory_xact_lock(hashtext(key))"
                " FROM unnest(CAST(:keys AS text[])) AS key ORDER BY hashtext(key)"
            ),
            {"keys": [f"{channel.value}:{external_id}" for external_id in external_ids]},
        )
    early = list(
        await session.scalars(
            select(EarlyStatus)
            .where(EarlyStatus.channel == channel, EarlyStatus.external_id.in_(external_ids))
            .order_by(EarlyStatus.id)
        )
    )
    for found in early:
        await session.delete(found)
        await status(
            session,
            channel,
            found.external_id,
            found.state,
            now=now,
            why=found.why,
            passes=found.passes,
            not_a_user=found.not_a_user,
            closed_window=found.closed_window,
        )
    return len(early)
