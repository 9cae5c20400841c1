"""Who holds a teen's record, stated once for every way in (the letter, /daftar approved by
staff, the office's list arriving later).

Once the office lists a record, its printed letter (or the desk, which reprints the letter after
seeing the family card) is the proof of identity. So an account that holds a record only because
staff approved its /daftar while the NIK was unlisted loses it when the list arrives
(`list_arrived`, called by the import) or when the letter is opened with the right birth date
(`held_by_another`, called by the invitation): its claim goes back to review, with the typed and
the listed name side by side, and staff are alerted. An account that holds the record through
the letter keeps it; the letter opened again is refused like a wrong guess (the answer must not
tell a right birth date from a wrong one), and staff are alerted at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import codes
from bot.db.models import Account, Claim, Event, ParentLink, Target
from bot.domain.kinds import Actor, Channel, ClaimState, LinkMethod, LinkState
from bot.domain.outbox_kinds import Kind
from bot.services import conversations, events, outbox, summonses
from bot.services.outbox import Message, Recipient

# What staff are alerted of (STAFF_ALERT's "alert"; the dashboard's review page lists them).
CLAIM_LISTED = "claim_listed"  # the list arrived: an approved /daftar lets the record go
LETTER_TOOK_BACK = "letter_took_back"  # the letter opened: an approved /daftar lets it go
LETTER_HELD = "letter_held"  # the letter opened, right date, but another account holds it


async def _holder(session: AsyncSession, target_id: int) -> Account | None:
    """The account that holds this record, if any."""
    result = await session.execute(select(Account).where(Account.target_id == target_id))
    return result.scalar_one_or_none()


async def _approved_claim(session: AsyncSession, account_id: int, target_id: int) -> Claim | None:
    """The approved /daftar claim through which this account holds this record, if that is
    how it came to hold it (an invitation leaves no claim)."""
    result = await session.execute(
        select(Claim)
        .where(
            Claim.account_id == account_id,
            Claim.target_id == target_id,
            Claim.state == ClaimState.APPROVED,
        )
        .order_by(Claim.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def alert_staff(
    session: AsyncSession,
    alert: str,
    *,
    target_id: int,
    now: datetime,
    language: str,
    **params: object,
) -> None:
    """Every admin is told at once (the outbox); the dashboard reads the same event."""
    message = Message(
        kind=Kind.STAFF_ALERT,
        due_at=now,
        params={"alert": alert, "target_id": target_id, **params},
    )
    await outbox.enqueue(session, await outbox.staff_recipients(session, language), [message])


async def take_back(
    session: AsyncSession,
    holder: Account,
    claim: Claim,
    target: Target,
    *,
    why: str,
    now: datetime,
    language: str,
) -> None:
    """The record is no longer held through `claim`: the account lets go of it (nothing more
    queued for it about the record is sent), the claim waits for staff again, the code its
    guardians linked with is made anew, and guardians linked with that code wait for staff;
    the person is told how to come back in (the letter, or the desk), and staff are alerted."""
    guardians_held = await _let_go(session, holder, target)
    claim.state = ClaimState.PENDING  # decided_at stays: staff see it was approved before
    events.record(
        session,
        "claim_reopened",
        actor=Actor.SYSTEM,
        channel=Channel.SYSTEM,
        account_id=holder.id,
        target_id=target.id,
        claim_id=claim.id,
        why=why,
        guardians_held=guardians_held,
    )
    told = Message(
        kind=Kind.CLAIM_REOPENED,
        due_at=now,
        params={"claim_id": claim.id},
        dedupe=f"claim_reopened:{claim.id}:{now.isoformat()}",
    )
    await outbox.enqueue(
        session, [Recipient(holder.telegram_id, holder.language, holder.id)], [told]
    )
    await alert_staff(
        session, why, target_id=target.id, now=now, language=language, claim_id=claim.id
    )


async def _let_go(session: AsyncSession, holder: Account, target: Target) -> int:
    """The account no longer holds the record: nothing queued for it about the record is sent,
    the code it could hand to guardians links nobody any more, and the guardians who linked
    with that code wait for staff (with nothing queued for them either). How many wait."""
    holder.target_id = None
    await conversations.end(session, holder.id)
    summons = await summonses.for_target(session, target.id)
    if summons is not None:
        await outbox.cancel(session, summons_id=summons.id, account_id=holder.id)
    target.parent_hash = target.parent_sealed = None
    through_code = list(
        await session.scalars(
            select(ParentLink).where(
                ParentLink.target_id == target.id,
                ParentLink.method == LinkMethod.CODE,
                ParentLink.state == LinkState.ACTIVE,
            )
        )
    )
    for link in through_code:
        link.state = LinkState.PENDING
        if summons is not None:
            await outbox.cancel(session, summons_id=summons.id, account_id=link.parent_account_id)
    return len(through_code)


async def list_arrived(
    session: AsyncSession, target_ids: list[int], *, now: datetime, language: str = "id"
) -> int:
    """The office's list now names these records, which were self-registered until now: an
    account holding one through an approved /daftar gives it back (`_take_back`). How many."""
    taken = 0
    for target_id in target_ids:
        holder = await _holder(session, target_id)
        if holder is None:
            continue
        claim = await _approved_claim(session, holder.id, target_id)
        target = await session.get(Target, target_id)
        if claim is None or target is None:
            continue
        await take_back(
            session, holder, claim, target, why=CLAIM_LISTED, now=now, language=language
        )
        taken += 1
    return taken


async def held_by_another(
    session: AsyncSession, account: Account, target: Target, *, now: datetime, language: str
) -> bool:
    """The letter and the right birth date, but another account holds the record. Held
    through a /daftar claim: that account lets go (the letter wins), False. Held through the
    letter itself: True, with an event and staff alerted at once (the real teen may be the
    one turned away)."""
    holder = await _holder(session, target.id)
    if holder is None or holder.id == account.id:
        return False
    claim = await _approved_claim(session, holder.id, target.id)
    if claim is not None:
        await take_back(
            session, holder, claim, target, why=LETTER_TOOK_BACK, now=now, language=language
        )
        await session.flush()  # the record is free before it is linked again
        return False
    events.record(
        session,
        "claim_conflict",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target.id,
        via="invitation",
    )
    await alert_staff(session, LETTER_HELD, target_id=target.id, now=now, language=language)
    return True


async def release(
    session: AsyncSession, target_id: int, *, by: str, channel: Channel, now: datetime
) -> bool:
    """Staff let go of the account that holds this record, however it came to hold it (after
    checking the family card at the desk, say, when the letter was used by someone else). The
    account is told; guardians who linked with that account's code wait for staff; the letter
    gets a new code (the old one links nobody). False when no account holds the record."""
    target = await session.get(Target, target_id, with_for_update=True)
    holder = await _holder(session, target_id)
    if holder is None or target is None:
        return False
    await _let_go(session, holder, target)
    # The letter that account opened must not open the record again: a new code, and the
    # letter is printed anew for its owner (the desk, or the dashboard's letters).
    await codes.new_invite_code(session, target)
    claim = await _approved_claim(session, holder.id, target_id)
    if claim is not None:
        claim.state = ClaimState.REJECTED
        claim.decided_at, claim.decided_by = now, by[:64]
    events.record(
        session,
        "account_released",
        actor=Actor.STAFF,
        channel=channel,
        account_id=holder.id,
        target_id=target_id,
        by=by,
    )
    told = Message(
        kind=Kind.ACCOUNT_RELEASED, due_at=now, dedupe=f"released:{holder.id}:{now.isoformat()}"
    )
    await outbox.enqueue(
        session, [Recipient(holder.telegram_id, holder.language, holder.id)], [told]
    )
    return True


# The events staff are alerted of in Telegram, listed again on the dashboard's review page.
ALERTED = ("claim_reopened", "claim_conflict", "guardian_disowned")


@dataclass(frozen=True)
class Alert:
    kind: str  # one of ALERTED
    why: str  # for claim_reopened: CLAIM_LISTED or LETTER_TOOK_BACK
    at: datetime
    target_id: int
    name: str  # the record's name (the list's)


async def alerts(session: AsyncSession, *, since: datetime, limit: int = 50) -> list[Alert]:
    """Trust alerts since a moment, newest first, for the dashboard."""
    rows = await session.execute(
        select(Event.kind, Event.data, Event.at, Event.target_id, Target.name)
        .join(Target, Target.id == Event.target_id)
        .where(Event.kind.in_(ALERTED), Event.at >= since)
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(limit)
    )
    return [
        Alert(kind, str((data or {}).get("why", "")), at, target_id, name)
        for kind, data, at, target_id, name in rows
    ]
