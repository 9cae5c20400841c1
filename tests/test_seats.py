"""Seats are never over-booked, even when two units of work race for the last one."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.migrate import upgrade
from bot.db.models import ServiceSession, Summons
from bot.domain import summons_rules
from bot.domain.kinds import Actor, Answer, Channel, SummonsState
from bot.services import notices, summonses
from bot.services.office import Office
from bot.services.summonses import Outcome
from tests.support import factories
from tests.support.harness import database, make_settings


async def test_two_concurrent_moves_to_the_last_seat_one_wins(database_url: str) -> None:
    settings = make_settings(database_url)
    db = database(database_url)
    try:
        await upgrade(db)
        place = await factories.add_place(db)
        crowded = await factories.add_session(db, settings, place, days_ahead=3, capacity=5)
        last_seat = await factories.add_session(db, settings, place, days_ahead=4, capacity=1)
        teens = [
            await factories.add_target(db, settings, serial=i, code=f"CODE{i:04d}") for i in (1, 2)
        ]
        held = [await factories.summon(db, settings, teen, crowded) for teen in teens]

        async def move(summons_id: int, target_id: int) -> Outcome:
            async with db.session() as session:
                return await summonses.respond(
                    session,
                    summonses.Press(summons_id, 0, Answer.MOVE, str(last_seat.id)),
                    summonses.Presser(0, Actor.TEEN, frozenset({target_id})),
                    office=Office.of(settings),
                    now=datetime.now(UTC),
                )

        outcomes = await asyncio.gather(*(move(s.id, s.target_id) for s in held))

        assert sorted(outcomes) == [Outcome.DONE, Outcome.FULL]
        async with db.session() as session:
            seats = {
                s.id: s.booked for s in (await session.execute(select(ServiceSession))).scalars()
            }
            states = sorted(s.state for s in (await session.execute(select(Summons))).scalars())
        assert seats == {crowded.id: 1, last_seat.id: 1}
        assert states == sorted([SummonsState.MOVED, SummonsState.SUMMONED])
    finally:
        await db.dispose()


async def test_a_teen_and_a_parent_answering_at_once_one_answer_counts(database_url: str) -> None:
    """The press path: the summons read locked, then answered in the same unit of work. Two
    answers to the same button revision: the second sees the first's and is stale."""
    settings = make_settings(database_url)
    db = database(database_url)
    try:
        await upgrade(db)
        place = await factories.add_place(db)
        first = await factories.add_session(db, settings, place, days_ahead=3, capacity=5)
        target = await factories.add_target(db, settings)
        summons = await factories.summon(db, settings, target, first)

        async def press(action: Answer, argument: str | None) -> Outcome:
            async with db.session() as session:
                found = await summonses.locked_view(session, summons.id)
                assert found is not None
                await asyncio.sleep(0.05)  # the other press arrives meanwhile
                return await summonses.respond(
                    session,
                    summonses.Press(summons.id, 0, action, argument),
                    summonses.Presser(0, Actor.TEEN, frozenset({target.id})),
                    office=Office.of(settings),
                    now=datetime.now(UTC),
                    locked=found[1],
                )

        outcomes = await asyncio.gather(press(Answer.CONFIRM, None), press(Answer.DECLINE, "sick"))

        assert sorted(outcomes) == [Outcome.DONE, Outcome.STALE]
        async with db.session() as session:
            answered = await session.get(Summons, summons.id)
            held = await session.get(ServiceSession, first.id)
        assert answered is not None and held is not None
        assert answered.revision == 1
        won = SummonsState.CONFIRMED if outcomes[0] == Outcome.DONE else SummonsState.DECLINED
        assert (answered.state, held.booked) == (won, 1 if won == SummonsState.CONFIRMED else 0)
    finally:
        await db.dispose()


async def test_assigning_respects_capacity_and_the_election_deadline(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url)
    db = database(sqlite_url)
    try:
        await upgrade(db)
        place = await factories.add_place(db)
        small = await factories.add_session(db, settings, place, capacity=1)
        teens = [
            await factories.add_target(db, settings, serial=i, code=f"CODE{i:04d}") for i in (1, 2)
        ]
        deadline = summons_rules.deadline_for(settings.election_date, settings.zone)
        now = datetime.now(UTC)
        attempts = [(teens[0], deadline), (teens[1], deadline), (teens[1], small.starts_at)]
        async with db.session() as session:
            first, second, too_late = [
                await summonses.assign(
                    session,
                    teen.id,
                    small.id,
                    now=now,
                    deadline=until,
                    actor=Actor.STAFF,
                    channel=Channel.CLI,
                    policy=notices.Policy.of(settings),
                )
                for teen, until in attempts
            ]
        assert first is not None and second is None and too_late is None
    finally:
        await db.dispose()


async def test_a_unit_of_work_inside_another_fails_loudly_on_sqlite(sqlite_url: str) -> None:
    """SQLite has one writer: a nested unit of work would wait for its own outer one forever."""
    db = database(sqlite_url)
    try:
        await upgrade(db)
        async with db.session():
            with pytest.raises(RuntimeError, match="inside another"):
                async with db.session():
                    pass
        async with db.session() as session:  # the writer is free again afterwards
            assert (await session.execute(select(Summons))).first() is None
    finally:
        await db.dispose()
