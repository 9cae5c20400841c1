"""Below the last rung (issue 24): teens called to a session whom no channel reaches, for people
to reach: a letter through their school, a call round, a home visit.

A teen is unreached while her summons waits for an answer (summoned or moved, not recorded)
and either nothing can carry a message to her family (no Telegram account that takes it, no
linked parent, no number on an open rung) or her summons went down every rung and arrived
nowhere ("ladder_end"). Every front end (`rekam unreached`, the dashboard's "Belum
terjangkau") lists the same people from here, and the figures (bot/services/figures.py) count
them per area in SQL to these rules (bot/services/figure_counts.py; tests/test_figures_reach.py
checks that the two agree).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.db.models import OutboxMessage, Region, School, Summons, Target
from bot.db.vault import vault_of
from bot.domain.kinds import OutboxState, SummonsState, TargetReview
from bot.domain.nik import mask
from bot.domain.outbox_kinds import Kind
from bot.services import contacts, outbox

# Waiting for an answer: the figures count the same states (bot/services/figures.py).
WAITING = (SummonsState.SUMMONED, SummonsState.MOVED)
_READ_AT_ONCE = 2_000


class Why(enum.StrEnum):
    NO_CHANNEL = "no_channel"  # nothing to send on: no Telegram, no parent, no number to use
    UNDELIVERED = "undelivered"  # sent down every rung, and arrived on none


@dataclass(frozen=True)
class Unreached:
    target_id: int
    name: str
    nik: str  # masked
    school: str | None
    kelurahan: str | None
    kecamatan: str | None
    address: str | None
    numbers: tuple[str, ...]  # E.164, whole: for the call round
    why: Why


def _undelivered() -> object:
    """Summonses whose summons (or change) failed on its last rung and went out nowhere."""
    delivered = aliased(OutboxMessage)
    told = (Kind.SUMMONS.value, Kind.SESSION_MOVED.value)
    return (
        select(OutboxMessage.summons_id)
        .where(
            OutboxMessage.message_key.in_(told),
            OutboxMessage.state.in_((OutboxState.FAILED, OutboxState.UNREACHABLE)),
            ~exists().where(
                delivered.summons_id == OutboxMessage.summons_id,
                delivered.message_key.in_(told),
                delivered.state.in_((OutboxState.SENT, OutboxState.PENDING, OutboxState.SENDING)),
            ),
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Area:
    """Whose teens to list: None for any; "" for a teen whose record has none, as the figures
    count her (a kelurahan's line on the overview links to that kelurahan's list)."""

    kecamatan: str | None = None
    kelurahan: str | None = None
    school: str | None = None


EVERYWHERE = Area()


async def unreached(session: AsyncSession, *, area: Area = EVERYWHERE) -> list[Unreached]:
    """Every unreached teen in `area`, by school, kelurahan and name."""
    query = (
        select(Target.id, Summons.id)
        .join(Summons, Summons.target_id == Target.id)
        .outerjoin(School, School.id == Target.school_id)
        .outerjoin(Region, Region.id == Target.region_id)
        .where(
            Target.recorded_at.is_(None),
            Target.review == TargetReview.ACCEPTED,
            Summons.state.in_(WAITING),
        )
        .order_by(Target.id)
    )
    for wanted, column, link in (
        (area.kecamatan, Region.kecamatan, Target.region_id),
        (area.kelurahan, Region.kelurahan, Target.region_id),
        (area.school, School.name, Target.school_id),
    ):
        if wanted is not None:
            query = query.where(column == wanted if wanted else link.is_(None))
    pairs = [(int(t), int(s)) for t, s in await session.execute(query)]
    undelivered = set(
        await session.scalars(
            select(Summons.id).where(Summons.id.in_(_undelivered()))  # type: ignore[arg-type]
        )
    )
    found: dict[int, Why] = {}
    for start in range(0, len(pairs), _READ_AT_ONCE):
        part = pairs[start : start + _READ_AT_ONCE]
        reachable = await outbox.recipients_of_many(session, [t for t, _ in part])
        for target_id, summons_id in part:
            if target_id not in reachable:
                found[target_id] = Why.NO_CHANNEL
            elif summons_id in undelivered:
                found[target_id] = Why.UNDELIVERED
    return await _described(session, found)


async def _described(session: AsyncSession, found: dict[int, Why]) -> list[Unreached]:
    """Each unreached teen as staff read her, _READ_AT_ONCE at a time (a list of ids in one
    query has a limit: 32,766 on SQLite)."""
    vault = vault_of(session)
    people = []
    ids = list(found)
    for start in range(0, len(ids), _READ_AT_ONCE):
        part = ids[start : start + _READ_AT_ONCE]
        rows = await session.execute(
            select(Target, School.name, Region.kelurahan, Region.kecamatan)
            .outerjoin(School, School.id == Target.school_id)
            .outerjoin(Region, Region.id == Target.region_id)
            .where(Target.id.in_(part))
        )
        numbers = await contacts.of_many(session, part)
        for target, school, kelurahan, kecamatan in rows:
            people.append(
                Unreached(
                    target.id,
                    target.name,
                    mask(vault.open(target.nik_sealed)),
                    school,
                    kelurahan,
                    kecamatan,
                    target.address,
                    tuple(c.number for c in numbers.get(target.id, ())),
                    found[target.id],
                )
            )
    return sorted(people, key=lambda p: (p.school or "", p.kelurahan or "", p.name, p.target_id))


def target_ids(people: Sequence[Unreached]) -> list[int]:
    return [person.target_id for person in people]
