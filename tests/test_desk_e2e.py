"""The recording desk in Telegram, through the emulator: find by code, NIK or name and birth
date; recorded (the teen is thanked), undo, and came-but-not-recorded (the teen is offered the
sessions ahead at once and picks one); anyone else gets the unknown-command answer."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Event, ServiceSession, Summons, Target
from bot.domain.kinds import SummonsState
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.factories import attend_code_of
from tests.support.harness import BotHarness
from tests.support.people import UNKNOWN, linked, said, staff_member


async def test_the_desk_finds_marks_undoes_and_offers_new_sessions(bot: BotHarness) -> None:
    bot.app.bot_data.throttle = PressThrottle(presses=50)  # staff press faster than people
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
    budi = await factories.add_target(
        bot.db, bot.settings, name="Budi Uji", code="BUDI2345", serial=2, female=False
    )
    place = await factories.add_place(bot.db)
    today = await factories.add_session(bot.db, bot.settings, place, days_ahead=1)
    later = await factories.add_session(bot.db, bot.settings, place, days_ahead=3)
    teens = {}
    for target, name in ((rina, "Rina"), (budi, "Budi")):
        teen = await linked(bot, target, name)
        await factories.summon(bot.db, bot.settings, target, today)  # type: ignore[arg-type]
        await teen.next_message()  # the summons
        await teen.next_message()  # its pin
        teens[name] = teen
    assert await said(teens["Rina"], "/meja") == UNKNOWN

    officer = await staff_member(bot)
    officer.send("/staf")
    await officer.next_message()
    officer.press("🧾 Meja perekaman")
    assert (await officer.next_message()).text.startswith("🧾 Meja perekaman. Ketik kode")

    # By the attendance code (her /kode QR): recorded, and she is thanked.
    officer.send(attend_code_of("RINA2345").lower())
    found = await officer.next_message()
    assert found.text.startswith("Rina Uji · NIK 3599************ · lahir ")
    assert "Panggilan: dipanggil · " in found.text
    officer.press("✅ Terekam", message=found)
    assert (await officer.next_message()).text == (
        "✅ Rina Uji terekam. Terima kasih dikirim ke remaja."
    )
    assert (await teens["Rina"].next_message()).text.startswith("✔️ Terima kasih, Rina Uji")

    # By NIK: the mark was wrong; undone, her summons back as it was.
    officer.send(rina.nik)  # type: ignore[attr-defined]
    found = await officer.next_message()
    assert "✔️ Sudah terekam: " in found.text
    assert [b.label for b in found.buttons] == ["↩️ Batalkan tanda terekam"]
    officer.press("↩️ Batalkan tanda terekam", message=found)
    asked = await officer.next_message()
    assert asked.text == "Batalkan tanda terekam Rina Uji? Ia akan tercatat belum terekam lagi."
    officer.press("↩️ Ya, batalkan tanda terekam", message=asked)
    assert (await officer.next_message()).text == "↩️ Tanda terekam Rina Uji dibatalkan."

    # By name and birth date: both match, Budi is chosen; he came without documents.
    officer.send(f"uji, {budi.birth_date.strftime('%d-%m-%Y')}")
    listing = await officer.next_message()
    assert listing.text == "Ada 2 yang cocok; pilih satu:"
    officer.press(
        next(b.label for b in listing.buttons if b.label.startswith("Budi")), message=listing
    )
    found = await officer.next_message()
    officer.press("📝 Datang, belum terekam", message=found)
    why = await officer.next_message()
    officer.press("dokumen kurang", message=why)
    assert (await officer.next_message()).text.startswith("📝 Budi Uji: datang, belum terekam.")
    offer = await teens["Budi"].next_message()
    assert offer.text.startswith("Terima kasih sudah datang ke jadwal perekaman")
    assert "dokumen yang diperlukan belum lengkap" in offer.text
    assert len(offer.buttons) == 1  # only the session still ahead
    teens["Budi"].press(offer.buttons[0].label, message=offer)
    assert (await teens["Budi"].next_message()).text.startswith("📣")

    async with bot.db.session() as session:
        recorded = await session.get(Target, rina.id)
        assert recorded is not None and recorded.recorded_at is None
        found_states = await session.execute(
            select(Summons.target_id, Summons.state, Summons.session_id)
        )
        states = {t: (state, s) for t, state, s in found_states}
        assert states[rina.id] == (SummonsState.SUMMONED, today.id)  # type: ignore[attr-defined]
        assert states[budi.id] == (SummonsState.MOVED, later.id)  # type: ignore[attr-defined]
        seats = {s.id: s.booked for s in await session.scalars(select(ServiceSession))}
        assert seats == {today.id: 1, later.id: 1}  # type: ignore[attr-defined]
        kinds = list(await session.scalars(select(Event.kind)))
        for kind in ("desk_recorded", "recorded_undone", "desk_unrecorded"):
            assert kind in kinds


async def test_the_desk_says_who_was_told_and_asks_before_an_undo(bot: BotHarness) -> None:
    """A teen with no Telegram and no parents is told nothing, and the desk says so."""
    bot.app.bot_data.throttle = PressThrottle(presses=50)
    sari = await factories.add_target(bot.db, bot.settings, name="Sari Uji", code="SARI2345")
    dani = await factories.add_target(
        bot.db, bot.settings, name="Dani Uji", code="DANI2345", serial=2, female=False
    )
    place = await factories.add_place(bot.db)
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=1)
    await factories.add_session(bot.db, bot.settings, place, days_ahead=3)
    for target in (sari, dani):
        await factories.summon(bot.db, bot.settings, target, soon)
    officer = await staff_member(bot)
    officer.send("/meja")
    await officer.next_message()

    officer.send(attend_code_of("SARI2345"))
    found = await officer.next_message()
    officer.press("✅ Terekam", message=found)
    assert (await officer.next_message()).text == (
        "✅ Sari Uji terekam. Tidak ada yang diberi tahu: remaja dan orang tuanya tidak bisa "
        "dihubungi di Telegram."
    )

    officer.send(attend_code_of("DANI2345"))
    found = await officer.next_message()
    officer.press("📝 Datang, belum terekam", message=found)
    why = await officer.next_message()
    officer.press("alat bermasalah", message=why)
    assert (await officer.next_message()).text == (
        "📝 Dani Uji: datang, belum terekam. Tidak ada yang diberi tahu (tidak bisa dihubungi "
        "di Telegram): sampaikan sendiri jadwal berikutnya kepadanya."
    )

    # Undo asks first; "Batal" leaves the mark as it is.
    officer.send(attend_code_of("SARI2345"))
    found = await officer.next_message()
    officer.press("↩️ Batalkan tanda terekam", message=found)
    asked = await officer.next_message()
    assert asked.text.startswith("Batalkan tanda terekam Sari Uji?")
    officer.press("Batal", message=asked)
    assert (await officer.next_message()).text == "Tidak ada yang diubah."
    async with bot.db.session() as session:
        kept = await session.get(Target, sari.id)
        assert kept is not None and kept.recorded_at is not None


async def test_the_desk_finds_a_name_alone_and_lists_school_and_kelurahan(bot: BotHarness) -> None:
    await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
    await factories.add_target(
        bot.db, bot.settings, name="Rina Ayu", code="RINB2345", serial=2, age=16
    )
    officer = await staff_member(bot, "Petugas")
    officer.send("/meja")
    await officer.next_message()
    # A name alone, typed in capitals and with an accent: both Rinas, each with what tells
    # them apart.
    officer.send("RÍNA")
    listing = await officer.next_message()
    assert listing.text == "Ada 2 yang cocok; pilih satu:"
    labels = [b.label for b in listing.buttons]
    assert [label.split(" · ")[0] for label in labels] == ["Rina Ayu", "Rina Uji"]
    assert all(" · lahir " in label for label in labels)
    # Her name and birth date without a comma: only her.
    async with bot.db.session() as session:
        born = await session.scalar(select(Target.birth_date).where(Target.name == "Rina Uji"))
    assert born is not None
    officer.send(f"rina uji {born.strftime('%d-%m-%Y')}")
    found = await officer.next_message()
    assert found.text.startswith("Rina Uji · NIK 3599************ · lahir ")
    assert "Kelurahan: —" in found.text
