"""Nobody is trapped inside a conversation step: /batal, any other command and the role menu
leave it, its old buttons no longer act, and a restart in between changes nothing (the step is
stored). Through the real bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.db.models import Account, Claim, ServiceSession
from bot.domain import nik as nik_rules
from bot.emulator import UserClient
from tests.support import factories
from tests.support.factories import attend_code_of
from tests.support.harness import (
    BotHarness,
    make_settings,
    onboard,
    running_bot,
    until_phone_question,
)
from tests.support.people import begin_daftar, dmy, said, staff_member, teens_at

WAY_OUT = "Ketik /batal untuk keluar."
CANCELLED = "Baik, langkah tadi dibatalkan."
LETTER = "Halo! Anda membuka undangan perekaman KTP-el"


async def step_of(bot: BotHarness, person_id: int) -> object:
    async with bot.db.session() as session:
        account = await session.scalar(select(Account).where(Account.telegram_id == person_id))
        assert account is not None
        return (account.conversation or {}).get("step")


async def test_the_letters_code_typed_inside_daftar_opens_the_letter(bot: BotHarness) -> None:
    """She consented to /daftar, then found her letter: its code is not read as a NIK."""
    await factories.add_target(bot.db, bot.settings, code="RINA2345")
    teen = bot.user("Rina")
    await onboard(teen, role="🧑")
    await begin_daftar(teen)
    assert WAY_OUT in teen.messages[-1].text  # the NIK question says how to leave

    teen.send("rina2345")
    reply = (await teen.next_message()).text
    assert reply.startswith(LETTER) and "NIK" not in reply
    assert await step_of(bot, teen.id) == "invite_date"


async def test_the_role_menu_and_start_leave_daftar(bot: BotHarness) -> None:
    teen = bot.user("Rina")
    teen.send("/start")
    await teen.next_message()
    teen.press("Bahasa Indonesia")
    role_menu = await teen.next_message()
    await begin_daftar(teen)  # before choosing a role

    await teen.answer(teen.press("🧑", message=role_menu))  # the role menu: afresh
    teen.send("kapan jadwal saya")
    assert (await teen.next_message()).text.startswith("Untuk itu, ketik /jadwal.")

    await begin_daftar(teen)
    teen.send("/start")  # any command: the NIK question is over
    await teen.next_message()
    teen.send("kapan jadwal saya")
    assert (await teen.next_message()).text.startswith("Untuk itu, ketik /jadwal.")
    assert await step_of(bot, teen.id) is None


async def test_batal_leaves_and_the_steps_old_buttons_do_nothing(bot: BotHarness) -> None:
    teen = bot.user("Rina")
    await onboard(teen, role="🧑")
    await begin_daftar(teen)
    born = factories.born_aged(bot.settings, 16)
    teen.send(nik_rules.build(factories.REGION, born, female=True, serial=7))
    await teen.next_message()
    teen.send(dmy(born))
    await teen.next_message()
    teen.send("Rina Lestari")
    question = await teen.next_message()
    assert "Kapan Anda paling mudah datang?" in question.text and WAY_OUT in question.text

    teen.send("/batal")
    assert (await teen.next_message()).text.startswith(CANCELLED)
    query = teen.press("Akhir pekan", message=question)
    assert (await teen.answer(query))["text"] == "Tombol ini sudah tidak berlaku."
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Claim)) == 0

    teen.send("/batal")
    assert (await teen.next_message()).text.startswith("Tidak ada langkah yang sedang berjalan.")
    teen.send("/bantuan")
    assert "/batal — " in (await teen.next_message()).text


async def test_a_step_left_after_a_restart_stays_left(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url)
    async with running_bot(settings) as bot:
        teen = bot.user("Rina")
        await onboard(teen, role="🧑")
        await begin_daftar(teen)
        old_chat = bot.emulator.chats[teen.id]
    async with running_bot(settings) as bot:  # a new process, the same database
        bot.emulator.chats[teen.id] = old_chat
        teen = UserClient(bot.emulator, teen.user)
        teen._cursor = old_chat.seq
        teen.send("/batal")
        assert (await teen.next_message()).text.startswith(CANCELLED)
        teen.send("1234")
        assert "NIK" not in (await teen.next_message()).text


async def test_the_phone_keys_after_a_command_left_the_question(bot: BotHarness) -> None:
    """Linked, then /jadwal before answering the phone question: its "Lewati" key, still on
    screen, is understood, and the keyboard goes."""
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    teen = bot.user("Rina")
    teen.send("/start RINA2345")
    await teen.next_message()
    teen.send(dmy(target.birth_date))
    await until_phone_question(teen)
    teen.send("/jadwal")
    await teen.next_message()
    assert teen.keyboard == ("📱 Bagikan nomor telepon", "Lewati")
    teen.send("Lewati")
    assert (await teen.next_message()).text.startswith("Baik. Ketik /jadwal")
    assert teen.keyboard == ()


async def test_bahasa_offered_in_the_invitation_keeps_its_question(bot: BotHarness) -> None:
    """The invitation's question offers /bahasa: switching language there is not leaving."""
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    teen = bot.user("Rina")
    teen.send("/start RINA2345")
    assert "/bahasa" in (await teen.next_message()).text
    teen.send("/bahasa")
    await teen.next_message()
    teen.press("English")
    assert (await teen.next_message()).text.startswith("Welcome to Rekam!")  # who are you?
    teen.send(dmy(target.birth_date))
    assert (await until_phone_question(teen))[0].text.startswith("Hello, Rina Lestari!")


async def test_a_scanned_qr_keeps_staff_taking_codes(bot: BotHarness) -> None:
    """Staff taking attendance (/hadir) scan one teen's QR, then type the next one's code: the
    scan is part of taking codes, not a way out of it."""
    place = await factories.add_place(bot.db)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    (rina, _), (budi, _) = await teens_at(bot, "Rina", "Budi", session=session_)
    async with bot.db.session() as session:  # the session is today, as at the desk
        today = await session.get(ServiceSession, session_.id)
        assert today is not None
        today.starts_at = datetime.now(UTC) + timedelta(minutes=1)
        today.ends_at = today.starts_at + timedelta(hours=3)
    officer = await staff_member(bot)
    assert (await said(officer, "/hadir")).startswith("Ketik kode kehadiran remaja")
    scanned = await said(officer, f"/start hadir_{attend_code_of(rina.invite_code)}")
    assert scanned.startswith("✅ Tercatat hadir: Rina Uji")
    typed = await said(officer, attend_code_of(budi.invite_code))
    assert typed.startswith("✅ Tercatat hadir: Budi Uji")
