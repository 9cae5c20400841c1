"""The review queue: /daftar registrations waiting for staff. Staff see what matched and
approve (the account is linked to the record) or reject; the teen hears of it either way,
in words that tell nothing about anyone else's record.

Only a self-registered record can be approved. A record on the office's list is linked by its
printed letter alone (bot/services/holding.py): what /daftar shows staff of it (a NIK and a
name, which someone else may know, and the birth date inside the NIK) cannot tell the teen from
an impostor, so approval is not offered for it and the person is pointed to the letter or the
desk."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Claim, Target
from bot.db.vault import vault_of
from bot.domain.kinds import Actor, Channel, ClaimState, TargetReview, TargetSource
from bot.domain.names import same_person_name
from bot.domain.nik import mask
from bot.domain.outbox_kinds import Kind
from bot.services import events, notices, outbox, registration
from bot.services.outbox import Message, Recipient
from bot.services.registration import Claim as Linking
from bot.services.registration import Linked


@dataclass(frozen=True)
class Pending:
    """One registration as staff see it: what was typed, and what the office's record says."""

    id: int
    typed_name: str
    typed_birth_date: date
    masked_nik: str
    created_at: datetime
    listed: bool  # the NIK is on the office's list (not only this registration's record)
    listed_name: str | None
    name_matches: bool
    birth_date_matches: bool
    recorded_at: datetime | None
    linked_elsewhere: bool  # another account already holds the record
    erased: bool  # the person deleted their data since
    # Approved while the NIK was unlisted; back here because the list (or the letter) came.
    reopened: bool
    # Staff may approve it (a self-registered record); else only close it, pointing the
    # person to their letter or the desk.
    approvable: bool


class Decision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    GONE = "gone"  # decided before, or nobody left to decide for
    TAKEN = "taken"  # the record is another account's: reject, or unlink that one first
    LISTED = "listed"  # on the office's list: only the letter or the desk links it


async def pending(session: AsyncSession, limit: int = 200) -> list[Pending]:
    """Registrations waiting for staff, oldest first, with what matched."""
    vault = vault_of(session)
    holder = select(Account.id).where(Account.target_id == Claim.target_id).exists()
    rows = await session.execute(
        select(Claim, Target, holder)
        .outerjoin(Target, Target.id == Claim.target_id)
        .where(Claim.state == ClaimState.PENDING)
        .order_by(Claim.created_at, Claim.id)
        .limit(limit)
    )
    found = []
    for claim, target, held in rows:
        listed = target is not None and target.source == TargetSource.IMPORTED
        found.append(
            Pending(
                id=claim.id,
                typed_name=claim.name,
                typed_birth_date=claim.birth_date,
                masked_nik=mask(vault.open(target.nik_sealed)) if target else "",
                created_at=claim.created_at,
                listed=listed,
                listed_name=target.name if listed and target else None,
                name_matches=target is not None and same_person_name(claim.name, target.name),
                birth_date_matches=target is not None and target.birth_date == claim.birth_date,
                recorded_at=target.recorded_at if target else None,
                linked_elsewhere=bool(held),
                erased=claim.account_id is None,
                reopened=claim.decided_at is not None,
                approvable=not listed and target is not None and claim.account_id is not None,
            )
        )
    return found


async def typed_name(session: AsyncSession, claim_id: int) -> str | None:
    """The name a registration typed, for staff comparing it with the list's."""
    claim = await session.get(Claim, claim_id)
    return claim.name if claim is not None else None


async def has_pending(session: AsyncSession, account_id: int) -> bool:
    """This account's registration is still with staff."""
    found = await session.scalar(
        select(Claim.id).where(Claim.account_id == account_id, Claim.state == ClaimState.PENDING)
    )
    return found is not None


async def decide(
    session: AsyncSession,
    claim_id: int,
    *,
    approve: bool,
    by: str,
    channel: Channel,
    now: datetime,
    policy: notices.Policy,
) -> Decision:
    """Approve (link the account to the record, accept a self-registered record, queue the
    summons and reminders still ahead) or reject; the person is told through the outbox."""
    claim = await session.get(Claim, claim_id, with_for_update=True)
    if claim is None or claim.state != ClaimState.PENDING:
        return Decision.GONE
    account = await session.get(Account, claim.account_id) if claim.account_id else None
    # Locked: an import may be turning this record into a listed one right now, and the
    # approval must see what it will be, not what it was (holding.list_arrived).
    target = (
        await session.get(Target, claim.target_id, with_for_update=True)
        if claim.target_id
        else None
    )
    if approve and (account is None or target is None):
        return Decision.GONE
    if approve and target is not None and target.source == TargetSource.IMPORTED:
        return Decision.LISTED
    if approve and account is not None and target is not None:
        holder = await session.scalar(select(Account.id).where(Account.target_id == target.id))
        if holder is not None and holder != account.id:
            return Decision.TAKEN
    if account is not None:  # told first, then (approved) the summons follows
        verdict = Message(
            kind=Kind.CLAIM_APPROVED if approve else Kind.CLAIM_REJECTED,
            due_at=now,
            params={"target_id": claim.target_id},
            # A claim can be decided again after the list took it back: a new key each time.
            dedupe=f"claim:{claim.id}:{now.isoformat()}",
        )
        await outbox.enqueue(
            session, [Recipient(account.telegram_id, account.language, account.id)], [verdict]
        )
    if approve and account is not None and target is not None:
        if target.review != TargetReview.ACCEPTED:
            target.review = TargetReview.ACCEPTED
            target.preferred_days = claim.preferred_days
        registration.link(session, account, target, "review", actor=Actor.STAFF)
        await registration.linked(
            session,
            account,
            Linked(Linking.LINKED, target.name, target.id),
            now=now,
            policy=policy,
            include_summons=True,
        )
    elif target is not None and target.source == TargetSource.SELF_REGISTERED:
        target.review = TargetReview.REJECTED
    claim.state = ClaimState.APPROVED if approve else ClaimState.REJECTED
    claim.decided_at, claim.decided_by = now, str(by)[:64]
    events.record(
        session,
        "claim_approved" if approve else "claim_rejected",
        actor=Actor.STAFF,
        channel=channel,
        account_id=claim.account_id,
        target_id=claim.target_id,
        claim_id=claim.id,
        by=str(by),
    )
    return Decision.APPROVED if approve else Decision.REJECTED
