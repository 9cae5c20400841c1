"""The waiting list: a freed place goes to the first waiting teen it suits; offers expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.db.migrate import upgrade
from bot.db.models import Account, Region, ServiceSession, Summons, Target, WaitingTeen
from bot.domain.summons_rules import deadline_for
from bot.emulator import UserClient
from bot.services import guardians, waiting
from tests.support import factories
from tests.support.harness import BotHarness, database, make_settings
from tests.support.offices import bots_planner
from tests.support.people import STALE, link_with_code, linked, new_parent

OFFER = "🎟️ Ada tempat kosong"


async def full_office(bot: BotHarness) -> dict:  # type: ignore[type-arg]
    """One session with one place, held by Rina; Budi and then Sari wait for a place."""
    place = await factories.add_place(bot.db)
    only = await factories.add_session(bot.db, bot.settings, place, days_ahead=5, capacity=1)
    rina = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    budi = await factories.add_target(
        bot.db, bot.settings, name="Budi Santoso", female=False, serial=2, code="BUDI2345"
    )
    sari = await factories.add_target(
        bot.db, bot.settings, name="Sari Wulandari", serial=3, code="SARI2345"
    )
    teens = {
        "rina": await linked(bot, rina, "Rina"),
        "budi": await linked(bot, budi, "Budi"),
        "sari": await linked(bot, sari, "Sari"),
    }
    summons = await factories.summon(bot.db, bot.settings, rina, only)
    await teens["rina"].next_message()
    now = datetime.now(UTC)
    async with bot.db.session() as session:
        await waiting.join(session, budi.id, now=now - timedelta(hours=2))
        await waiting.join(session, sari.id, now=now - timedelta(hours=1))
    return {"session": only, "summons": summons, "budi_target": budi, "sari_target": sari, **teens}


async def declines_sick(teen: UserClient) -> None:
    """The teen presses ❌ and gives a reason: their place is free again."""
    summons = next(m for m in reversed(teen.messages) if any("❌" in b.label for b in m.buttons))
    await teen.answer(teen.press("❌", message=summons))
    await teen.answer(teen.press("Sakit", message=await teen.edited(summons)))


async def entry_of(bot: BotHarness, target: Target) -> WaitingTeen | None:
    async with bot.db.session() as session:
        return await session.scalar(select(WaitingTeen).where(WaitingTeen.target_id == target.id))


def offers(teen) -> list:  # type: ignore[no-untyped-def, type-arg]
    return [m for m in teen.messages if m.text.startswith(OFFER)]


async def test_a_declined_place_goes_to_the_first_waiting_teen(bot: BotHarness) -> None:
    office = await full_office(bot)
    planner = bots_planner(bot)
    await planner.round()
    assert await entry_of(bot, office["budi_target"]) is not None  # nothing free: nobody is offered

    await declines_sick(office["rina"])
    await planner.round()

    offer = await office["budi"].next_message()
    assert offer.text.startswith(OFFER) and "Mal Pelayanan Publik" in offer.text
    assert offers(office["sari"]) == []  # one place, one offer: Sari waited less long

    # Sari cannot take Budi's place with a forged button.
    sari = office["sari"]
    forged = f"wl:{(await entry_of(bot, office['budi_target'])).id}:{office['session'].id}"  # type: ignore[union-attr]
    assert (await sari.answer(sari.press(data=forged, message=sari.messages[-1])))["text"] == STALE

    budi = office["budi"]
    await budi.answer(budi.press("✅ Ambil tempat ini", message=offer))
    summons = await budi.next_message()
    assert summons.text.startswith("📣") and "Budi Santoso" in summons.text
    async with bot.db.session() as session:
        taken = await session.scalar(
            select(Summons).where(Summons.target_id == office["budi_target"].id)
        )
        assert taken is not None and taken.session_id == office["session"].id
        held = await session.get(ServiceSession, office["session"].id)
        assert held is not None and held.booked == 1
    assert await entry_of(bot, office["budi_target"]) is None
    assert await entry_of(bot, office["sari_target"]) is not None
    # Pressing again changes nothing.
    assert (await budi.answer(budi.press("✅ Ambil tempat ini", message=offer)))["text"] == STALE


async def test_an_offer_not_taken_in_time_goes_to_the_next_teen(bot: BotHarness) -> None:
    office = await full_office(bot)
    planner = bots_planner(bot)
    await declines_sick(office["rina"])
    await planner.round()
    budi_offer = await office["budi"].next_message()

    # Six hours pass and Budi does not answer.
    async with bot.db.session() as session:
        await session.execute(
            update(WaitingTeen)
            .where(WaitingTeen.offered_session_id.is_not(None))
            .values(offer_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    await planner.round()
    sari_offer = await office["sari"].next_message()
    assert sari_offer.text.startswith(OFFER)
    budi = office["budi"]
    assert (await budi.answer(budi.press("✅ Ambil tempat ini", message=budi_offer)))[
        "text"
    ] == STALE
    budi_entry = await entry_of(bot, office["budi_target"])
    sari_entry = await entry_of(bot, office["sari_target"])
    assert budi_entry is not None and budi_entry.offered_session_id is None
    assert sari_entry is not None and sari_entry.since < budi_entry.since  # Budi went to the back


async def test_places_go_to_their_own_area_and_schools_to_their_students(
    sqlite_url: str,
) -> None:
    db = database(sqlite_url)
    await upgrade(db)
    settings = make_settings(sqlite_url)
    try:
        place = await factories.add_place(db)  # in "Kecamatan Uji"
        await factories.add_session(db, settings, place, capacity=1)
        far = await factories.add_target(db, settings, name="Dewi Anggraini", code="DEWI2345")
        near = await factories.add_target(
            db, settings, name="Eko Prasetyo", female=False, serial=2, code="EKO23456"
        )
        now = datetime.now(UTC)
        async with db.session() as session:
            elsewhere = Region(kecamatan="Kecamatan Lain", kelurahan="Kelurahan Jauh")
            session.add(elsewhere)
            await session.flush()
            (await session.get(Target, far.id)).region_id = elsewhere.id  # type: ignore[union-attr]
            (await session.get(Target, near.id)).region_id = place.region_id  # type: ignore[union-attr]
            await waiting.join(session, far.id, now=now - timedelta(days=1))
            await waiting.join(session, near.id, now=now)
        async with db.session() as session:
            for serial, target in enumerate((far, near), start=1):
                session.add(Account(telegram_id=9000 + serial, language="id", target_id=target.id))
        async with db.session() as session:
            made = await waiting.offer_places(
                session, now=now, deadline=deadline_for(settings.election_date, settings.zone)
            )
        assert [offer.target_id for offer in made] == [near.id]  # Dewi waited longer, elsewhere
    finally:
        await db.dispose()


async def test_a_freed_place_reaches_the_linked_parent_who_may_take_it_for_the_child(
    bot: BotHarness,
) -> None:
    office = await full_office(bot)
    budi_target = office["budi_target"]
    async with bot.db.session() as session:
        budi_target.parent_code = await guardians.parent_code_of(session, budi_target.id)
    parent = await new_parent(bot, "Pak Joko")
    assert (await link_with_code(parent, budi_target)).startswith("✅ Anda sekarang terhubung")
    await office["budi"].next_message()  # Budi is told who linked
    await declines_sick(office["rina"])
    await bots_planner(bot).round()

    teen_offer = await office["budi"].next_message()
    assert teen_offer.text.startswith(OFFER + " untuk perekaman KTP-el Anda")
    parent_offer = await parent.next_message()
    assert parent_offer.text.startswith(OFFER + " untuk perekaman KTP-el Budi Santoso")
    assert "bagi anak Anda" in parent_offer.text

    # Someone linked to nobody on the list cannot take it with a forged button.
    stranger = await new_parent(bot, "Bu Lina")
    entry = await entry_of(bot, budi_target)
    assert entry is not None
    forged = f"wl:{entry.id}:{office['session'].id}"
    pressed = stranger.press(data=forged, message=stranger.messages[-1])
    assert (await stranger.answer(pressed))["text"] == STALE

    reply = await parent.answer(parent.press("✅ Ambil tempat ini", message=parent_offer))
    assert reply["text"] == "Tempat ini sekarang milik Budi Santoso."
    summons = await parent.next_message()
    assert "Budi Santoso" in summons.text
    async with bot.db.session() as session:
        taken = await session.scalar(select(Summons).where(Summons.target_id == budi_target.id))
        assert taken is not None and taken.session_id == office["session"].id
    assert await entry_of(bot, budi_target) is None
