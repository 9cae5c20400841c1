"""/hapus: erasing a person's data, keeping only what the law requires of the office (that a
teen was recorded, and id-only events) and the proof of consent, marked withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Account,
    Claim,
    ContactPoint,
    HomeVisit,
    ParentLink,
    Place,
    ServiceSession,
    Summons,
    Target,
    WaitingTeen,
)
from bot.domain import summons_rules
from bot.domain.kinds import (
    Actor,
    Channel,
    ClaimState,
    ContactSource,
    LinkState,
    PlaceKind,
    PreferredDays,
    SummonsState,
    TargetSource,
)
from bot.domain.outbox_kinds import Kind
from bot.domain.venues import HOME_PLACE
from bot.services import accounts, consents, events, outbox, seats, summonses
from bot.services.outbox import Message, Recipient


@dataclass(frozen=True)
class Erased:
    """What /hapus did that the person is told of: how many linked parents were told that
    they no longer get the teen's messages."""

    parents_told: int = 0


async def erase_account_of(session: AsyncSession, telegram_id: int, now: datetime) -> Erased:
    """/hapus confirmed: erase this Telegram user's account, if they have one."""
    account = await accounts.find(session, telegram_id)
    if account is None:
        return Erased()
    return await erase(session, account, now)


async def erase(session: AsyncSession, account: Account, now: datetime) -> Erased:
    """Erase an account and everything personal that hangs on it, in one unit of work:

    - nothing queued for it is sent any more (its outbox rows are cancelled first: a row
      outlives its account, and would still reach the chat);
    - its links go, on both sides: as a parent, and, as a teen, their guardians' links to
      them (with what was queued for those guardians about the teen); each guardian who was
      linked is told, by a queued message, that the teen's messages stop;
    - the home-visit reason (health data) on the teen's summons and request is cleared;
    - its /daftar registrations are deleted (they hold the typed name and birth date), and a
      record a pending one created is deleted unless the office has taken it over or the teen
      was recorded;
    - a home visit's place says nothing of the teen (and, with a deleted record, no address);
    - a phone number the teen shared through Telegram is deleted (one the office put on the
      record stays, as the record does);
    - its consents are marked withdrawn (kept as proof), and the account row is deleted.
    The office's own record of the teen stays on the list, unlinked.
    """
    await outbox.cancel(session, account_id=account.id)
    await session.execute(delete(ParentLink).where(ParentLink.parent_account_id == account.id))
    target_id = account.target_id
    told = 0
    if target_id is not None:
        told = await _forget_guardians(session, target_id, now)
        await session.execute(
            update(Summons).where(Summons.target_id == target_id).values(note=None)
        )
        await session.execute(
            update(HomeVisit).where(HomeVisit.target_id == target_id).values(reason=None)
        )
        await session.execute(
            update(Target).where(Target.id == target_id).values(preferred_days=PreferredDays.ANY)
        )
        await _unname_home(session, target_id, address=False)
        # The number she shared through Telegram goes with her account; a number the office
        # put on its record (the list, the desk) is the office's, as the record is.
        await session.execute(
            delete(ContactPoint).where(
                ContactPoint.target_id == target_id,
                ContactPoint.source == ContactSource.TELEGRAM,
            )
        )
    created = await _withdraw_claims(session, account.id, now)
    await consents.withdraw(session, account.id, now)
    events.record(
        session,
        "data_erased",
        actor=Actor.TEEN if target_id else Actor.SYSTEM,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target_id,
    )
    await session.delete(account)
    await session.flush()
    for candidate in {target_id, *created} - {None}:
        assert candidate is not None
        await _delete_if_only_theirs(session, candidate)
    return Erased(parents_told=told)


async def _forget_guardians(session: AsyncSession, target_id: int, now: datetime) -> int:
    """The teen is gone from Telegram: their guardians' links and queued copies go too, and
    each guardian who was linked (not one whose request was still waiting) and can still be
    reached (not one who blocked the bot) is told. How many were told."""
    parents = list(
        await session.scalars(
            select(ParentLink.parent_account_id).where(ParentLink.target_id == target_id)
        )
    )
    summons = await summonses.for_target(session, target_id)
    if summons is not None:
        for parent_id in parents:
            await outbox.cancel(session, summons_id=summons.id, account_id=parent_id)
    linked = (
        await session.execute(
            select(Account.telegram_id, Account.language, Account.id)
            .join(ParentLink, ParentLink.parent_account_id == Account.id)
            .where(
                ParentLink.target_id == target_id,
                ParentLink.state == LinkState.ACTIVE,
                Account.unreachable_at.is_(None),
            )
        )
    ).all()
    await session.execute(delete(ParentLink).where(ParentLink.target_id == target_id))
    told = [
        Recipient(chat, language, account_id, parent=True) for chat, language, account_id in linked
    ]
    await outbox.enqueue(
        session,
        told,
        [Message(kind=Kind.GUARDIAN_UNLINKED, due_at=now, params={"target_id": target_id})],
    )
    return len(told)


async def _withdraw_claims(session: AsyncSession, account_id: int, now: datetime) -> set[int]:
    """Every registration of this account goes, decided or not: a claim holds the name and
    birth date that were typed, and nothing of the person may stay (the events keep its id).
    The records they point at are returned (a self-registered one goes too, pending, rejected
    or accepted, unless the office took it over or someone else holds or claims it)."""
    made = set(
        await session.scalars(
            select(Claim.target_id).where(
                Claim.account_id == account_id, Claim.target_id.is_not(None)
            )
        )
    )
    await session.execute(delete(Claim).where(Claim.account_id == account_id))
    return {target_id for target_id in made if target_id is not None}


async def _unname_home(session: AsyncSession, target_id: int, *, address: bool) -> None:
    """A home visit's place for this teen says nothing of them (older rows were named after
    the teen); with `address`, its address goes too (the record itself is being deleted)."""
    homes = (
        select(ServiceSession.place_id)
        .join(Summons, Summons.session_id == ServiceSession.id)
        .where(Summons.target_id == target_id)
        .scalar_subquery()
    )
    values: dict[str, str] = {"name": HOME_PLACE}
    if address:
        values["address"] = ""
    await session.execute(
        update(Place).where(Place.kind == PlaceKind.HOME, Place.id.in_(homes)).values(**values)
    )


async def _delete_if_only_theirs(session: AsyncSession, target_id: int) -> None:
    """A self-registered record goes with its maker's data, unless the office took it over
    (imported it), the teen was recorded (the office must keep that), or someone else still
    holds or claims it."""
    target = await session.get(Target, target_id)
    if target is None or target.source != TargetSource.SELF_REGISTERED:
        return
    if target.recorded_at is not None:
        return
    held = await session.scalar(select(func.count()).where(Account.target_id == target_id))
    claimed = await session.scalar(
        select(func.count()).where(Claim.target_id == target_id, Claim.state == ClaimState.PENDING)
    )
    if held or claimed:
        return
    await _unname_home(session, target_id, address=True)
    summons = await session.scalar(select(Summons).where(Summons.target_id == target_id))
    if summons is not None:
        if summons.state in summons_rules.HOLDS_SEAT and summons.state != SummonsState.ATTENDED:
            await seats.release(session, summons.session_id)
        await outbox.cancel(session, summons_id=summons.id)
        await session.delete(summons)
    await session.execute(delete(WaitingTeen).where(WaitingTeen.target_id == target_id))
    await session.delete(target)
