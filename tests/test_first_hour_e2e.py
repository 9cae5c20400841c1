"""The first minutes of each person in the chat: what to do next is always said."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Account
from bot.domain.codes import looks_like_code
from bot.domain.kinds import Role
from bot.presentation.menu import command_for, command_like
from tests.support import factories
from tests.support.harness import BotHarness, onboard
from tests.support.people import staff_member


async def said(person, text: str) -> str:  # type: ignore[no-untyped-def]
    person.send(text)
    return (await person.next_message()).text  # type: ignore[no-any-return]


async def test_a_teen_is_told_what_to_do_after_choosing_the_role(bot: BotHarness) -> None:
    teen = bot.user("Rina")
    teen.send("/start")
    greeting = await teen.next_message()
    teen.press("Bahasa Indonesia", message=greeting)
    roles = await teen.next_message()
    teen.press("🧑", message=roles)
    text = (await teen.edited(roles)).text
    assert "Punya surat undangan? Tulis kode undangannya di sini" in text
    assert "Belum punya? Ketik /daftar." in text


async def test_a_parent_is_told_how_to_link_after_choosing_the_role(bot: BotHarness) -> None:
    parent = bot.user("Ibu Sri")
    parent.send("/start")
    greeting = await parent.next_message()
    parent.press("Bahasa Indonesia", message=greeting)
    roles = await parent.next_message()
    parent.press("👪", message=roles)
    text = (await parent.edited(roles)).text
    assert "/ortu KODE" in text and "Anak tanpa Telegram: pakai NIK" in text


async def test_the_letters_code_typed_in_the_chat_opens_the_invitation(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    teen = bot.user("Rina")
    await onboard(teen)
    assert (await said(teen, "rina2345")).startswith("Halo! Anda membuka undangan")
    reply = await said(teen, target.birth_date.strftime("%d-%m-%Y"))
    assert "Rina Lestari" in reply


async def test_typos_and_questions_point_to_the_command(bot: BotHarness) -> None:
    person = bot.user("Rina")
    await onboard(person)
    assert await said(person, "/jadwl") == (
        "Maksud Anda /jadwal? Ketik /bantuan untuk daftar perintah."
    )
    assert (await said(person, "kapan jadwal saya")).startswith("Untuk itu, ketik /jadwal.")
    assert (await said(person, "/zzzz")).startswith("Maaf, perintah itu tidak saya kenal.")
    assert (await said(person, "halo")).startswith("Halo! Saya Rekam")  # a greeting: the menu
    assert (await said(person, "zzz qqq")).startswith("Maaf, saya belum mengerti pesan itu.")


async def test_staff_get_their_own_help_and_others_do_not(bot: BotHarness) -> None:
    officer = await staff_member(bot, "Sari")
    person = bot.user("Rina")
    await onboard(person)
    assert "Untuk petugas:" not in await said(person, "/bantuan")
    help_text = await said(officer, "/bantuan")
    assert "Untuk petugas:" in help_text and "/meja" in help_text and "/siaran" in help_text


def test_what_counts_as_a_typed_code() -> None:
    assert looks_like_code("RINA2345") and looks_like_code("rina2345")
    assert looks_like_code("KMNPQRST")  # capitals, as printed
    assert not looks_like_code("jadwalku") and not looks_like_code("halo")
    assert not looks_like_code("kapan jadwal") and not looks_like_code("1234")
    assert not looks_like_code("ÀBCDEF12")
    assert not looks_like_code("3599016708109999") and not looks_like_code("12345678")


def test_command_suggestions() -> None:
    assert command_like("/jadwl") == "jadwal" and command_like("/bantun") == "bantuan"
    assert command_like("/qwerty") is None
    assert command_for("Kapan jadwal saya?") == "jadwal"
    assert command_for("saya mau pindah hari") == "ganti"
    assert command_for("selamat pagi") is None


async def test_a_parent_with_the_letters_code_is_pointed_to_ortu_and_never_becomes_the_teen(
    bot: BotHarness,
) -> None:
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    parent = bot.user("Ibu Sri")
    await onboard(parent, role="👪")
    for typed in ("RINA2345", "/start RINA2345"):
        assert (await said(parent, typed)).startswith(
            "Anda terdaftar sebagai orang tua/wali. Untuk terhubung dengan anak Anda lewat kode ini, "
            "tulis: /ortu RINA2345"
        )
    # Even typing the child's birth date now links nothing.
    await said(parent, target.birth_date.strftime("%d-%m-%Y"))
    async with bot.db.session() as session:
        account = await session.scalar(select(Account).where(Account.telegram_id == parent.id))
    assert account is not None and account.target_id is None and account.role == Role.PARENT


async def test_staff_typing_a_code_outside_hadir_are_told_how_to_take_attendance(
    bot: BotHarness,
) -> None:
    await factories.add_target(bot.db, bot.settings, code="RINA2345")
    officer = await staff_member(bot, "Sari")
    assert (await said(officer, "RINA2345")).startswith("Ini kode surat undangan seorang remaja.")
    async with bot.db.session() as session:
        account = await session.scalar(select(Account).where(Account.telegram_id == officer.id))
    assert account is None or account.target_id is None
