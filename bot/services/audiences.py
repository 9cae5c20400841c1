"""Who a staff broadcast reaches: the pending teens of an audience (one session, kelurahan or
school, or everyone not yet recorded), their Telegram chats and their parents', and, where
Telegram reaches nobody of a family, the numbers on the record (issue 24's ladder, first open
rung: WhatsApp with the family's yes, else SMS unless the number said BERHENTI).

Counted by the database for a preview (a city's "everyone pending" is most of a million
targets), listed for the send. A number on several siblings' records (a guardian's) is one
person, counted and sent once, as a parent of several teens on Telegram is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.engine import phones_of
from bot.db.models import (
    Account,
    ContactPoint,
    ParentLink,
    Region,
    School,
    Summons,
    Target,
)
from bot.domain.kinds import Audience, Channel, ContactOf, LinkState, TargetReview
from bot.domain.summons_rules import EXPECTED
from bot.services.outbox import Recipient


@dataclass(frozen=True)
class Reach:
    """Who a broadcast to an audience reaches: `pending` teens in it not yet recorded,
    `reachable` of them with someone to tell (their own chat or number, or a parent's), and
    the copies it sends on each channel (teens and parents)."""

    pending: int
    reachable: int
    telegram: int
    whatsapp: int = 0
    sms: int = 0

    @property
    def chats(self) -> int:
        """Every copy it sends."""
        return self.telegram + self.whatsapp + self.sms

    @property
    def by_phone(self) -> int:
        return self.whatsapp + self.sms

    @property
    def unreachable(self) -> int:
        return self.pending - self.reachable


def targets(audience: Audience, value: str | None) -> Select[int]:
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
        return targets(audience, value).where(Target.id == target_id).exists()
    return target_id.in_(targets(audience, value))


def _teens(audience: Audience, value: str | None) -> Select[int, str, int, int]:
    """Teens on Telegram, with the number on their record (the next rung if Telegram fails)."""
    return (
        select(Account.telegram_id, Account.language, Account.id, ContactPoint.id)
        .outerjoin(
            ContactPoint,
            (ContactPoint.target_id == Account.target_id) & (ContactPoint.whose == ContactOf.TEEN),
        )
        .where(
            Account.target_id.is_not(None),
            _in_audience(audience, value, Account.target_id),
            Account.unreachable_at.is_(None),
        )
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


def _open(channel: str) -> ColumnElement[bool]:
    """A number the channel may write to (bot/services/outbox.py `reachable`)."""
    if channel == Channel.WHATSAPP:
        return ContactPoint.whatsapp_consent_at.is_not(None) & (
            ContactPoint.whatsapp_user.is_(None) | ContactPoint.whatsapp_user.is_(True)
        )
    return ContactPoint.sms_stopped_at.is_(None)


def _rung(phones: Sequence[str]) -> ColumnElement[int]:
    """The number's first open rung: its place in the ladder's order (`phones`)."""
    return case(*[(_open(channel), literal(i)) for i, channel in enumerate(phones)], else_=None)


def _numbers(
    audience: Audience, value: str | None, phones: Sequence[str]
) -> Select[int, int, ContactOf, str]:
    """The audience's numbers with an open rung whose side of the family Telegram does not
    reach: the teen's when no account of hers takes messages, the guardian's when no linked
    parent's does."""
    teen_on_telegram = (
        select(Account.id)
        .where(Account.target_id == ContactPoint.target_id, Account.unreachable_at.is_(None))
        .exists()
    )
    parent_on_telegram = (
        select(ParentLink.id)
        .join(Account, Account.id == ParentLink.parent_account_id)
        .where(
            ParentLink.target_id == ContactPoint.target_id,
            ParentLink.state == LinkState.ACTIVE,
            Account.unreachable_at.is_(None),
        )
        .exists()
    )
    any_open = _open(phones[0])
    for channel in phones[1:]:
        any_open = any_open | _open(channel)
    return select(
        ContactPoint.id, ContactPoint.target_id, ContactPoint.whose, ContactPoint.phone_hash
    ).where(
        _in_audience(audience, value, ContactPoint.target_id),
        any_open,
        ((ContactPoint.whose == ContactOf.TEEN) & ~teen_on_telegram)
        | ((ContactPoint.whose == ContactOf.GUARDIAN) & ~parent_on_telegram),
    )


async def recipients(
    session: AsyncSession, audience: Audience, value: str | None
) -> list[Recipient]:
    """Everyone reachable who would receive it: the teens and their linked parents on
    Telegram, then the numbers where Telegram reaches nobody (each number once)."""
    teens = await session.execute(_teens(audience, value))
    parents = await session.execute(_parents(audience, value))
    found = {tid: Recipient(tid, lang, aid, contact_id=cid) for tid, lang, aid, cid in teens}
    for tid, lang, aid in parents:
        found.setdefault(tid, Recipient(tid, lang, aid, parent=True))
    people = list(found.values())
    phones = phones_of(session)
    if not phones:
        return people
    numbers = _numbers(audience, value, phones).add_columns(_rung(phones))
    # A number on several records is sent once, on the best rung any of them opens.
    best: dict[str, tuple[int, int, ContactOf]] = {}
    for contact_id, _target, whose, phone_hash, rung in await session.execute(
        numbers.order_by(ContactPoint.id)
    ):
        if phone_hash not in best or rung < best[phone_hash][0]:
            best[phone_hash] = (rung, contact_id, whose)
    for rung, contact_id, whose in best.values():
        parent = whose == ContactOf.GUARDIAN
        people.append(Recipient(-contact_id, "", None, parent, contact_id, Channel(phones[rung])))
    return people


async def reach(session: AsyncSession, audience: Audience, value: str | None) -> Reach:
    """How many the audience holds, how many of them someone can be told for, and how many
    copies a broadcast sends on each channel, counted by the database (a preview shows only
    the numbers)."""
    both = union(
        _teens(audience, value).with_only_columns(Account.telegram_id),
        _parents(audience, value).with_only_columns(Account.telegram_id),
    ).subquery()
    telegram = int(await session.scalar(select(func.count()).select_from(both)) or 0)
    pending = int(
        await session.scalar(select(func.count()).select_from(targets(audience, value).subquery()))
        or 0
    )
    told_for = [
        _teens(audience, value).with_only_columns(Account.target_id),
        _parents(audience, value).with_only_columns(ParentLink.target_id),
    ]
    by_channel: dict[str, int] = {}
    phones = phones_of(session)
    if phones:
        numbers = _numbers(audience, value, phones)
        told_for.append(numbers.with_only_columns(ContactPoint.target_id))
        # A guardian's number on two siblings' records is one copy, on the best rung open.
        rung = _rung(phones)
        per_number = (
            numbers.with_only_columns(ContactPoint.phone_hash, func.min(rung).label("rung"))
            .group_by(ContactPoint.phone_hash)
            .subquery()
        )
        counted = await session.execute(
            select(per_number.c.rung, func.count()).group_by(per_number.c.rung)
        )
        by_channel = {phones[rung]: int(count) for rung, count in counted}
    reached = union(*told_for).subquery()
    reachable = int(await session.scalar(select(func.count()).select_from(reached)) or 0)
    return Reach(
        pending=pending,
        reachable=reachable,
        telegram=telegram,
        whatsapp=by_channel.get(Channel.WHATSAPP, 0),
        sms=by_channel.get(Channel.SMS, 0),
    )
