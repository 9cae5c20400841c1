"""Who is linked to whom: a parent sees and acts on their active children only; either side can
remove a link. How a guardian links in the first place: bot/services/guardians.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Event, ParentLink, Target
from bot.domain.kinds import Actor, Answer, Channel, LinkMethod, LinkState, Role, SummonsState
from bot.domain.names import clean_name
from bot.domain.outbox_kinds import Kind
from bot.services import accounts, events, outbox, summonses
from bot.services.outbox import Message, Recipient
from bot.services.summonses import SummonsView


@dataclass(frozen=True)
class Child:
    link_id: int
    target_id: int
    name: str
    state: LinkState


@dataclass(frozen=True)
class Guardian:
    link_id: int
    name: str
    since: datetime


async def allowed_targets(session: AsyncSession, account: Account) -> set[int]:
    """The targets this account may see and act for: its own and its active children."""
    rows = await session.execute(
        select(ParentLink.target_id).where(
            ParentLink.parent_account_id == account.id, ParentLink.state == LinkState.ACTIVE
        )
    )
    own = {account.target_id} if account.target_id else set()
    return own | set(rows.scalars())


def record(
    session: AsyncSession, kind: str, account: Account, target_id: int, **data: object
) -> None:
    events.record(
        session,
        kind,
        actor=Actor.PARENT,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target_id,
        **data,
    )


async def link_parent(
    session: AsyncSession,
    parent: Account,
    target: Target,
    method: LinkMethod,
    state: LinkState,
    name: str,
) -> ParentLink:
    found = await session.execute(
        select(ParentLink).where(
            ParentLink.parent_account_id == parent.id, ParentLink.target_id == target.id
        )
    )
    link = found.scalar_one_or_none()
    if link is None:
        link = ParentLink(parent_account_id=parent.id, target_id=target.id, method=method)
        session.add(link)
    if link.state != LinkState.ACTIVE:
        link.state, link.method = state, method
    # The name they gave their Telegram account: shown quoted as theirs (guardian_label).
    link.parent_name = clean_name(name)[:100] or None
    if parent.role == Role.NONE:
        parent.role = Role.PARENT
    await session.flush()
    return link


async def children_of(session: AsyncSession, parent: Account) -> list[Child]:
    rows = await session.execute(
        select(ParentLink.id, Target.id, Target.name, ParentLink.state)
        .join(Target, Target.id == ParentLink.target_id)
        .where(ParentLink.parent_account_id == parent.id, ParentLink.state != LinkState.REMOVED)
        .order_by(Target.name, ParentLink.id)
    )
    return [Child(*row) for row in rows]


async def children_of_account(session: AsyncSession, account_id: int) -> list[Child]:
    """The children linked (or waiting for approval) to this parent's account."""
    parent = await session.get(Account, account_id)
    return await children_of(session, parent) if parent is not None else []


async def active_guardian(session: AsyncSession, link_id: int) -> Guardian | None:
    """The guardian of an active link, or None once it is removed."""
    link = await session.get(ParentLink, link_id)
    if link is None or link.state != LinkState.ACTIVE:
        return None
    return Guardian(link.id, link.parent_name or "", link.created_at)


async def guardians_of(session: AsyncSession, target_id: int) -> list[Guardian]:
    rows = await session.execute(
        select(ParentLink.id, ParentLink.parent_name, ParentLink.created_at)
        .where(ParentLink.target_id == target_id, ParentLink.state == LinkState.ACTIVE)
        .order_by(ParentLink.created_at, ParentLink.id)
    )
    return [Guardian(link_id, name or "", since) for link_id, name, since in rows]


async def unlink_by(session: AsyncSession, link_id: int, *, telegram_id: int) -> bool:
    """A button press to remove a link: done only for its parent or its child."""
    account = await accounts.find(session, telegram_id)
    return account is not None and await unlink(session, link_id, by=account)


async def unlink(session: AsyncSession, link_id: int, *, by: Account) -> bool:
    """Remove a link, by its parent or by the child; nothing queued for that parent about the
    child is sent any more."""
    link = await session.get(ParentLink, link_id, with_for_update=True)
    if link is None or link.state == LinkState.REMOVED:
        return False
    if by.id != link.parent_account_id and by.target_id != link.target_id:
        return False
    link.state = LinkState.REMOVED
    summons = await summonses.for_target(session, link.target_id)
    if summons is not None:
        await outbox.cancel(session, summons_id=summons.id, account_id=link.parent_account_id)
    events.record(
        session,
        "parent_unlinked",
        actor=Actor.PARENT if by.id == link.parent_account_id else Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=by.id,
        target_id=link.target_id,
        link_id=link.id,
    )
    return True


async def tell_joined_teen(
    session: AsyncSession,
    teen: Account,
    target_id: int,
    summons: SummonsView | None,
    *,
    now: datetime,
) -> None:
    """A teen just joined (her letter, or staff approving her /daftar): she is told of every
    guardian already linked, as she would have been had she been here, each with the button
    that undoes it, and of the answer one of them gave for her in the meantime."""
    links = list(
        await session.scalars(
            select(ParentLink)
            .where(ParentLink.target_id == target_id, ParentLink.state == LinkState.ACTIVE)
            .order_by(ParentLink.created_at, ParentLink.id)
        )
    )
    if not links:
        return
    answered_by = None
    if summons is not None and (
        summons.state in summonses.ANSWERS or summons.state == SummonsState.MOVED
    ):
        # The summons' standing answer, if a guardian gave it: its last answer event.
        answers = await session.execute(
            select(Event.actor, Event.account_id, Event.data)
            .where(
                Event.target_id == target_id,
                Event.kind.in_([f"summons_{answer.value}" for answer in Answer]),
            )
            .order_by(Event.id.desc())
            .limit(20)
        )
        # The standing answer is the last one given to this summons (not to an older one).
        for actor, account_id, data in answers:
            if (data or {}).get("summons_id") == summons.id:
                if actor == Actor.PARENT:
                    answered_by = account_id
                break
    teen_recipient = [Recipient(teen.telegram_id, teen.language, teen.id)]
    for link in links:
        params: dict[str, object] = {"link_id": link.id}
        if answered_by is not None and link.parent_account_id == answered_by:
            assert summons is not None
            params |= {"answered": summons.state.value, "summons_id": summons.id}
        notice = Message(
            kind=Kind.GUARDIAN_LINKED,
            due_at=now,
            params=params,
            dedupe=f"guardian_linked:{link.id}",
        )
        await outbox.enqueue(session, teen_recipient, [notice])
