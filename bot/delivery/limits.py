"""The daily limits of the phone channels, kept at every claim, and staff told when they hold.

- SMS: at most SMS_DAILY_LIMIT messages an office day (the SIM plan's cap, or a guard against
  a runaway: two auto-replies answering each other). Past it, SMS wait for the next office day.
- WhatsApp: Meta lets the number start conversations with WHATSAPP_TIER new people in a rolling
  24 hours. Rekam counts the numbers it sent to in the last 24 hours (an answer inside a
  window counts too, so the count errs on the safe side); at the tier, only people already
  counted or whose window is open get WhatsApp until the oldest age out. Without this, Meta
  takes each send and fails it afterwards (131048), one message at a time.

What is sent and what is in flight (claimed, not yet answered) both count. Processes take
turns to count and claim (an advisory lock on PostgreSQL; SQLite has one writer), so two never
spend the same place. The first time a limit holds a message, staff on duty are told (once
per channel and office day) and an event "daily_limit" is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, not_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import ContactPoint, Event, OutboxMessage
from bot.domain.kinds import Actor, Channel, OutboxState
from bot.domain.outbox_kinds import Kind
from bot.services import events, outbox

log = logging.getLogger(__name__)

WHATSAPP_DAY = timedelta(hours=24)
ALERT = "daily_limit"  # STAFF_ALERT's "alert", and the event's kind


@dataclass(frozen=True)
class Allowance:
    """What a claim of one phone channel may take: at most `rows` rows, none that `holds`."""

    limit: int
    rows: int
    holds: ColumnElement[bool] | None = None


def _spent(channel: Channel, since: datetime) -> ColumnElement[bool]:
    """A row of `channel` sent since `since`, or in flight now."""
    return and_(
        OutboxMessage.channel == channel,
        or_(
            OutboxMessage.state == OutboxState.SENDING,
            and_(OutboxMessage.sent_at >= since, OutboxMessage.state != OutboxState.PENDING),
        ),
    )


def office_day(now: datetime, settings: Settings) -> datetime:
    """When the office's day that holds `now` began (midnight, office time)."""
    local = now.astimezone(settings.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


async def _turn(session: AsyncSession, channel: Channel) -> None:
    """One process at a time counts and claims `channel` (until this unit of work ends)."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"daily-limit:{channel.value}"},
        )


async def allowance(
    session: AsyncSession, channel: Channel, settings: Settings, now: datetime
) -> Allowance | None:
    """What this claim of `channel` may take; None when no limit applies."""
    if channel == Channel.SMS and settings.sms_daily_limit is not None:
        await _turn(session, channel)
        limit = settings.sms_daily_limit
        used = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(_spent(channel, office_day(now, settings)))
        )
        left = max(0, limit - (used or 0))
        return Allowance(limit, left, None if left else ~false())
    if channel == Channel.WHATSAPP:
        await _turn(session, channel)
        limit = settings.whatsapp_tier
        reached = (
            select(OutboxMessage.contact_id)
            .where(_spent(channel, now - WHATSAPP_DAY), OutboxMessage.contact_id.is_not(None))
            .distinct()
        )
        count = await session.scalar(select(func.count()).select_from(reached.subquery()))
        left = limit - (count or 0)
        if left > 0:
            return Allowance(limit, left)
        open_window = select(ContactPoint.id).where(ContactPoint.whatsapp_window_until > now)
        counted = or_(
            OutboxMessage.contact_id.in_(reached), OutboxMessage.contact_id.in_(open_window)
        )
        return Allowance(limit, 1 << 30, not_(counted))
    return None


async def tell_if_held(
    session: AsyncSession,
    channel: Channel,
    wanted: list[ColumnElement[bool]],
    allowed: Allowance,
    settings: Settings,
    now: datetime,
) -> None:
    """If the limit holds a row the claim `wanted`, staff on duty are told (once a day)."""
    assert allowed.holds is not None
    waiting = select(OutboxMessage.id).where(*wanted, allowed.holds).limit(1)
    if await session.scalar(waiting) is not None:
        await held(session, channel, allowed.limit, settings, now)


async def held(
    session: AsyncSession, channel: Channel, limit: int, settings: Settings, now: datetime
) -> None:
    """A limit holds a message of `channel`: staff on duty told, and an event, once a day."""
    day = office_day(now, settings).date().isoformat()
    subject = f"{ALERT}:{channel.value}:{day}"
    told = await session.scalar(select(Event.id).where(Event.subject == subject).limit(1))
    if told is not None:
        return
    log.warning("daily limit: %s held at %d (%s)", channel.value, limit, day)
    event = events.record(
        session, ALERT, actor=Actor.SYSTEM, channel=Channel.SYSTEM, to=channel.value, limit=limit
    )
    event.subject = subject
    alert = outbox.Message(
        kind=Kind.STAFF_ALERT,
        due_at=now,
        params={"alert": ALERT, "channel": channel.value, "limit": limit},
        dedupe=subject,
        urgent=True,
    )
    duty = await outbox.staff_on_duty(session, settings.default_language, settings.duty_staff)
    await outbox.enqueue(session, duty, [alert])
