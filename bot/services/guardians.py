"""A guardian linking to a child: with the code the teen's /kode gives (or the letter's, for a
child without Telegram) and the child's birth date, at once; or with the child's NIK, which
staff approve. Every wrong try counts towards the one lockout; the teen is told of every link,
with a button that undoes it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import codes
from bot.db.codes import Code, find_by_code
from bot.db.models import Account, ParentLink, Target
from bot.db.vault import vault_of
from bot.domain import summons_rules
from bot.domain.kinds import Actor, Channel, LinkMethod, LinkState
from bot.domain.nik import mask
from bot.domain.outbox_kinds import Kind
from bot.domain.retention import NOTICE_VERSION
from bot.domain.steps import Step
from bot.services import (
    accounts,
    consents,
    conversations,
    events,
    family,
    lockout,
    notices,
    outbox,
    summonses,
)
from bot.services.outbox import Message, Recipient
from bot.services.summonses import SummonsView


class Linking(enum.StrEnum):
    LINKED = "linked"
    PENDING = "pending"  # waits for staff (or: nothing to tell, see request_by_nik)
    REFUSED = "refused"  # wrong code or date: one neutral answer
    IS_TEEN = "is_teen"  # this account is the teen's own
    LOCKED = "locked"  # too many refused guesses (bot/services/lockout.py)


@dataclass(frozen=True)
class PendingLink:
    id: int
    child: str
    masked_nik: str
    parent: str
    requested_at: datetime


def _surface(via_nik: bool) -> lockout.Surface:
    return lockout.Surface.PARENT_NIK if via_nik else lockout.Surface.PARENT_CODE


def _subject(code_or_nik: str, *, via_nik: bool) -> str:
    return lockout.nik_subject(code_or_nik) if via_nik else lockout.code_subject(code_or_nik)


async def link_lock(
    session: AsyncSession,
    telegram_id: int,
    code_or_nik: str | None,
    *,
    via_nik: bool,
    now: datetime,
) -> lockout.Lock | None:
    """Whether linking this way is locked for this person (or, given one, for that code or
    NIK, whoever tries): bot/services/lockout.py."""
    subject = _subject(code_or_nik, via_nik=via_nik) if code_or_nik is not None else None
    return await lockout.lock_on(
        session, _surface(via_nik), claimant=telegram_id, subject=subject, now=now
    )


async def _refused(
    session: AsyncSession, parent: Account, code_or_nik_hash: str, *, via_nik: bool, now: datetime
) -> lockout.Lock | None:
    """A wrong code, NIK or date (or, for a NIK, any attempt): counted; the lock it leads to."""
    return await lockout.refuse(
        session,
        _surface(via_nik),
        claimant=parent.telegram_id,
        subject=_subject(code_or_nik_hash, via_nik=via_nik),
        now=now,
        actor=Actor.PARENT,
        account_id=parent.id,
    )


async def _tries_left(
    session: AsyncSession, telegram_id: int, code_or_nik_hash: str, *, via_nik: bool, now: datetime
) -> int:
    """Wrong tries left before the next lock, as every front end warns of the last one."""
    return await lockout.tries_left(
        session,
        _surface(via_nik),
        claimant=telegram_id,
        now=now,
        subject=_subject(code_or_nik_hash, via_nik=via_nik),
    )


@dataclass(frozen=True)
class Linked:
    outcome: Linking
    name: str | None = None
    summons: SummonsView | None = None  # the child's, shown to the parent at once
    locked_until: datetime | None = None
    tries_left: int = 0  # REFUSED, PENDING by NIK: wrong tries left before the next lock


async def _guardian_linked(
    session: AsyncSession, link: ParentLink, parent: Account, now: datetime
) -> None:
    """A guardian is linked: their consent to the notice is kept, and the teen is told at once,
    with a button that undoes it (bot/handlers/unlinking.py: disown)."""
    consents.record(
        session,
        parent.id,
        notice_version=NOTICE_VERSION,
        given_as="parent",
        target_id=link.target_id,
    )
    teen = await outbox.recipients_of(session, link.target_id, parents=False)
    notice = Message(
        kind=Kind.GUARDIAN_LINKED,
        due_at=now,
        params={"link_id": link.id},
        dedupe=f"guardian_linked:{link.id}",
    )
    await outbox.enqueue(session, teen, [notice])


async def disown(
    session: AsyncSession, link_id: int, *, telegram_id: int, now: datetime, office_language: str
) -> bool:
    """The teen says a linked guardian is not theirs: the link goes, and staff are alerted.
    False for anyone but the teen of that link, or a link already removed."""
    teen = await accounts.find(session, telegram_id)
    link = await session.get(ParentLink, link_id, with_for_update=True)
    if teen is None or link is None or link.target_id != teen.target_id:
        return False
    if link.state == LinkState.REMOVED:
        return False
    parent_name = link.parent_name
    await family.unlink(session, link_id, by=teen)
    events.record(
        session,
        "guardian_disowned",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=teen.id,
        target_id=link.target_id,
        link_id=link.id,
    )
    alert = Message(
        kind=Kind.STAFF_ALERT,
        due_at=now,
        params={"alert": "not_guardian", "target_id": link.target_id, "guardian": parent_name},
        dedupe=f"not_guardian:{link.id}",
    )
    await outbox.enqueue(session, await outbox.staff_recipients(session, office_language), [alert])
    return True


# Guardians the printed letter's code alone may link to one record. A letter is seen by more
# people than a teen's /kode (it travels through school and family); past these, a guardian
# waits for staff, who can check who they are.
LETTER_LINKS = 2


async def _target_of_parent_code(
    session: AsyncSession, code: str
) -> tuple[Target | None, LinkMethod]:
    """The child a code links a parent to, and how: the code the teen gives from /kode, or the
    letter's code while no teen account holds the record (a child without Telegram: the family
    has the letter). Once the teen is on Telegram, a letter seen by someone else links nobody."""
    cleaned = "".join(code.split()).upper()
    found = await find_by_code(session, cleaned, Code.PARENT)
    if found is not None:
        return found, LinkMethod.CODE
    lettered = await find_by_code(session, cleaned, Code.INVITE)
    if lettered is None:
        return None, LinkMethod.LETTER
    held = await session.scalar(select(Account.id).where(Account.target_id == lettered.id))
    return (lettered if held is None else None), LinkMethod.LETTER


async def _letter_links(session: AsyncSession, target_id: int, parent_id: int) -> int:
    """Other guardians linked (or waiting) through this record's letter."""
    count = await session.scalar(
        select(func.count()).where(
            ParentLink.target_id == target_id,
            ParentLink.method == LinkMethod.LETTER,
            ParentLink.state != LinkState.REMOVED,
            ParentLink.parent_account_id != parent_id,
        )
    )
    return int(count or 0)


