"""What the dashboard's Kunjungan and Jadwal pages added below them: where a home visit's home
is, a session never opened at someone's home, and changes that name the channel they came by."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.db.models import Event, HomeVisit, Place, ServiceSession
from bot.domain import summons_rules
from bot.domain.kinds import Channel, PlaceKind
from bot.services import home_visits, notices, schedule
from bot.services.schedule import Change
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import waiting_requests


async def test_pins_are_the_coordinates_of_pinned_homes_only(bot: BotHarness) -> None:
    await waiting_requests(bot, "Ani", "Budi", "Cici")
    deadline = summons_rules.deadline_for(bot.settings.election_date, bot.settings.zone)
    now = datetime.now(UTC)
    async with bot.db.session() as session:
        ani, budi, cici = await session.scalars(select(HomeVisit.id).order_by(HomeVisit.id))
        outcome, _reach = await home_visits.schedule(
            session,
            [ani, budi],
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
            now=now,
            deadline=deadline,
            policy=notices.Policy.of(bot.settings),
            by="staff:1",
            channel=Channel.WEB,
        )
    assert outcome == home_visits.Scheduled.DONE
    async with bot.db.session() as session:
        ani_home = await session.scalar(
            select(ServiceSession.place_id)
            .join(HomeVisit, HomeVisit.session_id == ServiceSession.id)
            .where(HomeVisit.id == ani)
        )
        await session.execute(
            update(Place).where(Place.id == ani_home).values(latitude=-7.5, longitude=112.25)
        )
        pins = await home_visits.pins(session, [ani, budi, cici, 999999])
        nothing = await home_visits.pins(session, [])
    # Budi's home has no pin; Cici's request has no home yet; 999999 is nobody's.
    assert pins == {ani: (-7.5, 112.25)} and nothing == {}


async def test_a_session_is_never_created_at_a_home_and_a_change_names_its_channel(
    bot: BotHarness,
) -> None:
    office = await factories.add_place(bot.db)
    async with bot.db.session() as session:
        home = Place(name="Jl. Melati 7", address="Jl. Melati 7", kind=PlaceKind.HOME)
        session.add(home)
    deadline = summons_rules.deadline_for(bot.settings.election_date, bot.settings.zone)
    now = datetime.now(UTC)
    hours = {"starts_at": now + timedelta(days=3), "ends_at": now + timedelta(days=3, hours=3)}
    async with bot.db.session() as session:
        refused = await schedule.create(
            session, home.id, capacity=5, now=now, deadline=deadline, by="staff:1", **hours
        )
        made, made_id = await schedule.create(
            session,
            office.id,
            capacity=5,
            now=now,
            deadline=deadline,
            by="staff:1",
            channel=Channel.WEB,
            **hours,
        )
    assert refused == (Change.GONE, None) and made == Change.DONE and made_id is not None
    async with bot.db.session() as session:
        assert await schedule.enlarge(session, made_id, 9, by="staff:1") == Change.DONE
        sessions = await session.scalar(select(func.count()).select_from(ServiceSession))
        channels = dict(
            (await session.execute(select(Event.kind, Event.channel).order_by(Event.id))).all()
        )
    assert sessions == 1
    assert channels["session_created"] == Channel.WEB
    assert channels["session_capacity"] == Channel.TELEGRAM  # the default: Telegram's callers
