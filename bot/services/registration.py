"""Linking a Telegram account to a target: by invitation code, or by /daftar."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Consent, Target
from bot.domain.codes import new_code
from bot.domain.kinds import Actor, Channel, PreferredDays, Role, TargetReview, TargetSource
from bot.domain.names import same_person_name
from bot.domain.steps import Step
from bot.services import accounts, conversations, events, lockout, notices, summonses
from bot.services.outbox import Recipient
from bot.services.summonses import SummonsView

# The privacy notice shown by /daftar; bump when its text changes, so consents say which one.
NOTICE_VERSION = "2026-11"


class Claim(enum.StrEnum):
    LINKED = "linked"
    REFUSED = "refused"  # wrong code or date, or someone else's: one neutral answer
    LOCKED = "locked"  # too many refused guesses (bot/services/lockout.py)


class Registration(enum.StrEnum):
    LINKED = "linked"
    REVIEW = "review"  # not on the list, or not provably theirs: staff decide
    ALREADY_RECORDED = "already_recorded"


@dataclass(frozen=True)
class Linked:
    outcome: Claim | Registration
    name: str | None = None
    target_id: int | None = None
    recorded_at: datetime | None = None
    locked_until: datetime | None = None
    summons: SummonsView | None = None  # the linked target's, shown to them at once


async def _target_by(session: AsyncSession, **where: str) -> Target | None:
    column, value = next(iter(where.items()))
    result = await session.execute(
        select(Target).where(getattr(Target, column) == value).with_for_update()
    )
    return result.scalar_one_or_none()


async def _claimed_by_another(
    session: AsyncSession, account: Account, target: Target, via: str
) -> bool:
    """True (and an event for staff) when another account already holds this target."""
    result = await session.execute(select(Account.id).where(Account.target_id == target.id))
    owner = result.scalar_one_or_none()
    if owner is None or owner == account.id:
        return False
    events.record(
        session,
        "claim_conflict",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target.id,
        via=via,
    )
    return True


def _link(session: AsyncSession, account: Account, target: Target, how: str) -> None:
    account.target_id = target.id
    account.role = Role.TEEN
    events.record(
        session,
        "account_linked",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target.id,
        via=how,
    )


async def invitation_lock(
    session: AsyncSession, claimant: int, code: str, *, now: datetime
) -> lockout.Lock | None:
    """Whether guessing this invitation code (or this person's guessing) is locked now."""
    return await lockout.lock_on(
        session,
        lockout.Surface.INVITATION,
        claimant=claimant,
        subject=lockout.code_subject(code),
        now=now,
    )


async def claim_invitation(
    session: AsyncSession,
    telegram_id: int,
    code: str,
    birth_date: date,
    *,
    now: datetime,
    policy: notices.Policy,
) -> Linked:
    """Link the account to the target whose invitation `code` it opened, if the date is theirs.

    A wrong code or date is a refused guess (bot/services/lockout.py); while the code or the
    guesser is locked nothing is checked at all.
    """
    account = await accounts.find(session, telegram_id)
    assert account is not None, "the invitation step is only reached with an account"
    lock = await invitation_lock(session, telegram_id, code, now=now)
    if lock is not None:
        return Linked(Claim.LOCKED, locked_until=lock.until)
    target = await _target_by(session, invite_code=code.strip().upper())
    if target is None or target.birth_date != birth_date:
        lock = await lockout.refuse(
            session,
            lockout.Surface.INVITATION,
            claimant=telegram_id,
            subject=lockout.code_subject(code),
            now=now,
            actor=Actor.TEEN,
            account_id=account.id,
            target_id=target.id if target else None,
        )
        if lock is not None:
            return Linked(Claim.LOCKED, locked_until=lock.until)
        return Linked(Claim.REFUSED)
    if await _claimed_by_another(session, account, target, "invitation"):
        return Linked(Claim.REFUSED)
    _link(session, account, target, "invitation")
    return await _linked(
        session, account, Linked(Claim.LINKED, target.name, target.id), now=now, policy=policy
    )


async def registration_lock(
    session: AsyncSession, claimant: int, nik: str | None, *, now: datetime
) -> lockout.Lock | None:
    """Whether /daftar is locked for this person (or, with a NIK, for that NIK)."""
    return await lockout.lock_on(
        session,
        lockout.Surface.REGISTRATION,
        claimant=claimant,
        subject=lockout.nik_subject(nik) if nik is not None else None,
        now=now,
    )


async def refuse_registration(
    session: AsyncSession, claimant: int, account_id: int, nik: str, *, now: datetime
) -> lockout.Lock | None:
    """A NIK and a birth date that do not agree: a refused guess; the lock it leads to."""
    return await lockout.refuse(
        session,
        lockout.Surface.REGISTRATION,
        claimant=claimant,
        subject=lockout.nik_subject(nik),
        now=now,
        actor=Actor.TEEN,
        account_id=account_id,
    )


def record_consent(session: AsyncSession, account_id: int) -> None:
    """The teen agreed to the current privacy notice."""
    session.add(Consent(account_id=account_id, notice_version=NOTICE_VERSION))
    events.record(
        session,
        "consent_given",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account_id,
        notice_version=NOTICE_VERSION,
    )


async def register(
    session: AsyncSession,
    account_id: int,
    *,
    nik: str,
    birth_date: date,
    name: str,
    preferred: PreferredDays,
    now: datetime,
    policy: notices.Policy,
) -> Linked:
    """Match a /daftar answer to the target list, or keep it as self-registered for review;
    the conversation moves on accordingly (the phone question once linked, "being reviewed"
    when a listed NIK did not match).

    The caller has already checked the NIK's form, its agreement with the birth date and the
    teen's age. A NIK already linked to someone else, or a name that does not match the list,
    gets the same answer as a resident who is not on the list, so the reply reveals nothing.
    """
    account = await session.get(Account, account_id)
    assert account is not None
    result = await _register(session, account, nik, birth_date, name, preferred)
    if result.outcome == Registration.LINKED:
        assert result.target_id is not None
        return await _linked(session, account, result, now=now, policy=policy)
    account.role = Role.TEEN
    if result.outcome == Registration.REVIEW and result.target_id is None:
        await conversations.go(session, account.id, Step.REVIEW, after=Step.PREFERENCE)
    else:
        await conversations.end(session, account.id)
    return result


async def _linked(
    session: AsyncSession,
    account: Account,
    result: Linked,
    *,
    now: datetime,
    policy: notices.Policy,
) -> Linked:
    """Linked after the summons went out: nobody is silently skipped, so the reminders still
    ahead are queued in the same unit of work as the link (the summons itself is shown as a
    reply); then the phone number is offered."""
    assert result.target_id is not None
    summons = await summonses.for_target(session, result.target_id)
    if summons is not None:
        await notices.linked_late(
            session,
            Recipient(account.telegram_id, account.language, account.id),
            summons_id=summons.id,
            session_id=summons.session_id,
            starts_at=summons.starts_at,
            policy=policy,
            now=now,
            include_summons=False,
        )
    await conversations.go(session, account.id, Step.PHONE)
    return replace(result, summons=summons)


async def _register(
    session: AsyncSession,
    account: Account,
    nik: str,
    birth_date: date,
    name: str,
    preferred: PreferredDays,
) -> Linked:
    target = await _target_by(session, nik=nik)
    if target is not None and target.recorded_at is not None:
        return Linked(Registration.ALREADY_RECORDED, target.name, recorded_at=target.recorded_at)
    if target is None:
        target = Target(
            nik=nik,
            name=name.strip(),
            birth_date=birth_date,
            source=TargetSource.SELF_REGISTERED,
            review=TargetReview.PENDING,
            preferred_days=preferred,
            invite_code=new_code(),
        )
        session.add(target)
        await session.flush()
        _link(session, account, target, "self_registration")
        events.record(
            session,
            "self_registered",
            actor=Actor.TEEN,
            channel=Channel.TELEGRAM,
            account_id=account.id,
            target_id=target.id,
        )
        return Linked(Registration.REVIEW, target.name, target.id)
    if await _claimed_by_another(session, account, target, "registration"):
        return Linked(Registration.REVIEW)
    if target.birth_date != birth_date or not same_person_name(name, target.name):
        events.record(
            session,
            "registration_mismatch",
            actor=Actor.TEEN,
            channel=Channel.TELEGRAM,
            account_id=account.id,
            target_id=target.id,
        )
        return Linked(Registration.REVIEW)
    target.preferred_days = preferred
    _link(session, account, target, "registration")
    return Linked(Registration.LINKED, target.name, target.id)
