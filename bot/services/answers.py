"""A press under a summons, or a typed reason after one: who may answer (the teen for
themselves, an active linked parent for their child, nobody else), and the answer applied, in
the one unit of work the caller opened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Summons, Target
from bot.db.vault import vault_of
from bot.domain.kinds import Actor, Answer, LinkState, Role, TargetReview
from bot.services import accounts, family, home_visits, review, summonses
from bot.services.office import Office
from bot.services.summonses import Locked, Outcome, Press, Presser, SummonsView


@dataclass(frozen=True)
class Pressed:
    """A summons someone may answer, as their button showed it (revision checked)."""

    account_id: int
    telegram_id: int
    parent: bool  # acting for their child, not for themselves
    summons: SummonsView
    locked: Locked | None
    conversing: bool  # something typed is awaited from this person (a reason for ❌, say)


async def pressed(
    session: AsyncSession, telegram_id: int, summons_id: int, revision: int, *, lock: bool
) -> Pressed | None:
    """The summons if this person may act on it at this revision; None for a forged, foreign
    or outdated button. With `lock`, the summons row is locked for an answer."""
    account = await accounts.find(session, telegram_id)
    if account is None:
        return None
    locked: Locked | None = None
    if lock:
        found = await summonses.locked_view(session, summons_id)
        if found is None:
            return None
        view, locked = found
    else:
        maybe = await summonses.view(session, summons_id)
        if maybe is None:
            return None
        view = maybe
    if view.revision != revision:
        return None
    own = view.target_id == account.target_id
    if not own and view.target_id not in await family.allowed_targets(session, account):
        return None
    return Pressed(
        account.id, account.telegram_id, not own, view, locked, account.conversation is not None
    )


async def answer(
    session: AsyncSession,
    found: Pressed,
    action: Answer,
    argument: str | None,
    *,
    now: datetime,
    office: Office,
    duty: Sequence[int],
    note: str | None = None,
) -> tuple[Outcome, SummonsView | None]:
    """Apply the answer; the outcome and the summons as it now is. `note`: typed by the
    person (a home visit's reason, a decline's "other"); `duty`: staff told of a home visit."""
    outcome = await summonses.respond(
        session,
        Press(found.summons.id, found.summons.revision, action, argument, note),
        Presser(
            found.account_id,
            Actor.PARENT if found.parent else Actor.TEEN,
            frozenset({found.summons.target_id}),
        ),
        office=office,
        now=now,
        locked=found.locked,
    )
    if outcome == Outcome.DONE and action == Answer.HOME_VISIT:
        # Same unit of work as the answer: "forwarded to staff" is true once it commits.
        await home_visits.requested(
            session,
            found.summons.target_id,
            note or argument,
            now=now,
            default_language=office.language,
            duty=duty,
        )
    changed = await session.get(Summons, found.summons.id)  # from the identity map: no query
    if changed is None:
        return outcome, None
    if changed.session_id != found.summons.session_id:
        return outcome, await summonses.view(session, found.summons.id)
    return outcome, replace(found.summons, state=changed.state, revision=changed.revision)


@dataclass(frozen=True)
class ChildSchedule:
    name: str
    summons: SummonsView | None


@dataclass(frozen=True)
class Mine:
    """What /jadwal, /ganti and /kode show a person: their own record, or their children's."""

    registered: bool  # linked to a target (their own)
    name: str | None = None
    target_id: int | None = None
    attend_code: str | None = None  # the QR staff scan at a session
    in_review: bool = False
    summons: SummonsView | None = None
    children: tuple[ChildSchedule, ...] | None = None  # a parent with no record of their own


async def mine(session: AsyncSession, telegram_id: int) -> Mine:
    """The person's own target and summons, or (for a parent) each active child's summons."""
    account = await accounts.find(session, telegram_id)
    if account is None:
        return Mine(registered=False)
    in_review = await review.has_pending(session, account.id)
    target = await session.get(Target, account.target_id) if account.target_id else None
    if target is not None:
        return Mine(
            registered=True,
            name=target.name,
            target_id=target.id,
            attend_code=vault_of(session).open_code(target.attend_sealed),
            in_review=in_review or target.review == TargetReview.PENDING,
            summons=await summonses.for_target(session, target.id),
        )
    if account.role != Role.PARENT:
        return Mine(registered=False, in_review=in_review)
    children = [
        ChildSchedule(child.name, await summonses.for_target(session, child.target_id))
        for child in await family.children_of(session, account)
        if child.state == LinkState.ACTIVE
    ]
    return Mine(registered=False, children=tuple(children))
