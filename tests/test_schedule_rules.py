"""The schedule service refuses a session at hours it cannot have, with the reason, whichever
front end asks: in the past, on or after election day, ending before it starts, no seats or
too many."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.db.migrate import upgrade
from bot.domain.kinds import Channel
from bot.domain.summons_rules import deadline_for
from bot.services import schedule
from bot.services.outbox import Reach, Recipient
from bot.services.schedule import Change
from tests.support import factories
from tests.support.harness import database, make_settings


def test_create_and_move_refuse_each_bad_hour_with_its_reason(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url)
    now = datetime.now(UTC)
    deadline = deadline_for(settings.election_date, settings.zone)
    hour = timedelta(hours=1)

    async def run() -> tuple[list[Change], list[Change]]:
        db = database(sqlite_url)
        await upgrade(db)
        place = await factories.add_place(db)
        held = await factories.add_session(db, settings, place, days_ahead=2)
        cases = [
            (now - hour, now, 10),
            (deadline, deadline + hour, 10),
            (now + 2 * hour, now + hour, 10),
            (now + hour, now + 2 * hour, 0),
            (now + hour, now + 2 * hour, schedule.MOST_SEATS + 1),
            (now + hour, now + 2 * hour, 10),
        ]
        created, moved = [], []
        async with db.session() as session:
            for starts, ends, seats in cases:
                outcome, _id = await schedule.create(
                    session,
                    place.id,
                    starts_at=starts,
                    ends_at=ends,
                    capacity=seats,
                    now=now,
                    deadline=deadline,
                    by="uji",
                    channel=Channel.CLI,
                )
                created.append(outcome)
            for starts, ends, _seats in cases[:3]:
                outcome, _count = await schedule.move(
                    session,
                    held.id,
                    starts_at=starts,
                    ends_at=ends,
                    now=now,
                    deadline=deadline,
                    policy=None,  # type: ignore[arg-type]  # refused before any notice
                    by="uji",
                    channel=Channel.CLI,
                )
                moved.append(outcome)
        await db.dispose()
        return created, moved

    created, moved = asyncio.run(run())
    assert created == [
        Change.PAST,
        Change.AFTER_ELECTION,
        Change.ENDS_FIRST,
        Change.NO_SEATS,
        Change.TOO_MANY_SEATS,
        Change.DONE,
    ]
    assert moved == [Change.PAST, Change.AFTER_ELECTION, Change.ENDS_FIRST]


def test_a_parent_of_two_teens_in_one_change_is_one_parent_told() -> None:
    """Siblings called to one session share a mother: she is one parent told, not two; a teen
    nobody can tell is counted as such."""
    mother = Recipient(501, "id", 51, parent=True)
    reach = (
        Reach()
        .plus([Recipient(601, "id", 61), mother])  # the elder, on Telegram, and their mother
        .plus([mother])  # the younger, not on Telegram: told through her
        .plus([])  # a third teen nobody can tell
    )
    assert (reach.teens, reach.own_chat, reach.guardians, reach.untold, reach.told) == (
        3,
        1,
        1,
        1,
        2,
    )
