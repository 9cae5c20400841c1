"""A greeting or a call for help, in Indonesian, Javanese or English, gets the useful menu in
the reader's language, not "I did not understand"."""

from __future__ import annotations

from bot.i18n import Catalogs
from tests.support.harness import BotHarness, onboard

START = "Halo! Saya Rekam, asisten {office} untuk perekaman KTP elektronik pemilih pemula."
LANGUAGES = ["Bahasa Indonesia", "English", "Basa Jawa"]


async def test_a_newcomers_greeting_gets_the_start_menu_in_its_language(bot: BotHarness) -> None:
    catalogs = Catalogs(default_language="id")
    office = bot.settings.office_name
    for typed, language in (("hello", "en"), ("Sugeng enjing", "jv"), ("halo kak", "id")):
        person = bot.user(typed)
        person.send(typed)
        reply = await person.next_message()
        assert reply.text.startswith(catalogs.gettext(language)(START).format(office=office))
        assert [b.label for b in reply.buttons] == LANGUAGES


async def test_javanese_words_for_a_command_name_it(bot: BotHarness) -> None:
    person = bot.user("Sekar")
    person.send("kulo badhe daftar")
    assert "/daftar" in (await person.next_message()).text
    english = bot.user("Tom", language_code="en")
    english.send("hello, I want to register")
    assert "/daftar" in (await english.next_message()).text


async def test_a_known_teens_hello_gets_the_commands(bot: BotHarness) -> None:
    teen = bot.user("Rina")
    await onboard(teen, role="🧑")
    teen.send("halo")
    reply = (await teen.next_message()).text
    assert "/jadwal — " in reply and "/batal — " in reply


async def test_help_is_bantuan(bot: BotHarness) -> None:
    person = bot.user("Sekar")
    person.send("/help")
    assert "/bantuan — " in (await person.next_message()).text


async def test_a_newcomers_other_words_are_answered_in_their_apps_language(
    bot: BotHarness,
) -> None:
    catalogs = Catalogs(default_language="id")
    person = bot.user("Tom", language_code="en")
    person.send("qwerty asdf")
    sorry = "Maaf, saya belum mengerti pesan itu. Ketik /bantuan untuk daftar perintah."
    assert (await person.next_message()).text == catalogs.gettext("en")(sorry)
