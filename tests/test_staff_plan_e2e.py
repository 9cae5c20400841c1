"""Staff plan in Telegram (issue 12, item 7): a new session, more seats, and the summons with a
dry run first; each typed answer checked when typed, the question kept open after a mistake."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import ServiceSession, Summons
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import linked_teen, said, staff_member


async def test_staff_create_a_session_enlarge_it_and_summon_with_a_dry_run_first(
    bot: BotHarness,
) -> None:
    bot.app.bot_data.throttle = PressThrottle(presses=50)
    place = await factories.add_place(bot.db, "Balai Kelurahan Melati", with_pin=False)
    target = await factories.add_target(bot.db, bot.settings)
    teen = await linked_teen(bot, target)
    officer = await staff_member(bot)

    listing = await said(officer, "/sesi")
    assert listing.startswith("Tidak ada jadwal yang akan datang.")
    officer.press("➕ Jadwal baru")
    officer.press("Balai Kelurahan Melati", message=await officer.next_message())
    assert "Tulis tanggal, jam dan jumlah tempat" in (await officer.next_message()).text
    yesterday = (factories.today(bot.settings) - timedelta(days=1)).strftime("%d-%m-%Y")
    assert (await said(officer, f"{yesterday} 08.00-11.00 30")).startswith(
        "Tanggal itu sudah lewat"
    )
    day = (factories.today(bot.settings) + timedelta(days=4)).strftime("%d-%m-%Y")
    assert (await said(officer, f"{day} 11.00-08.00 30")).startswith("Jam selesai harus sesudah")
    assert (await said(officer, f"{day} 08.00-11.00")).startswith("Tulis juga jumlah tempatnya")
    asked = await said(officer, f"{day} 08.00-11.00 1")
    assert asked.startswith("Buat jadwal") and "dengan 1 tempat?" in asked
    officer.press("✅ Ya, buat")
    assert (await officer.next_message()).text.startswith("✅ Jadwal dibuat.")
    async with bot.db.session() as session:
        created = (await session.execute(select(ServiceSession))).scalar_one()
    assert (created.place_id, created.capacity) == (place.id, 1)

    await said(officer, "/sesi")
    officer.press(message=officer.messages[-1], data=f"ss:{created.id}")
    shown = await officer.next_message()
    officer.press("➕ Tambah tempat", message=shown)
    await officer.next_message()
    assert (await said(officer, "banyak")).startswith("Tulis satu angka")
    assert await said(officer, "40") == "✅ Sekarang 40 tempat."

    preview = await said(officer, "/panggil")
    assert preview.startswith(
        "Jika diteruskan: 1 remaja akan dipanggil ke 1 jadwal; 0 menunggu tempat."
    )
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Summons)) == 0
    officer.press("📣 Panggil sekarang")
    assert (await officer.next_message()).text.startswith("✅ 1 remaja dipanggil")
    summons = await teen.next_message()
    assert summons.text.startswith("📣 Panggilan perekaman KTP-el")
    assert "Balai Kelurahan Melati" in summons.text


async def test_moving_a_session_checks_each_typed_time_and_keeps_the_question_open(
    bot: BotHarness,
) -> None:
    bot.app.bot_data.throttle = PressThrottle(presses=50)
    place = await factories.add_place(bot.db, "Kantor Dinas Kependudukan dan Pencatatan Sipil Kota")
    moved = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    officer = await staff_member(bot)

    listing_text = await said(officer, "/sesi")
    listing = officer.messages[-1]
    assert listing_text == "Pilih jadwal:"
    label = next(b.label for b in listing.buttons if b.data == f"ss:{moved.id}")
    # A long place is cut at a word, never mid-word ("Kantor Dinas Dukcapi").
    assert label.endswith("…") and len(label) <= 60
    assert label.removesuffix("…").split()[-1] in [
        "Kantor",
        "Dinas",
        "Kependudukan",
        "dan",
        "Pencatatan",
    ]
    officer.press(message=listing, data=f"ss:{moved.id}")
    shown = await officer.next_message()
    officer.press("🕒 Pindah ke hari/jam lain", message=shown)
    asked = (await officer.next_message()).text
    tomorrow = (factories.today(bot.settings) + timedelta(days=1)).strftime("%d-%m-%Y")
    assert f"misalnya: {tomorrow} 08.00-11.00" in asked  # an example that is not already past

    yesterday = (factories.today(bot.settings) - timedelta(days=1)).strftime("%d-%m-%Y")
    assert (await said(officer, f"{yesterday} 08.00-11.00")).startswith("Tanggal itu sudah lewat")
    day = (factories.today(bot.settings) + timedelta(days=6)).strftime("%d-%m-%Y")
    assert (await said(officer, f"{day} 11.00-08.00")).startswith("Jam selesai harus sesudah")
    assert (await said(officer, "besok pagi")).startswith("Format tanggal dan jam tidak dikenali.")
    confirm = await said(officer, f"{day} 09.00-12.00")
    assert confirm.startswith("Pindahkan jadwal ke")
    officer.press("✅ Ya, pindahkan")
    await officer.next_message()
    async with bot.db.session() as session:
        again = await session.get(ServiceSession, moved.id)
    assert again is not None
    zone = bot.settings.zone
    assert again.starts_at.astimezone(zone).strftime("%d-%m-%Y %H.%M") == f"{day} 09.00"
