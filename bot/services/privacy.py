"""/hapus: deleting a person's data, keeping only the office's record of recording."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Consent, ParentLink, Summons, Target
from bot.domain.kinds import Actor, Channel, SummonsState, TargetSource
from bot.services import accounts, events, seats, summonses


async def erase_account_of(session: AsyncSession, telegram_id: int) -> None:
    """/hapus confirmed: erase this Telegram user's account, if they have one."""
    account = await accounts.find(session, telegram_id)
    if account is not None:
        await erase(session, account)


async def erase(session: AsyncSession, account: Account) -> None:
    """Delete the account, its consents, links and contact details.

    A target the teen registered themselves is deleted too unless they have been recorded:
    then the law requires the office to keep the recording (name, NIK, date). A target from the
    office's own list stays on the list (it is the office's data), unlinked. The event log keeps
    only ids, so it stays.
    """
    target = await session.get(Target, account.target_id) if account.target_id else None
    await session.execute(delete(Consent).where(Consent.account_id == account.id))
    await session.execute(delete(ParentLink).where(ParentLink.parent_account_id == account.id))
    events.record(
        session,
        "data_erased",
        actor=Actor.TEEN,
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=target.id if target else None,
    )
    await session.delete(account)
    await session.flush()
    if target is None or target.source != TargetSource.SELF_REGISTERED:
        return
    if target.recorded_at is not None:
        return
    summons = (
        await session.execute(select(Summons).where(Summons.target_id == target.id))
    ).scalar_one_or_none()
    if summons is not None:
        if summons.state in summonses.HOLDS_SEAT and summons.state != SummonsState.ATTENDED:
            await seats.release(session, summons.session_id)
        await session.delete(summons)
    await session.execute(delete(ParentLink).where(ParentLink.target_id == target.id))
    await session.delete(target)
