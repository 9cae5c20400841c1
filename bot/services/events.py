"""The append-only event log: every change of state, who made it and through which channel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Event
from bot.domain.kinds import Actor, Channel


def record(
    session: AsyncSession,
    kind: str,
    *,
    actor: Actor,
    channel: Channel,
    account_id: int | None = None,
    target_id: int | None = None,
    **data: Any,
) -> Event:
    """Append one event to the current unit of work."""
    event = Event(
        kind=kind,
        actor=actor,
        channel=channel,
        account_id=account_id,
        target_id=target_id,
        data=data,
    )
    session.add(event)
    return event


def listed(
    session: AsyncSession, target_ids: Iterable[int], *, by: str, channel: Channel, where: str
) -> None:
    """`by` was shown these people in a list (`where`: the page): every view of a person is an
    event, a list's included."""
    for target_id in target_ids:
        record(
            session,
            "person_listed",
            actor=Actor.STAFF,
            channel=channel,
            target_id=target_id,
            by=by,
            where=where,
        )
