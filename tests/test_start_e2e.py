"""A newcomer's first minute, through the real Application and the emulator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db.models import Account, Event
from bot.domain.kinds import Role
from tests.support.harness import BotHarness, make_settings, onboard, running_bot

WELCOME = {
    "en": "Welcome to Rekam!",
    "id": "Selamat datang di Rekam!",
    "jv": "Sugeng rawuh ing Rekam!",
}
BUTTON = {"en": "English", "id": "Bahasa Indonesia", "jv": "Basa Jawa"}


@pytest.mark.parametrize("language", ["en", "id", "jv"])
async def test_start_then_language_button_greets_in_that_language(
    bot: BotHarness, language: str
) -> None:
    teen = bot.user("Rina")
    teen.send("/start")
    choice = await teen.next_message()
    assert "Pilih bahasa / Choose a language / Pilih basa" in choice.text
    assert [b.label for b in choice.buttons] == ["Bahasa Indonesia", "English", "Basa Jawa"]

    teen.press(BUTTON[language])
    welcome = await teen.next_message()

    assert welcome.text.startswith(WELCOME[language])
    assert len(welcome.buttons) == 2  # teen or parent
    assert "✓" in teen.message(choice.message_id).text
    assert teen.message(choice.message_id).buttons == ()  # the choice cannot be pressed twice
    async with bot.db.session() as session:
        account = (await session.execute(select(Account))).scalar_one()
    assert (account.telegram_id, account.language, account.language_chosen) == (
        teen.id,
        language,
        True,
    )


async def test_role_choice_is_recorded_with_an_event(bot: BotHarness) -> None:
    teen = bot.user()
    await onboard(teen, "English", role="🧑")

    assert "summons" in teen.messages[-1].text
    async with bot.db.session() as session:
        account = (await session.execute(select(Account))).scalar_one()
        kinds = (await session.execute(select(Event.kind).order_by(Event.id))).scalars().all()
    assert account.role == Role.TEEN
    assert kinds == ["account_created", "language_chosen", "role_chosen"]


async def test_language_persists_and_bahasa_switches_it(bot: BotHarness) -> None:
    parent = bot.user("Wulan")
    await onboard(parent, "Basa Jawa", role="👪")

    parent.send("/bantuan")
    help_text = (await parent.next_message()).text
    assert "Rekam mbiyantu" in help_text
    assert "/bahasa — Gantos basa" in help_text

    parent.send("/bahasa")
    choice = await parent.next_message()
    parent.press("English")
    assert (await parent.edited(choice)).text == "Language: English ✓"
    parent.send("/bantuan")
    # The next message answers /bantuan: someone with a role is not asked for it again.
    assert "/bahasa — Change language" in (await parent.next_message()).text


async def test_unknown_command_and_free_text_get_a_helpful_answer(bot: BotHarness) -> None:
    teen = bot.user()
    teen.send("/staf")
    assert "/bantuan" in (await teen.next_message()).text
    assert "tidak saya kenal" in teen.messages[-1].text
    teen.send("halo, kapan jadwal saya?")
    assert (await teen.next_message()).text.startswith("Untuk itu, ketik /jadwal.")
    teen.send("selamat pagi")  # a greeting: the start menu
    assert (await teen.next_message()).text.startswith("Halo! Saya Rekam")
    teen.send("qwerty asdf")
    assert "belum mengerti" in (await teen.next_message()).text


@pytest.mark.parametrize("forged", ["lang:xx", "role:admin", "zz:1", "lang:"])
async def test_forged_buttons_change_nothing_and_get_a_polite_answer(
    bot: BotHarness, forged: str
) -> None:
    teen = bot.user()
    teen.send("/start")
    choice = await teen.next_message()
    query = teen.press(data=forged, message=choice)
    answer = await teen.answer(query)
    assert answer["text"] == "Tombol ini sudah tidak berlaku."
    async with bot.db.session() as session:
        account = (await session.execute(select(Account))).scalar_one()
    assert (account.language_chosen, account.role) == (False, Role.NONE)


async def test_command_menu_is_published_in_every_language(bot: BotHarness) -> None:
    commands = bot.emulator.commands
    default_scope = '{"type": "default"}'
    by_language = {lang: commands[(default_scope, lang)] for lang in ("", "id", "en", "jv")}
    assert by_language[""] == by_language["id"]  # Indonesian is the default
    descriptions = {
        lang: {c["command"]: c["description"] for c in v} for lang, v in by_language.items()
    }
    assert descriptions["en"]["bahasa"] == "Change language"
    assert descriptions["id"]["bahasa"] == "Ganti bahasa"
    assert descriptions["jv"]["bahasa"] == "Gantos basa"
    assert bot.emulator.menu_buttons[None] == {"type": "commands"}


async def test_an_error_is_logged_without_personal_data_and_the_user_gets_an_apology(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(update: object, context: object) -> None:
        raise RuntimeError("lookup failed for NIK 3599014512080001")

    from telegram.ext import CommandHandler

    bot.app.add_handler(CommandHandler("rusak", broken), group=-4)
    teen = bot.user()
    teen.send("/rusak")
    apology = await teen.next_message()
    assert apology.text.startswith("Maaf, terjadi kesalahan di pihak kami")
    failure = next(r for r in caplog.records if r.name == "bot.handlers.errors")
    assert failure.getMessage() == f"update 1 from user {teen.id} failed"
    assert failure.exc_info is not None  # the traceback is kept, redacted by the formatter
    reader = bot.user("Ayu", language_code="en")
    await onboard(reader, "English")
    reader.send("/rusak")
    assert (await reader.next_message()).text.startswith("Sorry, something went wrong")


async def test_same_journey_on_postgresql(postgres_url: str) -> None:
    async with running_bot(make_settings(postgres_url)) as bot:
        teen = bot.user()
        await onboard(teen, "English")
        assert teen.messages[-1].text.startswith(WELCOME["en"])
        async with bot.db.session() as session:
            account = (await session.execute(select(Account))).scalar_one()
        assert account.language == "en"