async def parent_code_of(session: AsyncSession, target_id: int) -> str:
    """The code the teen gives their parents, made the first time it is asked for."""
    target = await session.get(Target, target_id, with_for_update=True)
    assert target is not None
    return await codes.parent_code(session, target)


async def link_by_code(
    session: AsyncSession,
    telegram_id: int,
    code: str,
    birth_date: date,
    *,
    name: str,
    now: datetime,
    policy: notices.Policy,
) -> Linked:
    """Link at once when the code is a child's and the birth date is theirs; the parent then
    gets the reminders still ahead (queued here, in the same unit of work as the link)."""
    parent = await accounts.find(session, telegram_id)
    assert parent is not None, "the code step is only reached with an account"
    await conversations.end(session, parent.id)
    lock = await link_lock(session, telegram_id, code, via_nik=False, now=now)
    if lock is not None:
        return Linked(Linking.LOCKED, locked_until=lock.until)
    target, method = await _target_of_parent_code(session, code)
    if target is not None and parent.target_id == target.id:
        return Linked(Linking.IS_TEEN)
    if target is None or target.birth_date != birth_date:
        lock = await _refused(session, parent, code, via_nik=False, now=now)
        if lock is not None:
            return Linked(Linking.LOCKED, locked_until=lock.until)
        await conversations.go(session, parent.id, Step.PARENT_CODE_DATE, code=code.upper())
        left = await _tries_left(session, telegram_id, code, via_nik=False, now=now)
        return Linked(Linking.REFUSED, tries_left=left)
    if method == LinkMethod.LETTER and await _letter_links(session, target.id, parent.id) >= (
        LETTER_LINKS
    ):
        link = await family.link_parent(session, parent, target, method, LinkState.PENDING, name)
        if link.state == LinkState.PENDING:
            family.record(
                session, "parent_link_requested", parent, target.id, link_id=link.id, via="letter"
            )
            return Linked(Linking.PENDING)
    link = await family.link_parent(session, parent, target, method, LinkState.ACTIVE, name)
    family.record(session, "parent_linked", parent, target.id, via=method.value)
    await _guardian_linked(session, link, parent, now)
    summons = await summonses.for_target(session, target.id)
    if summons is not None and summons.state in summons_rules.EXPECTED:
        await notices.linked_late(
            session,
            Recipient(parent.telegram_id, parent.language, parent.id, parent=True),
            summons_id=summons.id,
            session_id=summons.session_id,
            starts_at=summons.starts_at,
            policy=policy,
            now=now,
            include_summons=False,
        )
    else:
        summons = None
    return Linked(Linking.LINKED, target.name, summons)


