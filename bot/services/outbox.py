"""The durable outbox: messages written in the same transaction as the change that caused them."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import phones_of
from bot.db.models import Account, ContactPoint, OutboxMessage, ParentLink, Staff
from bot.db.queries import insert_all_or_ignore
from bot.domain.kinds import Channel, ContactOf, LinkState, OutboxState
from bot.domain.ladder import Reachable, rungs
from bot.domain.outbox_kinds import KINDS, Group, Kind


@dataclass(frozen=True)
class Recipient:
    """Someone a message goes to: their chat, account and language, and how they relate.

    On Telegram, `chat_id` is their chat. A person reached by phone only (a number on the
    record, no Telegram account that can take it) has no account: `contact_id` names the
    number and `chat_id` is -contact_id, so a number's messages keep their order as a chat's
    do. A teen on Telegram with a number on her record carries it too (`contact_id`): the
    ladder's next rung if Telegram fails her."""

    chat_id: int
    language: str
    account_id: int | None = None
    parent: bool = False
    contact_id: int | None = None
    channel: Channel = Channel.TELEGRAM  # the first rung (bot/domain/ladder.py)

    @property
    def by_phone(self) -> bool:
        return self.account_id is None and self.contact_id is not None

    @property
    def who(self) -> int:
        """One number per person: the account's id; without one, the chat (a number's is
        -contact_id, never an account's)."""
        return self.account_id if self.account_id is not None else self.chat_id


@dataclass(frozen=True)
class Reach:
    """Who a change to several teens' summonses was sent to. A teen with no reachable
    Telegram account, no linked parent and no number on an open rung is told nothing;
    `untold` counts them, so that no front end says "they were told" of someone who was not.
    A parent of two teens in the same change (siblings) is one parent told."""

    teens: int = 0  # teens the change concerned
    own_chat: int = 0  # of them, told in their own Telegram chat
    guardians: int = 0  # parents told (each once): on Telegram, or at the guardian's number
    untold: int = 0  # of the teens, nobody told
    parents_seen: frozenset[int] = field(default=frozenset(), compare=False, repr=False)
    by_phone: int = 0  # of the teens, told at their own number (WhatsApp or SMS)

    @property
    def told(self) -> int:
        """Teens told themselves or through a parent."""
        return self.teens - self.untold

    def plus(self, people: Sequence[Recipient]) -> Reach:
        """This reach and one more teen, told to `people` (the teen's and parents' accounts)."""
        parents = {p.who for p in people if p.parent}
        return Reach(
            self.teens + 1,
            self.own_chat + any(not p.parent and not p.by_phone for p in people),
            self.guardians + len(parents - self.parents_seen),
            self.untold + (not people),
            self.parents_seen | parents,
            self.by_phone + any(not p.parent and p.by_phone for p in people),
        )


@dataclass(frozen=True, kw_only=True)
class Message:
    """One row to queue; its `kind` says how it is rendered when it is sent, and so in which
    group it is cancelled."""

    kind: Kind
    due_at: datetime
    params: dict[str, Any] = field(default_factory=dict)
    summons_id: int | None = None
    dedupe: str | None = None
    urgent: bool = False  # sent in QUIET_HOURS too (a same-day change, an answer)

    @property
    def group(self) -> Group:
        return KINDS[self.kind].group

    @property
    def phone(self) -> bool:
        """Sent to a number too, when the person has no Telegram that can take it."""
        return KINDS[self.kind].phone


async def enqueue(
    session: AsyncSession, recipients: Iterable[Recipient], messages: Iterable[Message]
) -> None:
    """Queue every message for every recipient; a row whose dedupe key exists is skipped."""
    rows = [
        {
            "account_id": who.account_id,
            "chat_id": who.chat_id,
            "channel": who.channel,
            "contact_id": who.contact_id,
            "tried": "",
            "summons_id": what.summons_id,
            "kind": what.group.value,
            "message_key": what.kind.value,
            "params": {**what.params, "parent": who.parent},
            "language": who.language,
            "due_at": what.due_at,
            "state": OutboxState.PENDING,
            "attempts": 0,
            "dedupe_key": f"{what.dedupe}:{who.chat_id}" if what.dedupe else None,
            "urgent": what.urgent,
        }
        for what in messages
        for who in recipients
        if not who.by_phone or what.phone
    ]
    await insert_all_or_ignore(session, OutboxMessage, rows, "dedupe_key")


