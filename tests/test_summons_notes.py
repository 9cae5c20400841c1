"""What a person types with an answer (a decline's "other", a home visit's why) is kept whole or
refused whole by the service, whichever front end (Telegram, WhatsApp, SMS) carried it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db.migrate import upgrade
from bot.db.models import Summons
from bot.domain.kinds import Actor, Answer, SummonsState
from bot.services import summonses
from bot.services.office import Office
from bot.services.summonses import NOTE_LIMIT, Outcome
from tests.support import factories
from tests.support.harness import database, make_settings


async def test_a_note_over_the_limit_is_refused_and_one_at_the_limit_is_kept_whole(
    sqlite_url: str,
) -> None:
    settings = make_settings(sqlite_url)
    db = database(sqlite_url)
    try:
        await upgrade(db)
        place = await factories.add_place(db)
        slot = await factories.add_session(db, settings, place, days_ahead=3, capacity=5)
        target = await factories.add_target(db, settings)
        summons = await factories.summon(db, settings, target, slot)

        async def decline(note: str, revision: int) -> Outcome:
            async with db.session() as session:
                return await summonses.respond(
                    session,
                    summonses.Press(summons.id, revision, Answer.DECLINE, "other", note),
                    summonses.Presser(0, Actor.TEEN, frozenset({target.id})),
                    office=Office.of(settings),
                    now=datetime.now(UTC),
                )

        assert await decline("é" * (NOTE_LIMIT + 1), 0) == Outcome.TOO_LONG
        async with db.session() as session:
            untouched = await session.get(Summons, summons.id)
        assert untouched is not None
        assert (untouched.state, untouched.revision, untouched.note) == (
            SummonsState.SUMMONED,
            0,
            None,
        )

        whole = "Lomba paduan suara " + "é" * (NOTE_LIMIT - 19)
        assert len(whole) == NOTE_LIMIT
        assert await decline(whole, 0) == Outcome.DONE
        async with db.session() as session:
            kept = await session.get(Summons, summons.id)
        assert kept is not None
        assert (kept.state, kept.note) == (SummonsState.DECLINED, whole)
    finally:
        await db.dispose()
