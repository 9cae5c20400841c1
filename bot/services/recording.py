"""Recorded, from any source, ends everything at once (SPEC section 4): the desk's mark, a
target list that says "sudah rekam", or the office's records (`rekam import recorded`).

One service does every consequence, for one teen or a whole import chunk: the record says when;
the summons ends (ATTENDED when the teen came to the session they were called to, RECORDED
otherwise, which gives the seat back); every queued message to the teen and their parents is
cancelled; they leave the waiting list; the planner will not call them a no-show; and one
thank-you (teen and parents) says what comes next.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, Summons, Target, WaitingTeen
from bot.domain.kinds import Actor, Channel, OutboxState, SummonsState
from bot.domain.outbox_kinds import Kind
from bot.domain.summons_rules import HOLDS_SEAT
from bot.services import events, outbox, seats
from bot.services.outbox import Message


class Source(enum.StrEnum):
    DESK = "desk"  # staff marked the teen at a session (or the desk at the office)
    LIST = "list"  # the target list came with a recorded status
    RECORDS = "records"  # the office's daily export of its population records


def thanks_key(target_id: int, marked: datetime | None = None) -> str:
    """The thank-you's dedupe key for one mark; without `marked`, the prefix of every mark's."""
    return f"recorded:{target_id}:" + (marked.isoformat() if marked else "")


async def mark_recorded(
    session: AsyncSession,
    target_ids: Sequence[int],
    *,
    at: datetime,
    source: Source,
    by: str,
    channel: Channel,
    now: datetime,
    session_id: int | None = None,
) -> list[int]:
    """Mark these teens recorded (at `at`) with every consequence; the ids newly marked (one
    already recorded is left as it is). `session_id`: where the desk saw them, if it did."""
    if not target_ids:
        return []
    fresh = list(
        await session.scalars(
            select(Target.id)
            .where(Target.id.in_(target_ids), Target.recorded_at.is_(None))
            .with_for_update()
        )
    )
    if not fresh:
        return []
    await session.execute(update(Target).where(Target.id.in_(fresh)).values(recorded_at=at))
    summons_rows = list(
        await session.scalars(select(Summons).where(Summons.target_id.in_(fresh)).with_for_update())
    )
    for summons in summons_rows:
        came_here = source == Source.DESK and (
            session_id is None or session_id == summons.session_id
        )
        ended = SummonsState.ATTENDED if came_here else SummonsState.RECORDED
        if summons.state in HOLDS_SEAT and not came_here:
            await seats.release(session, summons.session_id)
        summons.state, summons.revision, summons.answered_at = ended, summons.revision + 1, now
    # Every message still queued about these teens, to them or their parents: summonses'
    # rows by summons, place offers and notices by account.
    summons_ids = [s.id for s in summons_rows]
    if summons_ids:
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.summons_id.in_(summons_ids),
                OutboxMessage.state == OutboxState.PENDING,
            )
            .values(state=OutboxState.CANCELLED, dedupe_key=None)
        )
    await session.execute(delete(WaitingTeen).where(WaitingTeen.target_id.in_(fresh)))
    where_summoned = {s.target_id: s.session_id for s in summons_rows}
    for target_id in fresh:
        event = events.record(
            session,
            "recorded",
            actor=Actor.STAFF,
            channel=channel,
            target_id=target_id,
            source=source.value,
            by=by,
            session_id=where_summoned.get(target_id),
        )
        event.at = now
    for target_id, people in (await outbox.recipients_of_many(session, fresh)).items():
        thanks = Message(
            kind=Kind.RECORDED,
            due_at=now,
            params={"target_id": target_id},
            # One thank-you per mark: a mark undone and made again thanks again (the first,
            # if still unsent, was withdrawn by the undo), never silently skipped.
            dedupe=thanks_key(target_id, now),
        )
        await outbox.enqueue(session, people, [thanks])
    return fresh
