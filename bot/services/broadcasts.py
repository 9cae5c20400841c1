"""Staff messages to a group of residents: the people of one session, one kelurahan, one
school, or everyone still pending (not yet recorded, whatever their answer). Each copy is an
outbox row, paced by the dispatcher like every other message.

The rules live here, whichever front end asks (Telegram, the dashboard, `rekam broadcast`):
a text that is empty or too long is refused (never cut), and so is a broadcast that would
reach nobody; every answer says how many of the audience a chat reaches and how many not."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.models import (
    Account,
    Broadcast,
    ParentLink,
    Place,
    Region,
    School,
    ServiceSession,
    Summons,
    Target,
)
from bot.domain.kinds import Actor, Audience, Channel, LinkState, SessionState, TargetReview
from bot.domain.outbox_kinds import Kind
from bot.domain.summons_rules import EXPECTED
from bot.services import events, outbox
from bot.services.outbox import Message, Recipient

MAX_TEXT = 3500  # leaves room for the header within Telegram's 4096 characters


class Refusal(enum.StrEnum):
    EMPTY = "empty"  # no text
    TOO_LONG = "too_long"  # over MAX_TEXT: refused, never cut
    NOBODY = "nobody"  # nobody in the audience has a chat the broadcast could reach


@dataclass(frozen=True)
class Reach:
    """Who a broadcast to an audience reaches: `pending` teens in it not yet recorded,
    `reachable` of them with a chat (their own, or an active parent's), and `chats`, the
    copies it sends (teens and parents)."""

    pending: int
    reachable: int
    chats: int

    @property
    def unreachable(self) -> int:
        return self.pending - self.reachable


@dataclass(frozen=True)
class Outcome:
    """What a broadcast did, or would do: refused (and why), or sent to `recipients` chats.
    `reach` is None only when the text alone was refused; `length` is the text's length."""

    refused: Refusal | None
    reach: Reach | None
    length: int
    broadcast_id: int | None = None
    recipients: int = 0


def check_text(text: str) -> Refusal | None:
    """Why this text cannot be broadcast, if it cannot."""
    if not text.strip():
        return Refusal.EMPTY
    if len(text) > MAX_TEXT:
        return Refusal.TOO_LONG
    return None


def _targets(audience: Audience, value: str | None) -> Select[int]:
    """Ids of the pending targets in the audience."""
    query = select(Target.id).where(
        Target.recorded_at.is_(None), Target.review == TargetReview.ACCEPTED
    )
    if audience == Audience.SESSION:
        session_id = int(value) if value and value.isdigit() else -1
        query = query.join(Summons, Summons.target_id == Target.id).where(
            Summons.session_id == session_id, Summons.state.in_(EXPECTED)
        )
    elif audience == Audience.KELURAHAN:
        # The area's ids first: the targets are then read from the index by (review, area).
        query = query.where(
            Target.region_id.in_(
                select(Region.id).where(
                    func.lower(Region.kelurahan) == (value or "").strip().lower()
                )
            )
        )
    elif audience == Audience.SCHOOL:
        query = query.where(
            Target.school_id.in_(
                select(School.id).where(func.lower(School.name) == (value or "").strip().lower())
            )
        )
    return query


def _in_audience(
    audience: Audience, value: str | None, target_id: InstrumentedAttribute[Any]
) -> ColumnElement[bool]:
    """The target `target_id` names is one of the audience's pending targets. Everyone pending
    is most of a city's list: each account's target is looked up (EXISTS; a list of 900,000
    ids built first took seconds at a million targets). A session, a kelurahan or a school
    holds a few thousand at most: their ids are listed once (IN)."""
    if audience == Audience.ALL_PENDING:
        return _targets(audience, value).where(Target.id == target_id).exists()
    return target_id.in_(_targets(audience, value))


def _teens(audience: Audience, value: str | None) -> Select[int, str, int]:
    return select(Account.telegram_id, Account.language, Account.id).where(
        Account.target_id.is_not(None),
        _in_audience(audience, value, Account.target_id),
        Account.unreachable_at.is_(None),
    )


def _parents(audience: Audience, value: str | None) -> Select[int, str, int]:
    return (
        select(Account.telegram_id, Account.language, Account.id)
        .join(ParentLink, ParentLink.parent_account_id == Account.id)
        .where(
            ParentLink.state == LinkState.ACTIVE,
            _in_audience(audience, value, ParentLink.target_id),
            Account.unreachable_at.is_(None),
        )
        .distinct()
    )


async def recipients(
    session: AsyncSession, audience: Audience, value: str | None
) -> list[Recipient]:
    """Everyone reachable who would receive it: the teens and their linked parents."""
    teens = await session.execute(_teens(audience, value))
    parents = await session.execute(_parents(audience, value))
    found = {tid: Recipient(tid, lang, aid) for tid, lang, aid in teens}
    for tid, lang, aid in parents:
        found.setdefault(tid, Recipient(tid, lang, aid, parent=True))
    return list(found.values())


async def reach(session: AsyncSession, audience: Audience, value: str | None) -> Reach:
    """How many the audience holds, how many of them a chat reaches, and how many copies a
    broadcast sends, counted by the database (a preview shows only the numbers)."""
    both = union(
        _teens(audience, value).with_only_columns(Account.telegram_id),
        _parents(audience, value).with_only_columns(Account.telegram_id),
    ).subquery()
    chats = int(await session.scalar(select(func.count()).select_from(both)) or 0)
    pending = int(
        await session.scalar(select(func.count()).select_from(_targets(audience, value).subquery()))
        or 0
    )
    reached = union(
        _teens(audience, value).with_only_columns(Account.target_id),
        _parents(audience, value).with_only_columns(ParentLink.target_id),
    ).subquery()
    reachable = int(await session.scalar(select(func.count()).select_from(reached)) or 0)
    return Reach(pending=pending, reachable=reachable, chats=chats)


async def judge(
    session: AsyncSession, *, audience: Audience, value: str | None, text: str
) -> Outcome:
    """What sending `text` to this audience would do: the refusal, or how many it reaches.
    Every front end previews with this and `send` decides with it again."""
    refused = check_text(text)
    if refused is not None:
        return Outcome(refused, None, len(text))
    reached = await reach(session, audience, value)
    return Outcome(Refusal.NOBODY if reached.chats == 0 else None, reached, len(text))


async def send(
    session: AsyncSession,
    *,
    audience: Audience,
    value: str | None,
    text: str,
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
            None, await reach(session, audience, value), len(sent.text), sent.id, sent.recipients
        )
    judged = await judge(session, audience=audience, value=value, text=text)
    if judged.refused is not None:
        return judged
    who = await recipients(session, audience, value)
    if not who:  # everyone left between the count and now
        return Outcome(Refusal.NOBODY, judged.reach, len(text))
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
        by=operator or by,
    )
    return Outcome(None, judged.reach, len(text), broadcast.id, len(who))


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
