"""Becoming a known teen: the paper invitation (code + birth date) links at once; /daftar
never links by itself, it leaves a claim for staff (bot/services/review.py).
Who holds a record once the office lists it: bot/services/holding.py.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.codes import Code, find_by_code, new_columns
from bot.db.models import Account, Target
from bot.db.models import Claim as ClaimRow
from bot.db.vault import vault_of
from bot.domain.eligibility import AgeRefusal, registration_age
from bot.domain.kinds import (
    Actor,
    Channel,
    PreferredDays,
    Role,
    TargetReview,
    TargetSource,
)
from bot.domain.nik import Nik
from bot.domain.steps import Step
from bot.services import (
    accounts,
    conversations,
    events,
    family,
    holding,
    lockout,
    notices,
    summonses,
)
from bot.services.conversations import Conversation
from bot.services.outbox import Recipient
from bot.services.summonses import SummonsView


class Claim(enum.StrEnum):
    LINKED = "linked"
    REFUSED = "refused"  # wrong code or date, or someone else's: one neutral answer
    LOCKED = "locked"  # too many refused guesses (bot/services/lockout.py)


@dataclass(frozen=True)
class Linked:
    outcome: Claim
    name: str | None = None
    target_id: int | None = None
    locked_until: datetime | None = None
    summons: SummonsView | None = None  # the linked target's, shown to them at once
    tries_left: int = 0  # REFUSED: wrong tries left before the next lock


@dataclass(frozen=True)
class Mismatch:
    """A NIK and a birth date that disagree in /daftar: the lock it led to, or the tries left
    before the next one."""

    lock: lockout.Lock | None
    tries_left: int = 0


async def _target_by(session: AsyncSession, **where: str) -> Target | None:
    column, value = next(iter(where.items()))
    result = await session.execute(
        select(Target).where(getattr(Target, column) == value).with_for_update()
    )
    return result.scalar_one_or_none()


def link(
    session: AsyncSession, account: Account, target: Target, how: str, *, actor: Actor
) -> None:
    """The account is the teen's own from now on (an event says how)."""
    account.target_id = target.id
    account.role = Role.TEEN
    events.record(
        session,
        "account_linked",
        actor=actor,
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


async def _invitation_tries(
    session: AsyncSession, telegram_id: int, code: str, now: datetime
) -> int:
    return await lockout.tries_left(
        session,
        lockout.Surface.INVITATION,
        claimant=telegram_id,
        now=now,
        subject=lockout.code_subject(code),
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
    if account.role == Role.PARENT:  # a parent links as a parent (/ortu), never as the teen
        return Linked(
            Claim.REFUSED, tries_left=await _invitation_tries(session, telegram_id, code, now)
        )
    lock = await invitation_lock(session, telegram_id, code, now=now)
    if lock is not None:
        return Linked(Claim.LOCKED, locked_until=lock.until)
    target = await find_by_code(session, code, Code.INVITE, lock=True)
    right = target is not None and target.birth_date == birth_date
    # Someone else holding the record through the letter is refused exactly as a wrong date
    # is, and counted: otherwise a right date would read differently from a wrong one.
    if (
        target is None
        or not right
        or await holding.held_by_another(
            session, account, target, now=now, language=policy.language
        )
    ):
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
        return Linked(
            Claim.REFUSED, tries_left=await _invitation_tries(session, telegram_id, code, now)
        )
    assert target is not None
    link(session, account, target, "invitation", actor=Actor.TEEN)
    await conversations.go(session, account.id, Step.PHONE)  # the phone number is offered next
    return await linked(
        session, account, Linked(Claim.LINKED, target.name, target.id), now=now, policy=policy
    )


async def registration_lock(
    session: AsyncSession, claimant: int, nik_hash: str | None, *, now: datetime
) -> lockout.Lock | None:
    """Whether /daftar is locked for this person (or, with a NIK's hash, for that NIK)."""
    return await lockout.lock_on(
        session,
        lockout.Surface.REGISTRATION,
        claimant=claimant,
        subject=lockout.nik_subject(nik_hash) if nik_hash is not None else None,
        now=now,
    )


async def nik_typed(
    session: AsyncSession, convo: Conversation, nik: Nik, *, now: datetime
) -> lockout.Lock | None:
    """A well-formed NIK in /daftar: unless it (or this person) is locked, it is kept sealed,
    with its hash and the birth date inside it, until the birth date is typed."""
    vault = vault_of(session)
    nik_hash = vault.hash(str(nik))
    lock = await registration_lock(session, convo.telegram_id, nik_hash, now=now)
    if lock is not None:
        await conversations.end(session, convo.account_id)
        return lock
    await conversations.go(
        session,
        convo.account_id,
        Step.BIRTH_DATE,
        after=convo.step,
        nik_hash=nik_hash,
        nik_sealed=vault.seal(str(nik)),
        nik_born=nik.birth_date.isoformat(),
    )
    return None


async def birth_date_given(
    session: AsyncSession, convo: Conversation, born: date, *, today: date, election: date
) -> AgeRefusal | None:
    """A birth date typed in /daftar that agrees with the NIK: refused by age (under 16
    today, or past first-time-voter age on election day: eligibility.registration_age, the
    upper bound the target list's import uses too), then the conversation ends and nothing
    of it is kept; else on to the name."""
    refused = registration_age(born, today=today, election=election)
    if refused is not None:
        await conversations.end(session, convo.account_id)
        return refused
    await conversations.go(
        session,
        convo.account_id,
        Step.NAME,
        after=convo.step,
        nik_hash=convo.data["nik_hash"],
        nik_sealed=convo.data["nik_sealed"],
        born=born.isoformat(),
    )
    return None


async def refuse_registration(
    session: AsyncSession, convo: Conversation, *, now: datetime
) -> Mismatch:
    """A NIK and a birth date that do not agree: a refused guess; back to the NIK with the
    tries left, or the lock it leads to (then the conversation, and the sealed NIK in it,
    ends)."""
    subject = lockout.nik_subject(str(convo.data["nik_hash"]))
    lock = await lockout.refuse(
        session,
        lockout.Surface.REGISTRATION,
        claimant=convo.telegram_id,
        subject=subject,
        now=now,
        actor=Actor.TEEN,
        account_id=convo.account_id,
    )
    if lock is not None:
        await conversations.end(session, convo.account_id)
        return Mismatch(lock)
    await conversations.go(session, convo.account_id, Step.NIK, after=convo.step)
    left = await lockout.tries_left(
        session, lockout.Surface.REGISTRATION, claimant=convo.telegram_id, now=now, subject=subject
    )
    return Mismatch(None, left)


async def register(
    session: AsyncSession,
    convo: Conversation,
    *,
    preferred: PreferredDays,
) -> None:
    """The last /daftar answer: a claim for staff, whatever the NIK is (listed, recorded,
    someone else's, or new), so the answer never tells which. A NIK not on the list becomes a
    self-registered record, counted and summoned only once staff accept it. A listed NIK's
    claim can only be closed (bot/services/review.py): its letter, or the desk, links it; and
    the office's list arriving later takes back what staff approved (bot/services/holding.py)."""
    data = convo.data
    nik_hash, birth_date = str(data["nik_hash"]), date.fromisoformat(str(data["born"]))
    name = " ".join(str(data["name"]).split())
    account = await session.get(Account, convo.account_id)
    assert account is not None
    target = await _target_by(session, nik_hash=nik_hash)
    if target is None:
        target = Target(
            nik_hash=nik_hash,
            nik_sealed=str(data["nik_sealed"]),
            name=name,
            birth_date=birth_date,
            source=TargetSource.SELF_REGISTERED,
            review=TargetReview.PENDING,
            preferred_days=preferred,
            **new_columns(vault_of(session)),
        )
        session.add(target)
        await session.flush()
        events.record(
            session,
            "self_registered",
            actor=Actor.TEEN,
            channel=Channel.TELEGRAM,
            account_id=account.id,
            target_id=target.id,
        )
    claim = ClaimRow(
        account_id=account.id,
        target_id=target.id,
        name=name[:100],
        birth_date=birth_date,
        preferred_days=preferred,
    )
    session.add(claim)
    await session.flush()
    events.record(
        session,
        "claim_made",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target.id,
        claim_id=claim.id,
    )
    if account.role == Role.NONE:
        account.role = Role.TEEN
    await conversations.end(session, account.id)


async def linked(
    session: AsyncSession,
    account: Account,
    result: Linked,
    *,
    now: datetime,
    policy: notices.Policy,
    include_summons: bool = False,
) -> Linked:
    """Linked after the summons went out: nobody is silently skipped, so the reminders still
    ahead (and the summons itself unless it is shown as a reply) are queued in the same unit
    of work as the link. Guardians who linked before the teen joined are told to her now, as
    a guardian linking later would be, each with the button that undoes it, and with the
    answer one of them gave for her in the meantime."""
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
            include_summons=include_summons,
        )
    await family.tell_joined_teen(session, account, result.target_id, summons, now=now)
    return replace(result, summons=summons)