async def nik_typed(
    session: AsyncSession, account_id: int, nik: str, *, after: Step | None
) -> None:
    """A child's NIK, well formed: kept (as its keyed hash only) until the birth date comes."""
    nik_hash = vault_of(session).hash(nik)
    await conversations.go(
        session, account_id, Step.PARENT_NIK_DATE, after=after, nik_hash=nik_hash
    )


async def request_by_nik(
    session: AsyncSession,
    telegram_id: int,
    nik_hash: str,
    birth_date: date,
    *,
    name: str,
    now: datetime,
) -> Linked:
    """A child without Telegram: a matching NIK and birth date becomes a request for staff.

    Every attempt counts towards the lock and is answered PENDING, matched or not, listed or
    not, so nobody learns whether a NIK is on the list: only a lock reached before this
    attempt is said (attempts are counted before anything is checked)."""
    parent = await accounts.find(session, telegram_id)
    assert parent is not None, "the NIK step is only reached with an account"
    await conversations.end(session, parent.id)
    lock = await link_lock(session, telegram_id, nik_hash, via_nik=True, now=now)
    if lock is not None:
        return Linked(Linking.LOCKED, locked_until=lock.until)
    await _refused(session, parent, nik_hash, via_nik=True, now=now)
    left = await _tries_left(session, telegram_id, nik_hash, via_nik=True, now=now)
    found = await session.execute(select(Target).where(Target.nik_hash == nik_hash))
    target = found.scalar_one_or_none()
    if target is None or target.birth_date != birth_date or parent.target_id == target.id:
        return Linked(Linking.PENDING, tries_left=left)
    link = await family.link_parent(
        session, parent, target, LinkMethod.NIK, LinkState.PENDING, name
    )
    family.record(session, "parent_link_requested", parent, target.id, link_id=link.id)
    return Linked(Linking.PENDING, tries_left=left)


async def pending(session: AsyncSession) -> list[PendingLink]:
    """Requests waiting for staff, oldest first."""
    vault = vault_of(session)
    rows = await session.execute(
        select(ParentLink, Target.name, Target.nik_sealed)
        .join(Target, Target.id == ParentLink.target_id)
        .where(ParentLink.state == LinkState.PENDING)
        .order_by(ParentLink.created_at, ParentLink.id)
    )
    return [
        PendingLink(
            link.id, name, mask(vault.open(sealed)), link.parent_name or "", link.created_at
        )
        for link, name, sealed in rows
    ]


async def decide(
    session: AsyncSession,
    link_id: int,
    *,
    approve: bool,
    staff_id: int,
    now: datetime,
    policy: notices.Policy,
    channel: Channel = Channel.TELEGRAM,
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
        channel=channel,
        account_id=link.parent_account_id,
        target_id=link.target_id,
        by=staff_id,
    )
    parent = await session.get(Account, link.parent_account_id)
    assert parent is not None
    recipient = Recipient(parent.telegram_id, parent.language, parent.id, parent=True)
    # Only an approval is told. A request whose NIK and date matched nothing never reaches
    # staff, so a refusal, told, would say that this NIK was on the list; the parent was told
    # when asking what to do if no answer comes.
    if approve:
        verdict = Message(
            kind=Kind.LINK_APPROVED,
            due_at=now,
            params={"target_id": link.target_id},
            dedupe=f"link_decided:{link.id}",
        )
        await outbox.enqueue(session, [recipient], [verdict])
    if approve:
        await _guardian_linked(session, link, parent, now)
    summons = await summonses.for_target(session, link.target_id) if approve else None
    if summons is not None and summons.state in summons_rules.EXPECTED:
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
