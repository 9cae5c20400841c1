"""Parents and guardians linked to a child on the target list: by the child's code (at once) or
by NIK and birth date (after staff approve). A parent sees and acts on their linked children
only; a link can be removed from either side."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Event, ParentLink, Target
from bot.domain.kinds import Actor, Channel, LinkMethod, LinkState, Role
from bot.domain.outbox_kinds import Kind
from bot.services import events, notices, outbox, summonses
from bot.services.outbox import Message, Recipient


class Linking(enum.StrEnum):
    LINKED = "linked"
    PENDING = "pending"  # waits for staff (or: nothing to tell, see request_by_nik)
    REFUSED = "refused"  # wrong code or date: one neutral answer
    IS_TEEN = "is_teen"  # this account is the teen's own


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


@dataclass(frozen=True)
class PendingLink:
    id: int
    child: str
    nik: str
    parent: str
    requested_at: datetime


LOCK_AFTER = 3
LOCK_FOR = timedelta(hours=1)


async def locked(session: AsyncSession, account: Account, now: datetime) -> bool:
    """Three wrong tries (code or NIK, with the birth date) within an hour lock linking for
    this account. Counted from the event log, so no conversation state can reset it."""
    count = await session.scalar(
        select(func.count()).where(
            Event.account_id == account.id,
            Event.kind == "parent_link_refused",
            Event.at > now - LOCK_FOR,
        )
    )
    return int(count or 0) >= LOCK_AFTER


async def allowed_targets(session: AsyncSession, account: Account) -> set[int]:
    """The targets this account may see and act for: its own and its active children."""
    rows = await session.execute(
        select(ParentLink.target_id).where(
            ParentLink.parent_account_id == account.id, ParentLink.state == LinkState.ACTIVE
        )
    )
    own = {account.target_id} if account.target_id else set()
    return own | set(rows.scalars())


def _record(
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


def _refused(session: AsyncSession, parent: Account, via: str) -> None:
    """A wrong code, NIK or date: counted towards the lock (see `locked`)."""
    events.record(
        session,
        "parent_link_refused",
        actor=Actor.PARENT,
        channel=Channel.TELEGRAM,
        account_id=parent.id,
        via=via,
    )


async def _link(
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
    link.parent_name = name[:100] or None
    if parent.role == Role.NONE:
        parent.role = Role.PARENT
    await session.flush()
    return link


async def link_by_code(
    session: AsyncSession, parent: Account, code: str, birth_date: date, *, name: str
) -> tuple[Linking, Target | None]:
    """Link at once when the code is a child's and the birth date is theirs."""
    found = await session.execute(select(Target).where(Target.invite_code == code.strip().upper()))
    target = found.scalar_one_or_none()
    if target is not None and parent.target_id == target.id:
        return Linking.IS_TEEN, None
    if target is None or target.birth_date != birth_date:
        _refused(session, parent, "code")
        return Linking.REFUSED, None
    await _link(session, parent, target, LinkMethod.CODE, LinkState.ACTIVE, name)
    _record(session, "parent_linked", parent, target.id, via="code")
    return Linking.LINKED, target


async def request_by_nik(
    session: AsyncSession, parent: Account, nik: str, birth_date: date, *, name: str
) -> bool:
    """A child without Telegram: a matching NIK and birth date becomes a request for staff.
    The caller answers the same either way, so nobody learns whether a NIK is on the list."""
    found = await session.execute(select(Target).where(Target.nik == nik))
    target = found.scalar_one_or_none()
    if target is None or target.birth_date != birth_date or parent.target_id == target.id:
        _refused(session, parent, "nik")
        return False
    link = await _link(session, parent, target, LinkMethod.NIK, LinkState.PENDING, name)
    _record(session, "parent_link_requested", parent, target.id, link_id=link.id)
    return True


async def pending(session: AsyncSession) -> list[PendingLink]:
    """Requests waiting for staff, oldest first."""
    rows = await session.execute(
        select(ParentLink, Target.name, Target.nik)
        .join(Target, Target.id == ParentLink.target_id)
        .where(ParentLink.state == LinkState.PENDING)
        .order_by(ParentLink.created_at, ParentLink.id)
    )
    return [
        PendingLink(link.id, name, nik, link.parent_name or "", link.created_at)
        for link, name, nik in rows
    ]


async def decide(
    session: AsyncSession,
    link_id: int,
    *,
    approve: bool,
    staff_id: int,
    now: datetime,
    policy: notices.Policy,
) -> ParentLink | None:
    """Staff approve or refuse a request; the parent hears of it, and once approved gets the
    child's summons and the reminders still ahead. None when it was already decided."""
    link = await session.get(ParentLink, link_id, with_for_update=True)
    if link is None or link.state != LinkState.PENDING:
        return None
    link.state = LinkState.ACTIVE if approve else LinkState.REMOVED
    link.decided_at, link.decided_by = now, staff_id
    events.record(
        session,
        "parent_link_approved" if approve else "parent_link_declined",
        actor=Actor.STAFF,
        channel=Channel.TELEGRAM,
        account_id=link.parent_account_id,
        target_id=link.target_id,
        by=staff_id,
    )
    parent = await session.get(Account, link.parent_account_id)
    assert parent is not None
    recipient = Recipient(parent.telegram_id, parent.language, parent.id, parent=True)
    verdict = Message(
        kind=Kind.LINK_APPROVED if approve else Kind.LINK_DECLINED,
        due_at=now,
        params={"target_id": link.target_id},
        dedupe=f"link_decided:{link.id}",
    )
    await outbox.enqueue(session, [recipient], [verdict])
    summons = await summonses.for_target(session, link.target_id) if approve else None
    if summons is not None and summons.state in summonses.EXPECTED:
        await notices.linked_late(
            session,
            recipient,
            summons_id=summons.id,
            session_id=summons.session_id,
            starts_at=summons.starts_at,
            policy=policy,
            now=now,
            include_summons=True,
        )
    return link


async def children_of(session: AsyncSession, parent: Account) -> list[Child]:
    rows = await session.execute(
        select(ParentLink.id, Target.id, Target.name, ParentLink.state)
        .join(Target, Target.id == ParentLink.target_id)
        .where(ParentLink.parent_account_id == parent.id, ParentLink.state != LinkState.REMOVED)
        .order_by(Target.name, ParentLink.id)
    )
    return [Child(*row) for row in rows]


async def guardians_of(session: AsyncSession, target_id: int) -> list[Guardian]:
    rows = await session.execute(
        select(ParentLink.id, ParentLink.parent_name, ParentLink.created_at)
        .where(ParentLink.target_id == target_id, ParentLink.state == LinkState.ACTIVE)
        .order_by(ParentLink.created_at, ParentLink.id)
    )
    return [Guardian(link_id, name or "", since) for link_id, name, since in rows]


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
