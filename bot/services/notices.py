"""What a change to a summons puts in the outbox: the summons, its pin, the reminders still
ahead, the 48-hour escalation to parents; and what a decline, move or attendance cancels."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.models import Summons
from bot.domain import summons_rules
from bot.domain.kinds import ContactOf
from bot.domain.outbox_kinds import SUMMONS_GROUPS, Kind
from bot.domain.reminders import reminder_times
from bot.services import outbox
from bot.services.outbox import Message, Recipient


@dataclass(frozen=True)
class Policy:
    """The office's reminder rules."""

    zone: ZoneInfo
    reminders: tuple[str, ...]
    escalate_after: timedelta = timedelta(hours=48)
    language: str = "id"  # the office's: what staff alerts are written in

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            zone=settings.zone, reminders=settings.reminders, language=settings.default_language
        )


def _messages(
    summons_id: int,
    session_id: int,
    starts_at: datetime,
    policy: Policy,
    now: datetime,
    *,
    include_summons: bool,
    changed: bool = False,
) -> list[Message]:
    params = {"summons_id": summons_id, "session_id": session_id}
    tag = f"{summons_id}:{session_id}"
    found = []
    if include_summons:
        # A session staff moved keeps its id: the new time tells the two summonses apart.
        kind, dedupe = (
            (Kind.SESSION_MOVED, f"moved:{tag}:{starts_at.isoformat()}")
            if changed
            else (Kind.SUMMONS, f"summons:{tag}")
        )
        # A change to a session today cannot wait for the end of quiet hours.
        urgent = changed and summons_rules.same_day(starts_at, now, policy.zone)
        found += [
            Message(
                kind=kind,
                due_at=now,
                params=params,
                summons_id=summons_id,
                dedupe=dedupe,
                urgent=urgent,
            ),
            Message(
                kind=Kind.VENUE,
                due_at=now,
                params=params,
                summons_id=summons_id,
                dedupe=f"venue:{tag}",
            ),
        ]
    for which, due in reminder_times(starts_at, policy.zone, which=policy.reminders).items():
        if due > now:
            found.append(
                Message(
                    kind=Kind.REMINDER,
                    due_at=due,
                    params={**params, "which": which},
                    summons_id=summons_id,
                    dedupe=f"reminder:{tag}:{which}",
                )
            )
    return found


def _nudge(summons_id: int, session_id: int, due: datetime) -> Message:
    """To parents: the teen has not answered for 48 hours (dropped if they have by then)."""
    return Message(
        kind=Kind.UNANSWERED,
        due_at=due,
        params={"summons_id": summons_id, "session_id": session_id},
        summons_id=summons_id,
        dedupe=f"unanswered:{summons_id}:{session_id}",
    )


async def summoned(
    session: AsyncSession,
    *,
    summons_id: int,
    target_id: int,
    session_id: int,
    starts_at: datetime,
    policy: Policy,
    now: datetime,
    shown_to: int | None = None,
    changed: bool = False,
) -> list[Recipient]:
    """A new (or moved) summons: everyone linked gets it and the reminders still ahead, except
    that whoever just saw it as a direct reply (`shown_to`, a Recipient.who) gets only the
    reminders; parents also get a nudge if the teen has not answered after 48 hours.
    `changed`: staff moved the session itself, and the summons says so. Who was told."""
    everyone = await outbox.recipients_of(session, target_id)
    full = _messages(
        summons_id, session_id, starts_at, policy, now, include_summons=True, changed=changed
    )
    reminders_only = [m for m in full if m.kind == Kind.REMINDER]
    await outbox.enqueue(session, [r for r in everyone if r.who != shown_to], full)
    await outbox.enqueue(session, [r for r in everyone if r.who == shown_to], reminders_only)
    escalate_at = now + policy.escalate_after
    if escalate_at < starts_at:
        parents = [r for r in everyone if r.parent]
        await outbox.enqueue(session, parents, [_nudge(summons_id, session_id, escalate_at)])
    return everyone


async def _instead_of_the_number(
    session: AsyncSession, recipient: Recipient, summons_id: int
) -> Recipient:
    """Telegram now takes what the number on the record was to get: the teen's own number
    (a parent's Telegram, the guardian's number) hands over this summons' queued messages, so
    nobody gets them twice. The teen's number stays the next rung for her account."""
    summons = await session.get(Summons, summons_id)
    if summons is None:
        return recipient
    whose = ContactOf.GUARDIAN if recipient.parent else ContactOf.TEEN
    number = await outbox.number_of(session, summons.target_id, whose)
    if number is None:
        return recipient
    await outbox.cancel(session, summons_id=summons_id, contact_id=number)
    return recipient if recipient.parent else replace(recipient, contact_id=number)


async def linked_late(
    session: AsyncSession,
    recipient: Recipient,
    *,
    summons_id: int,
    session_id: int,
    starts_at: datetime,
    policy: Policy,
    now: datetime,
    include_summons: bool,
) -> None:
    """Someone linked after the summons went out: nobody is silently skipped, so they get the
    summons (unless it was just shown to them) and every reminder still ahead; a parent also
    gets the nudge should the teen still not have answered 48 hours from now."""
    messages = _messages(
        summons_id, session_id, starts_at, policy, now, include_summons=include_summons
    )
    recipient = await _instead_of_the_number(session, recipient, summons_id)
    escalate_at = now + policy.escalate_after
    if recipient.parent and escalate_at < starts_at:
        messages.append(_nudge(summons_id, session_id, escalate_at))
    await outbox.enqueue(session, [recipient], messages)


async def moved(
    session: AsyncSession,
    *,
    summons_id: int,
    target_id: int,
    session_id: int,
    starts_at: datetime,
    policy: Policy,
    now: datetime,
    shown_to: int | None = None,
) -> list[Recipient]:
    """Forget the old session's reminders; schedule the new session's. Who was told."""
    await outbox.cancel(session, summons_id=summons_id, groups=SUMMONS_GROUPS)
    return await summoned(
        session,
        summons_id=summons_id,
        target_id=target_id,
        session_id=session_id,
        starts_at=starts_at,
        policy=policy,
        now=now,
        shown_to=shown_to,
    )


async def stopped(session: AsyncSession, summons_id: int) -> None:
    """Declined, home visit, attended: no more reminders for this summons."""
    await outbox.cancel(session, summons_id=summons_id, groups=SUMMONS_GROUPS)


async def answered(
    session: AsyncSession,
    *,
    summons_id: int,
    target_id: int,
    session_id: int,
    revision: int,
    by_parent: bool,
    now: datetime,
    shown_to: int,
) -> None:
    """Someone answered the summons: everyone else linked to it (the teen, other parents)
    sees who answered and what, with the buttons as they are now."""
    others = [r for r in await outbox.recipients_of(session, target_id) if r.who != shown_to]
    notice = Message(
        kind=Kind.ANSWERED,
        due_at=now,
        params={
            "summons_id": summons_id,
            "session_id": session_id,
            "by": "parent" if by_parent else "teen",
        },
        summons_id=summons_id,
        dedupe=f"answered:{summons_id}:{revision}",
    )
    await outbox.enqueue(session, others, [notice])
