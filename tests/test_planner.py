"""The planner: one process at a time marks no-shows and offers the missed teen new sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.clock import Clock
from bot.db.migrate import upgrade
from bot.db.models import Event, ServiceSession, Summons
from bot.delivery.planner import Planner
from bot.domain.kinds import SummonsState
from tests.support import factories
from tests.support.harness import BotHarness, database, make_settings
from tests.support.offices import bots_planner, setup_summons
from tests.support.people import linked


async def test_only_one_of_two_planners_works_a_round(sqlite_url: str) -> None:
    db = database(sqlite_url)
    await upgrade(db)
    settings = make_settings(sqlite_url)
    try:
        clock = Clock(settings.zone)
        first, second = Planner(db, settings, clock), Planner(db, settings, clock)
        now = datetime.now(UTC)
        assert await first.round(now) is True
        assert await second.round(now) is False
        assert await first.round(now + timedelta(seconds=30)) is True  # renews its own lease
        # A planner that died stops renewing; after the lease runs out the other takes over.
        assert await second.round(now + timedelta(minutes=5)) is True
        assert await first.round(now + timedelta(minutes=5, seconds=1)) is False
    finally:
        await db.dispose()


async def test_a_missed_session_becomes_a_no_show_and_the_teen_picks_a_new_one(
    bot: BotHarness,
) -> None:
    target, first, second = await setup_summons(bot)
    teen = await linked(bot, target)
    summons = await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]
    await teen.next_message()  # the summons
    await teen.next_message()  # its pin
    # The session was yesterday morning and the teen never came.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == first.id)  # type: ignore[attr-defined]
            .values(starts_at=yesterday, ends_at=yesterday + timedelta(hours=4))
        )

    assert await bots_planner(bot).round() is True
    offer = await teen.next_message()
    assert offer.text.startswith("Kami belum melihat Anda di jadwal perekaman")
    assert "Pilih jadwal baru:" in offer.text
    assert len(offer.buttons) == 1  # only the session still ahead, not the missed one

    async with bot.db.session() as session:
        marked = await session.get(Summons, summons.id)
        assert marked is not None and marked.state == SummonsState.NO_SHOW
        kinds = (await session.execute(select(Event.kind))).scalars().all()
        assert "no_show" in kinds

    # A second round does not mark or offer again.
    assert await bots_planner(bot).round() is True
    teen.press(offer.buttons[0].label, message=offer)
    reply = await teen.next_message()
    assert reply.text.startswith("📣")
    async with bot.db.session() as session:
        moved = await session.get(Summons, summons.id)
        assert moved is not None
        assert moved.state == SummonsState.MOVED
        assert moved.session_id == second.id  # type: ignore[attr-defined]
