"""Staff messages to a group of residents: the people of one session, one kelurahan, one
school, or everyone still pending (not yet recorded, whatever their answer). Each copy is an
outbox row, paced by the dispatcher like every other message, on Telegram or, for a family
Telegram does not reach, at the number on the record (WhatsApp or SMS: bot/services/audiences.py).

The rules live here, whichever front end asks (Telegram, the dashboard, `rekam broadcast`):
a text that is empty or too long is refused (never cut), and so is a broadcast that would
reach nobody; a text that reaches someone by phone must fit in PHONE_MOST_SMS SMS. Every
answer says how many of the audience it reaches, on which channel, and how many not."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.sms.segments import count as sms_count
from bot.channels.sms.segments import signed
from bot.db.models import Broadcast, Place, Region, School, ServiceSession
from bot.domain.kinds import Actor, Audience, Channel, SessionState
from bot.domain.outbox_kinds import Kind
from bot.services import events, outbox
from bot.services.audiences import Reach, reach, recipients
from bot.services.outbox import Message

DELIVERING = (Channel.TELEGRAM, Channel.WHATSAPP, Channel.SMS)
MAX_TEXT = 3500  # leaves room for the header within Telegram's 4096 characters
# A broadcast that goes to someone by phone is at most this many SMS, the office's name
# first (and well within the 1,024 characters of a WhatsApp template's body).
PHONE_MOST_SMS = 3


class Refusal(enum.StrEnum):
    EMPTY = "empty"  # no text
    TOO_LONG = "too_long"  # over MAX_TEXT: refused, never cut
    NOBODY = "nobody"  # nobody in the audience has a chat or a number it could reach
    TOO_LONG_FOR_SMS = "too_long_for_sms"  # reaches someone by phone, over PHONE_MOST_SMS


@dataclass(frozen=True)
class Outcome:
    """What a broadcast did, or would do: refused (and why), or sent to `recipients` people.
    `reach` is None only when the text alone was refused; `length` is the text's length and
    `sms_parts` how many SMS one copy by SMS takes."""

    refused: Refusal | None
    reach: Reach | None
    length: int
    broadcast_id: int | None = None
    recipients: int = 0
    sms_parts: int = 0


def check_text(text: str) -> Refusal | None:
    """Why this text cannot be broadcast, if it cannot."""
    if not text.strip():
        return Refusal.EMPTY
    if len(text) > MAX_TEXT:
        return Refusal.TOO_LONG
    return None


async def judge(
    session: AsyncSession, *, audience: Audience, value: str | None, text: str, office: str
) -> Outcome:
    """What sending `text` from `office` to this audience would do: the refusal, or how many
    it reaches on each channel. Every front end previews with this and `send` decides with it
    again."""
    refused = check_text(text)
    if refused is not None:
        return Outcome(refused, None, len(text))
    reached = await reach(session, audience, value)
    parts = sms_count(signed(office, text))
    if reached.chats == 0:
        refused = Refusal.NOBODY
    elif reached.by_phone and parts > PHONE_MOST_SMS:
        refused = Refusal.TOO_LONG_FOR_SMS
    return Outcome(refused, reached, len(text), sms_parts=parts)


async def send(
    session: AsyncSession,
    *,
    audience: Audience,
    value: str | None,
    text: str,
    office: str,
    by: int,
    channel: Channel,
    now: datetime,
    operator: str | None = None,
    once: str | None = None,
) -> Outcome:
    """Record the broadcast and queue a copy for each recipient, unless `judge` refuses it.
    With `once` (a form's one-time key) a second call with the same key returns the first
    broadcast and sends nothing; two at the same instant meet the key's unique index, and the
    second unit of work fails."""
    if once is not None and (sent := await sent_by_key(session, once)) is not None:
        return Outcome(
            None,
            await reach(session, audience, value),
            len(sent.text),
            sent.id,
            sent.recipients,
            sms_count(signed(office, sent.text)),
        )
    judged = await judge(session, audience=audience, value=value, text=text, office=office)
    if judged.refused is not None:
        return judged
    who = await recipients(session, audience, value)
    if not who:  # everyone left between the count and now
        return Outcome(Refusal.NOBODY, judged.reach, len(text), sms_parts=judged.sms_parts)
    broadcast = Broadcast(
        created_by=by,
        audience=audience,
        audience_value=value,
        text=text,
        recipients=len(who),
        form_key=once,
    )
    session.add(broadcast)
    await session.flush()
    message = Message(
        kind=Kind.BROADCAST,
        due_at=now,
        params={"broadcast_id": broadcast.id},
        dedupe=f"broadcast:{broadcast.id}",
    )
    await outbox.enqueue(session, who, [message])
    events.record(
        session,
        "broadcast",
        actor=Actor.STAFF,
        channel=channel,
        broadcast_id=broadcast.id,
        audience=audience.value,
        value=value,
        recipients=len(who),
        channels={c.value: sum(w.channel == c for w in who) for c in DELIVERING},
        by=operator or by,
    )
    return Outcome(None, judged.reach, len(text), broadcast.id, len(who), judged.sms_parts)


async def sent_by_key(session: AsyncSession, key: str) -> Broadcast | None:
    """The broadcast a form's one-time key already sent, if any."""
    return await session.scalar(select(Broadcast).where(Broadcast.form_key == key))


@dataclass(frozen=True)
class Choice:
    """A kelurahan or school staff may send to: its id (for a button) and name."""

    id: int
    name: str


@dataclass(frozen=True)
class SessionChoice:
    id: int
    place: str
    starts_at: datetime
    ends_at: datetime


async def session_choices(
    session: AsyncSession, start: datetime, end: datetime
) -> list[SessionChoice]:
    """The open sessions starting in [start, end), by start: the sessions a broadcast can be
    sent to. Only what the choice shows (staff.sessions_between also counts every session's
    summonses: at a million targets that is most of a page's time for a list of names)."""
    rows = await session.execute(
        select(ServiceSession.id, Place.name, ServiceSession.starts_at, ServiceSession.ends_at)
        .join(Place, Place.id == ServiceSession.place_id)
        .where(
            ServiceSession.starts_at >= start,
            ServiceSession.starts_at < end,
            ServiceSession.state == SessionState.OPEN,
        )
        .order_by(ServiceSession.starts_at, ServiceSession.id)
    )
    return [SessionChoice(*row) for row in rows]


async def kelurahan_choices(session: AsyncSession) -> list[Choice]:
    rows = await session.execute(
        select(Region.id, Region.kelurahan).where(Region.kelurahan != "").order_by(Region.kelurahan)
    )
    return [Choice(region_id, name) for region_id, name in rows]


async def school_choices(session: AsyncSession) -> list[Choice]:
    rows = await session.execute(select(School.id, School.name).order_by(School.name))
    return [Choice(school_id, name) for school_id, name in rows]


async def audience_value(session: AsyncSession, audience: Audience, number: int) -> str | None:
    """The value a broadcast to `audience` matches on, from a button's id; None if gone."""
    if audience == Audience.SESSION:
        return str(number)
    if audience == Audience.KELURAHAN:
        region = await session.get(Region, number)
        return region.kelurahan if region else None
    if audience == Audience.SCHOOL:
        school = await session.get(School, number)
        return school.name if school else None
    return None


async def text_of(session: AsyncSession, broadcast_id: int) -> str | None:
    """What staff wrote in a broadcast (None once it is gone)."""
    broadcast = await session.get(Broadcast, broadcast_id)
    return broadcast.text if broadcast else None


@dataclass(frozen=True)
class Sent:
    """A broadcast as the office's list of them shows it."""

    id: int
    audience: Audience
    value: str | None
    text: str
    recipients: int
    by: int
    at: datetime


async def recent(session: AsyncSession, *, limit: int = 10) -> list[Sent]:
    """The latest broadcasts, newest first."""
    rows = await session.execute(
        select(
            Broadcast.id,
            Broadcast.audience,
            Broadcast.audience_value,
            Broadcast.text,
            Broadcast.recipients,
            Broadcast.created_by,
            Broadcast.created_at,
        )
        .order_by(Broadcast.id.desc())
        .limit(limit)
    )
    return [Sent(*row) for row in rows]