async def cancel(
    session: AsyncSession,
    *,
    summons_id: int | None = None,
    account_id: int | None = None,
    contact_id: int | None = None,
    groups: tuple[Group, ...] = (),
) -> int:
    """Cancel pending rows of a summons, of an account or of a number on a record (any of
    them together; optionally only some groups)."""
    query = update(OutboxMessage).where(OutboxMessage.state == OutboxState.PENDING)
    if summons_id is not None:
        query = query.where(OutboxMessage.summons_id == summons_id)
    if account_id is not None:
        query = query.where(OutboxMessage.account_id == account_id)
    if contact_id is not None:  # what waits for the number, on WhatsApp or SMS
        query = query.where(
            OutboxMessage.contact_id == contact_id, OutboxMessage.channel != Channel.TELEGRAM
        )
    if groups:
        query = query.where(OutboxMessage.kind.in_(groups))
    # A cancelled row gives up its dedupe key: the same summons may be queued again later
    # (moved away and back, a session moved to a new hour), and must not be silently skipped.
    result = await session.execute(query.values(state=OutboxState.CANCELLED, dedupe_key=None))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def cancel_keyed(session: AsyncSession, prefix: str) -> int:
    """Cancel pending rows whose dedupe key starts with `prefix` (messages of no summons, such
    as a thank-you for a mark being undone); like `cancel`, they give up their keys."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.state == OutboxState.PENDING,
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
        )
        .values(state=OutboxState.CANCELLED, dedupe_key=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


@functools.cache
def _recipients_query(*, parents: bool, teen: bool) -> Select[int, str, int, int | None]:
    """Built once per kind: it runs on every answer to a summons."""
    target_id = bindparam("target_id", type_=Integer)
    who = []
    if teen:
        who.append(Account.target_id == target_id)
    if parents:
        linked = select(ParentLink.parent_account_id).where(
            ParentLink.target_id == target_id, ParentLink.state == LinkState.ACTIVE
        )
        who.append(Account.id.in_(linked))
    return (
        select(Account.telegram_id, Account.language, Account.id, Account.target_id)
        .where(or_(*who), Account.unreachable_at.is_(None))
        .order_by(Account.id)
    )


async def recipients_of(
    session: AsyncSession, target_id: int, *, parents: bool = True, teen: bool = True
) -> list[Recipient]:
    """The teen's reachable account and (optionally) their linked parents' accounts, teen
    first, in one query."""
    if not (parents or teen):
        return []
    rows = await session.execute(
        _recipients_query(parents=parents, teen=teen), {"target_id": target_id}
    )
    found = [
        Recipient(chat, language, account_id, parent=own != target_id)
        for chat, language, account_id, own in rows
    ]
    found = (await _with_phones(session, {target_id: found}, parents=parents, teen=teen)).get(
        target_id, []
    )
    return sorted(found, key=lambda r: r.parent)


def reachable(point: ContactPoint | None) -> Reachable:
    """What a number on a record can be reached by (the office's channels aside)."""
    if point is None:
        return Reachable()
    return Reachable(
        whatsapp=point.whatsapp_consent_at is not None and point.whatsapp_user is not False,
        sms=point.sms_stopped_at is None,
    )


async def _with_phones(
    session: AsyncSession,
    found: dict[int, list[Recipient]],
    *,
    parents: bool = True,
    teen: bool = True,
) -> dict[int, list[Recipient]]:
    """Each target's Telegram recipients, and the numbers on its record where Telegram reaches
    nobody: the teen's number when her account cannot take it (none, or it blocked the bot),
    the guardian's when no linked parent can. A teen on Telegram keeps her number with her, as
    the next rung. Only on the office's phone channels (Database phones)."""
    phones = phones_of(session)
    if not phones or not found:
        return found
    points = await session.scalars(
        select(ContactPoint).where(ContactPoint.target_id.in_(list(found)))
    )
    for point in points:
        people = found[point.target_id]
        rung = next(iter(rungs(phones, reachable(point))), None)
        is_teen = point.whose == ContactOf.TEEN
        if (is_teen and not teen) or (not is_teen and not parents):
            continue
        on_telegram = [r for r in people if r.parent != is_teen]
        if on_telegram:
            if is_teen and rung is not None:  # her number, the next rung if Telegram fails
                people[people.index(on_telegram[0])] = replace(on_telegram[0], contact_id=point.id)
            continue
        if rung is not None:
            people.append(Recipient(-point.id, "", None, not is_teen, point.id, rung))
    return found


async def recipients_of_many(
    session: AsyncSession, target_ids: Sequence[int]
) -> dict[int, list[Recipient]]:
    """Each target's reachable teen and linked parents, in two queries for the lot; targets
    nobody can be reached for are left out."""
    found: dict[int, list[Recipient]] = {}
    teens = await session.execute(
        select(Account.target_id, Account.telegram_id, Account.language, Account.id).where(
            Account.target_id.in_(target_ids), Account.unreachable_at.is_(None)
        )
    )
    for target_id, chat, language, account_id in teens:
        if target_id is not None:
            found.setdefault(target_id, []).append(Recipient(chat, language, account_id))
    parents = await session.execute(
        select(ParentLink.target_id, Account.telegram_id, Account.language, Account.id)
        .join(Account, Account.id == ParentLink.parent_account_id)
        .where(
            ParentLink.target_id.in_(target_ids),
            ParentLink.state == LinkState.ACTIVE,
            Account.unreachable_at.is_(None),
        )
    )
    for target_id, chat, language, account_id in parents:
        found.setdefault(target_id, []).append(Recipient(chat, language, account_id, parent=True))
    every = await _with_phones(session, {t: found.get(t, []) for t in target_ids})
    return {t: people for t, people in every.items() if people}


async def staff_recipients(session: AsyncSession, default_language: str) -> list[Recipient]:
    """Every admin, in the office's language (staff accounts may not have chosen one)."""
    rows = await session.execute(
        select(Staff.telegram_id, Account.language, Account.id)
        .outerjoin(Account, Account.telegram_id == Staff.telegram_id)
        .where(Staff.is_admin.is_(True))
    )
    return [
        Recipient(tid, language or default_language, account_id)
        for tid, language, account_id in rows
    ]


async def staff_on_duty(
    session: AsyncSession, default_language: str, duty: Sequence[int] = ()
) -> list[Recipient]:
    """Staff on duty (DUTY_STAFF) when set, else every staff member, admins or not. An id on
    duty that is not staff (any more) gets nothing: the alert holds a family's address."""
    rows = await session.execute(
        select(Staff.telegram_id, Account.language, Account.id)
        .outerjoin(Account, Account.telegram_id == Staff.telegram_id)
        .order_by(Staff.id)
    )
    everyone = [
        Recipient(tid, language or default_language, account_id)
        for tid, language, account_id in rows
    ]
    on_duty = [r for r in everyone if r.chat_id in set(duty)]
    return on_duty or everyone


async def languages_of(session: AsyncSession, account_ids: set[int]) -> dict[int, str]:
    """Each account's current language, in one query (a batch of rows is rendered in them)."""
    if not account_ids:
        return {}
    rows = await session.execute(
        select(Account.id, Account.language).where(Account.id.in_(account_ids))
    )
    return {account_id: language for account_id, language in rows}


async def due_now(session: AsyncSession, now: datetime) -> int:
    """Queued messages due now and not yet sent (one waiting for a retry is not counted): the
    demo waits for them before it plays its next line."""
    sending = OutboxMessage.state == OutboxState.SENDING
    ready = and_(
        OutboxMessage.state == OutboxState.PENDING,
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
    )
    due = select(func.count()).where(OutboxMessage.due_at <= now, or_(sending, ready))
    return int(await session.scalar(due) or 0)


async def number_of(session: AsyncSession, target_id: int, whose: ContactOf) -> int | None:
    """The id of the record's number of `whose`, if it has one."""
    found = await session.scalar(
        select(ContactPoint.id).where(
            ContactPoint.target_id == target_id, ContactPoint.whose == whose
        )
    )
    return int(found) if found is not None else None
