"""How far the office reaches, in the figures (issue 24, item 6): families per channel, teens
called and reached, answered, and unreached, counted in SQL per area, agree with the unreached
list teen by teen; through the real bot, dispatcher and phone emulators. Numbers made up."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Event, Summons
from bot.domain.kinds import ContactOf, SummonsState
from bot.services import figures, unreached
from tests.support import factories
from tests.support.harness import database, until
from tests.support.people import linked
from tests.support.phones import PhoneOffice, phone_office, put_number, sms_count

RINA = "+6281211110001"
SARI_MOTHER = "+6281311110002"
DEWI = "+6281211110003"
MAYA = "+6281211110004"
AYU = "+6281211110006"


async def _office_of_six(office: PhoneOffice) -> dict[str, int]:
    """Six teens called to one session: Rina on Telegram (with a number too), Sari's mother on WhatsApp (and so
    SMS), Dewi by SMS (she answers YA), Maya's number cannot take an SMS, Wati has nothing,
    Ayu's number said BERHENTI and has no WhatsApp consent."""
    bot = office.bot
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=10)
    ids: dict[str, int] = {}
    for serial, name in enumerate(("Rina", "Sari", "Dewi", "Maya", "Wati", "Ayu"), start=1):
        teen = await factories.add_target(
            bot.db, bot.settings, name=f"{name} Uji", serial=serial, code=f"{name.upper()}2345"
        )
        ids[name] = teen.id
        if name == "Rina":
            await linked(bot, teen, "Rina")
            await put_number(office, teen.id, RINA)  # on Telegram, her number the next rung
        elif name == "Sari":
            office.whatsapp.add_user(SARI_MOTHER)
            await put_number(office, teen.id, SARI_MOTHER, whose=ContactOf.GUARDIAN, whatsapp=True)
        elif name == "Dewi":
            await put_number(office, teen.id, DEWI)
        elif name == "Maya":
            office.sms.set_failing(MAYA)
            await put_number(office, teen.id, MAYA)
        elif name == "Ayu":
            await put_number(office, teen.id, AYU)
            office.sms.receive_sms(AYU, "BERHENTI")
            await sms_count(office, AYU, 1)  # the one reply BERHENTI gets
        await factories.summon(bot.db, bot.settings, teen, soon)
    return ids


async def test_the_figures_count_each_channel_and_the_unreached_as_the_list_has_them(
    database_url: str,
) -> None:
    async with phone_office(database_url) as office:
        ids = await _office_of_six(office)
        await sms_count(office, DEWI, 1)
        office.sms.receive_sms(DEWI, "YA")

        async def settled() -> bool:
            async with office.bot.db.session() as session:
                dewi = await session.scalar(select(Summons).where(Summons.target_id == ids["Dewi"]))
                ended = await session.scalar(select(Event).where(Event.kind == "ladder_end"))
            return dewi is not None and dewi.state == SummonsState.CONFIRMED and ended is not None

        await until(settled, what="Dewi's YA and the end of Maya's ladder")
        async with office.bot.db.session() as session:
            listed = await unreached.unreached(session)
        whole = figures.total(await figures.report(office.bot.db.reading, figures.By.KELURAHAN))

    assert {p.target_id: p.why for p in listed} == {
        ids["Maya"]: unreached.Why.UNDELIVERED,
        ids["Wati"]: unreached.Why.NO_CHANNEL,
        ids["Ayu"]: unreached.Why.NO_CHANNEL,
    }
    # Rina's account; Sari's mother's number (consent); every number but Ayu's takes SMS.
    assert (whole.telegram, whole.whatsapp, whole.sms) == (1, 1, 4)
    assert (whole.summoned, whole.answered, whole.unreached, whole.reached) == (6, 1, 3, 3)


async def test_an_office_without_phone_channels_counts_numbers_as_reaching_nobody(
    sqlite_url: str,
) -> None:
    """The same records where the office sends on Telegram only: a number carries nothing, so
    every teen but Rina is unreached, and no channel but Telegram counts anyone."""
    async with phone_office(sqlite_url) as office:
        ids = await _office_of_six(office)
        telegram_only = database(office.bot.settings.database_url, ())
        try:
            async with telegram_only.session() as session:
                listed = await unreached.unreached(session)
            whole = figures.total(await figures.report(telegram_only.reading, figures.By.KECAMATAN))
        finally:
            await telegram_only.dispose()

    assert {p.target_id for p in listed} == {
        ids[n] for n in ("Sari", "Dewi", "Maya", "Wati", "Ayu")
    }
    assert (whole.telegram, whole.whatsapp, whole.sms) == (1, 0, 0)
    assert (whole.summoned, whole.unreached, whole.reached) == (6, 5, 1)
