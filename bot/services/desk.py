"""The recording desk: say what happened to the person in front of staff (finding them is
`desk_search`).

Three outcomes, each an event naming who did it: recorded (every consequence, through
`recording.mark_recorded`); came but not recorded, with a reason (the summons ends as
UNRECORDED and the teen is offered the sessions ahead at once); and undo of a wrong mark
(recorded_at cleared, the summons back to what it was before the desk, else summoned; the
thank-you already sent stays sent).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Event, ServiceSession, Summons, Target
from bot.domain.desk import Reason
from bot.domain.kinds import Actor, Channel, SummonsState
from bot.domain.outbox_kinds import SUMMONS_GROUPS, Kind
from bot.domain.summons_rules import HOLDS_SEAT
from bot.services import events, outbox, recording, seats, summonses, waiting
from bot.services.outbox import Message


class Done(enum.StrEnum):
    DONE = "done"
    ALREADY = "already"  # recorded before: nothing to do (or, for undo: nothing to undo)
    NOT_RECORDED = "not_recorded"  # undo of someone who is not recorded
    GONE = "gone"


@dataclass(frozen=True)
class Result:
    """What an outcome did, and who was actually told (a teen without Telegram and without
    linked parents is told nothing, and no front end may say otherwise)."""

    done: Done
    teen: bool = False  # the teen's own chat is sent the thank-you or the offer
    guardians: int = 0  # linked parents sent it
    summoned: bool = True  # came, not recorded: they had a summons to move on from
    offered: int = 0  # came, not recorded: sessions ahead offered to whoever is told
    waiting: bool = False  # came, not recorded: none ahead, on the waiting list

    @property
    def told(self) -> bool:
        return self.teen or self.guardians > 0


def _told(done: Done, people: list[outbox.Recipient], **more: Any) -> Result:
    return Result(
        done,
        teen=any(not p.parent for p in people),
        guardians=sum(p.parent for p in people),
        **more,
    )


async def _summons(session: AsyncSession, target_id: int) -> Summons | None:
    return await session.scalar(
        select(Summons).where(Summons.target_id == target_id).with_for_update()
    )


def _note(session: AsyncSession, kind: str, target_id: int, channel: Channel, **data: Any) -> None:
    events.record(session, kind, actor=Actor.STAFF, channel=channel, target_id=target_id, **data)


async def record(
    session: AsyncSession, target_id: int, *, by: str, channel: Channel, now: datetime
) -> Result:
    """Recorded at the desk, now: every consequence, once; and who is thanked."""
    target = await session.get(Target, target_id)
    if target is None:
        return Result(Done.GONE)
    if target.recorded_at is not None:
        return Result(Done.ALREADY)
    summons = await _summons(session, target_id)
    was = summons.state.value if summons else None
    marked = await recording.mark_recorded(
        session, [target_id], at=now, source=recording.Source.DESK, by=by, channel=channel, now=now
    )
    if not marked:
        return Result(Done.ALREADY)
    _note(session, "desk_recorded", target_id, channel, by=by, was=was)
    # The same people recording.mark_recorded queued the thank-you for.
    return _told(Done.DONE, await outbox.recipients_of(session, target_id))


async def unrecorded(
    session: AsyncSession,
    target_id: int,
    reason: Reason,
    *,
    by: str,
    channel: Channel,
    now: datetime,
    deadline: datetime,
) -> Result:
    """Came but could not be recorded: the summons ends as UNRECORDED (its seat back, its
    reminders stopped), and the teen and parents hear why with the sessions ahead (before
    `deadline`); with none ahead the teen waits for a freed place, as after a missed session.
    The result says who heard it and how many sessions they were offered."""
    target = await session.get(Target, target_id)
    if target is None:
        return Result(Done.GONE)
    if target.recorded_at is not None:
        return Result(Done.ALREADY)
    summons = await _summons(session, target_id)
    _note(
        session,
        "desk_unrecorded",
        target_id,
        channel,
        by=by,
        reason=reason.value,
        was=summons.state.value if summons else None,
    )
    if summons is None:  # never summoned: nothing to offer but `rekam summon`'s next round
        return Result(Done.DONE, summoned=False)
    if summons.state in HOLDS_SEAT:
        await seats.release(session, summons.session_id)
    summons.state, summons.revision, summons.answered_at = (
        SummonsState.UNRECORDED,
        summons.revision + 1,
        now,
    )
    await outbox.cancel(session, summons_id=summons.id, groups=SUMMONS_GROUPS)
    ahead = await summonses.move_options(
        session, exclude=summons.session_id, now=now, deadline=deadline
    )
    if not ahead:
        await waiting.join(session, target_id, now=now)
    offer = Message(
        kind=Kind.DESK_UNRECORDED,
        due_at=now,
        params={
            "summons_id": summons.id,
            "session_id": summons.session_id,
            "reason": reason.value,
        },
        summons_id=summons.id,
        dedupe=f"desk_unrecorded:{summons.id}:{summons.revision}",
    )
    people = await outbox.recipients_of(session, target_id)
    await outbox.enqueue(session, people, [offer])
    return _told(Done.DONE, people, offered=len(ahead), waiting=not ahead)


async def undo(
    session: AsyncSession, target_id: int, *, by: str, channel: Channel, now: datetime
) -> Result:
    """A wrong mark taken back (staff only): not recorded any more, the summons as it was."""
    target = await session.get(Target, target_id, with_for_update=True)
    if target is None:
        return Result(Done.GONE)
    if target.recorded_at is None:
        return Result(Done.NOT_RECORDED)
    # What the summons was before the mark being undone: known only when that mark was the
    # desk's (its note follows the "recorded" event); a list's or a QR's mark falls back.
    last = (
        await session.execute(
            select(Event.kind, Event.data)
            .where(Event.target_id == target_id, Event.kind.in_(("recorded", "desk_recorded")))
            .order_by(Event.id.desc())
            .limit(1)
        )
    ).first()
    was_text = (last.data or {}).get("was") if last and last.kind == "desk_recorded" else None
    target.recorded_at = None
    # A thank-you not yet sent is not sent: the mark it thanks for is taken back.
    await outbox.cancel_keyed(session, recording.thanks_key(target_id))
    summons = await _summons(session, target_id)
    back = None
    if summons is not None and summons.state in (SummonsState.ATTENDED, SummonsState.RECORDED):
        known = {state.value for state in SummonsState}
        back = SummonsState(was_text) if was_text in known else SummonsState.SUMMONED
        if back == SummonsState.RECORDED:
            back = SummonsState.SUMMONED  # ATTENDED stays: came at the door, then the mark
        if back in HOLDS_SEAT and summons.state not in HOLDS_SEAT:
            # The seat was given back when the mark was made; it is the teen's again, even
            # over capacity: staff are undoing their own mistake.
            await session.execute(
                update(ServiceSession)
                .where(ServiceSession.id == summons.session_id)
                .values(booked=ServiceSession.booked + 1)
                .execution_options(synchronize_session=False)
            )
        summons.state, summons.revision, summons.answered_at = back, summons.revision + 1, now
    _note(
        session,
        "recorded_undone",
        target_id,
        channel,
        by=by,
        summons_state=back.value if back else None,
    )
    return Result(Done.DONE)
