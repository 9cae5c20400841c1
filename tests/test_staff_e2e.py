"""Staff in Telegram, through the emulator: attendance by QR link and by code, today's sessions,
broadcasts with preview and counts, moving and cancelling a session, figures, managing staff;
and everyone else refused as if the commands did not exist."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select, update

from bot.db.models import (
    Event,
    OutboxMessage,
    Region,
    ServiceSession,
    Staff,
    Summons,
    Target,
    WaitingTeen,
)
from bot.domain.kinds import Channel, OutboxState, SummonsState
from bot.emulator import UserClient
from bot.services import staff
from tests.support import factories
from tests.support.factories import attend_code_of
from tests.support.harness import BotHarness
from tests.support.offices import bots_planner
from tests.support.people import STALE, UNKNOWN, linked_teen, said, staff_member, teens_at, unknown


async def refused_events(bot: BotHarness) -> int:
    async with bot.db.session() as session:
        return int(
            await session.scalar(select(func.count()).where(Event.kind == "staff_action_refused"))
            or 0
        )


async def test_everyone_but_staff_gets_unknown_command_and_attempts_are_events(
    bot: BotHarness,
) -> None:
    target = await factories.add_target(bot.db, bot.settings)
    teen = bot.user("Rina")
    for command in (
        "/staf",
        "/statistik",
        "/hadir RINA2345",
        f"/start hadir_{attend_code_of(target.invite_code)}",
        "/petugas_tambah 42",
        "/siaran",
        "/sesi",
    ):
        assert await said(teen, command) == unknown(command), command
    forged = teen.press(data="st:today", message=teen.messages[-1])
    assert (await teen.answer(forged))["text"] == "Tombol ini sudah tidak berlaku."
    # Recorded, but one event per person per ten minutes: hammering cannot flood the log.
    assert await refused_events(bot) == 1
    stranger = bot.user("Stranger")
    assert await said(stranger, "/staf") == unknown("/staf")
    assert await refused_events(bot) == 2
    async with bot.db.session() as session:
        assert (await session.get(Target, target.id)).recorded_at is None  # type: ignore[union-attr]
        assert await session.scalar(select(func.count()).select_from(Staff)) == 0


async def test_a_removed_staff_member_is_refused_at_once(bot: BotHarness) -> None:
    officer = await staff_member(bot)
    assert (await said(officer, "/staf")).startswith("Menu petugas")
    async with bot.db.session() as session:
        await staff.remove(session, officer.id, by=None, channel=Channel.CLI)
    assert await said(officer, "/staf") == unknown("/staf")


async def test_a_teen_due_another_day_is_not_recorded_until_staff_say_so(
    bot: BotHarness,
) -> None:
    place = await factories.add_place(bot.db)
    later = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    ((rina, _chat),) = await teens_at(bot, "Rina", session=later)
    officer = await staff_member(bot)

    reply = await said(officer, f"/hadir {attend_code_of(rina.invite_code)}")
    assert reply.startswith("⚠️ Rina Uji (3599************) dipanggil untuk ")
    assert reply.endswith("bukan hari ini. Belum dicatat: catat hadir sekarang?")
    async with bot.db.session() as session:
        assert (await session.get(Target, rina.id)).recorded_at is None  # type: ignore[union-attr]
    officer.press("Tidak", message=officer.messages[-1])
    assert (await officer.next_message()).text.startswith("Tidak dicatat.")

    await said(officer, f"/hadir {attend_code_of(rina.invite_code)}")
    officer.press("✅ Ya, catat hadir", message=officer.messages[-1])
    assert (await officer.next_message()).text == (
        "✅ Tercatat hadir: Rina Uji (3599************). Belum terekam: setelah perekaman, "
        "catat di /meja."
    )
    async with bot.db.session() as session:  # came: recorded only at the desk
        assert (await session.get(Target, rina.id)).recorded_at is None  # type: ignore[union-attr]


async def test_attendance_by_qr_link_and_by_typed_code(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    (rina, rina_chat), (budi, _budi_chat) = await teens_at(bot, "Rina", "Budi", session=session_)
    async with bot.db.session() as session:  # the session is today, as at the desk
        today = await session.get(ServiceSession, session_.id)
        assert today is not None
        today.starts_at = datetime.now(UTC) + timedelta(minutes=1)
        today.ends_at = today.starts_at + timedelta(hours=3)
    officer = await staff_member(bot)

    reply = await said(officer, f"/start hadir_{attend_code_of(rina.invite_code)}")
    assert reply == (
        "✅ Tercatat hadir: Rina Uji (3599************). Belum terekam: setelah perekaman, "
        "catat di /meja."
    )
    async with bot.db.session() as session:
        summons = await session.scalar(select(Summons).where(Summons.target_id == rina.id))
        assert summons is not None and summons.state == SummonsState.ATTENDED
        assert (await session.get(Target, rina.id)).recorded_at is None  # type: ignore[union-attr]
        pending = await session.scalar(
            select(func.count()).where(
                OutboxMessage.summons_id == summons.id, OutboxMessage.state == OutboxState.PENDING
            )
        )
        assert pending == 0  # every reminder stopped

    officer.send("/staf")
    await officer.next_message()
    officer.press("✅ Catat kehadiran")
    await officer.next_message()
    assert (
        await said(officer, attend_code_of(budi.invite_code).lower())
        == "✅ Tercatat hadir: Budi Uji (3599************). Belum terekam: setelah perekaman, "
        "catat di /meja."
    )
    assert await said(officer, attend_code_of(budi.invite_code)) == (
        "ℹ️ Budi Uji (3599************) sudah tercatat hadir, belum terekam."
    )
    assert (
        await said(officer, "ZZZZ9999") == "❓ Kode ZZZZ9999 tidak dikenal. Periksa lagi kodenya."
    )
    assert (await said(officer, "/hadir")).startswith("Ketik kode kehadiran remaja")
    assert (await said(officer, f"/hadir {attend_code_of(rina.invite_code)}")).startswith(
        "ℹ️ Rina Uji"
    )
    # The teen's own buttons no longer change anything.
    query = rina_chat.press("❌")
    assert (await rina_chat.answer(query))["text"] == STALE


async def test_today_shows_each_session_with_its_counts(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    today = await factories.add_session(bot.db, bot.settings, place, capacity=9)
    [(_rina, rina_chat), (budi, _)] = await teens_at(bot, "Rina", "Budi", session=today)
    await rina_chat.answer(rina_chat.press("✅"))
    # The session is moved into today (whatever the hour) after the teens were called to it.
    midnight = datetime.combine(
        datetime.now(bot.settings.zone).date(), time(0, 1), tzinfo=bot.settings.zone
    )
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == today.id)
            .values(starts_at=midnight, ends_at=datetime.now(UTC) + timedelta(hours=2))
        )
    officer = await staff_member(bot)
    await said(officer, f"/hadir {attend_code_of(budi.invite_code)}")
    officer.send("/staf")
    await officer.next_message()
    officer.press("📋 Jadwal hari ini")
    text = (await officer.next_message()).text
    assert "Mal Pelayanan Publik" in text
    assert "dipanggil 2 · konfirmasi 1 · hadir 1 · tempat 9" in text


async def test_broadcast_to_a_kelurahan_previews_counts_and_reaches_only_its_pending_teens(
    bot: BotHarness,
) -> None:
    place = await factories.add_place(bot.db)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    people = await teens_at(bot, "Rina", "Budi", "Sari", session=session_)
    async with bot.db.session() as session:
        mawar, melati = (
            Region(kecamatan="Utara", kelurahan="Mawar"),
            Region(kecamatan="Utara", kelurahan="Melati"),
        )
        session.add_all([mawar, melati])
        await session.flush()
        (rina, _), (budi, _), (sari, _) = people
        await session.execute(
            update(Target).where(Target.id.in_([rina.id, budi.id])).values(region_id=mawar.id)
        )
        await session.execute(
            update(Target).where(Target.id == sari.id).values(region_id=melati.id)
        )
        await session.execute(
            update(Target).where(Target.id == budi.id).values(recorded_at=datetime.now(UTC))
        )
    officer = await staff_member(bot)
    officer.send("/siaran")
    await officer.next_message()
    officer.press("Satu kelurahan")
    choices = await officer.next_message()
    assert [b.label for b in choices.buttons] == [
        "Kelurahan Mal Pelayanan Publik",
        "Mawar",
        "Melati",
    ]
    officer.press("Mawar")
    await officer.next_message()
    preview = await said(officer, "Bawa fotokopi KK, ya!")
    assert "Bawa fotokopi KK, ya!" in preview
    assert preview.endswith(
        "Akan dikirim ke 1 orang.\n1 lewat Telegram.\nBelum merekam: 1 — 1 dapat dijangkau, 0 tidak."
    )
    officer.press("📢 Kirim sekarang")
    assert (await officer.next_message()).text.startswith("✅ Siaran sedang dikirim ke 1 orang.")
    rina_chat, budi_chat, sari_chat = (chat for _, chat in people)
    got = await rina_chat.next_message()
    assert got.text == "📢 Pesan dari Dinas Dukcapil Kota Uji:\n\nBawa fotokopi KK, ya!"
    # The broadcast went out through the outbox: nothing else was queued that could still come.
    async with bot.db.session() as session:
        broadcast_to = await session.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.kind == "broadcast")
        )
        assert set(broadcast_to) == {rina_chat.id}
    assert not [m for m in budi_chat.messages + sari_chat.messages if m.text.startswith("📢")]

    officer.send("/siaran")
    await officer.next_message()
    officer.press("Semua yang belum merekam")
    await officer.next_message()
    assert "Akan dikirim ke 2 orang." in await said(officer, "Tes")
    officer.press("Batal")
    assert (await officer.next_message()).text == "Siaran dibatalkan."
    async with bot.db.session() as session:
        queued = await session.scalar(select(func.count()).where(OutboxMessage.kind == "broadcast"))
    assert queued == 1


async def _choose_session(officer: UserClient, label_part: str) -> None:
    officer.send("/sesi")
    listing = await officer.next_message()
    officer.press(next(b.label for b in listing.buttons if label_part in b.label), message=listing)
    await officer.next_message()


async def test_moving_a_session_tells_exactly_its_teens_the_new_time(bot: BotHarness) -> None:
    mpp, school = (
        await factories.add_place(bot.db),
        await factories.add_place(bot.db, "SMK Negeri 9"),
    )
    moved = await factories.add_session(bot.db, bot.settings, mpp, days_ahead=5)
    other = await factories.add_session(bot.db, bot.settings, school, days_ahead=6)
    [(_, rina_chat), (_, budi_chat)] = await teens_at(bot, "Rina", "Budi", session=moved)
    sari = await factories.add_target(
        bot.db, bot.settings, name="Sari Uji", serial=3, code="SARI2345"
    )
    await factories.summon(bot.db, bot.settings, sari, other)
    sari_chat = await linked_teen(bot, sari, "Sari")
    # Dewi has no Telegram and no parent linked: nobody can tell her, and staff hear so.
    dewi = await factories.add_target(
        bot.db, bot.settings, name="Dewi Uji", serial=4, code="DEWI2345"
    )
    await factories.summon(bot.db, bot.settings, dewi, moved)
    officer = await staff_member(bot)
    await _choose_session(officer, "Mal Pelayanan")
    officer.press("🕒")
    await officer.next_message()
    new_day = (datetime.now(bot.settings.zone) + timedelta(days=8)).date()
    confirm = await said(officer, f"{new_day:%d-%m-%Y} 13.00-15.00")
    assert "2 dari 3 remaja yang dipanggil ke jadwal ini akan dikabari" in confirm
    assert "⚠️ 1 remaja tidak punya Telegram" in confirm
    sari_queued = await _queued_for(bot, sari_chat)
    officer.press("✅ Ya, pindahkan")
    assert (await officer.next_message()).text == (
        "✅ Selesai.\n"
        "Dikabari lewat Telegram: 2 dari 3 remaja (2 di Telegram sendiri, 0 orang tua/wali).\n"
        "⚠️ 1 remaja tidak punya Telegram maupun orang tua/wali yang terhubung, jadi belum "
        "dikabari: hubungi mereka dengan cara lain."
    )
    for chat in (rina_chat, budi_chat):
        notice = await chat.next_message()
        assert notice.text.startswith("📅 Petugas mengubah jadwal") and "13.00–15.00" in notice.text
        assert notice.button("✅")
    assert await _queued_for(bot, sari_chat) == sari_queued  # the move queued nothing for Sari
    assert not [m for m in sari_chat.messages if m.text.startswith("📅")]
    async with bot.db.session() as session:
        changed = await session.get(ServiceSession, moved.id)
        assert changed is not None
        assert changed.starts_at == datetime.combine(new_day, time(13), tzinfo=bot.settings.zone)
        reminders = (
            (
                await session.execute(
                    select(OutboxMessage.due_at).where(
                        OutboxMessage.kind == "reminder",
                        OutboxMessage.state == OutboxState.PENDING,
                        OutboxMessage.chat_id == rina_chat.id,
                    )
                )
            )
            .scalars()
            .all()
        )
        assert reminders and all(due.date() >= new_day - timedelta(days=3) for due in reminders)
    # An old button (before the move) is stale; the new one works.
    old = next(m for m in rina_chat.messages if m.text.startswith("📣"))
    assert (await rina_chat.answer(rina_chat.press("✅", message=old)))["text"] == STALE


async def _queued_for(bot: BotHarness, person: UserClient) -> set[int]:
    """The outbox rows ever queued for this person's chat."""
    async with bot.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.chat_id == person.id)
        )
        return set(rows)


async def test_cancelling_a_session_offers_its_teens_the_sessions_ahead(bot: BotHarness) -> None:
    mpp, school = (
        await factories.add_place(bot.db),
        await factories.add_place(bot.db, "SMK Negeri 9"),
    )
    cancelled = await factories.add_session(bot.db, bot.settings, mpp, days_ahead=5)
    await factories.add_session(bot.db, bot.settings, school, days_ahead=6)
    [(rina, rina_chat)] = await teens_at(bot, "Rina", session=cancelled)
    officer = await staff_member(bot)
    await _choose_session(officer, "Mal Pelayanan")
    officer.press("✖️ Batalkan jadwal")
    assert "1 dari 1 remaja" in (await officer.next_message()).text
    officer.press("✖️ Ya, batalkan")
    assert (await officer.next_message()).text == (
        "✅ Selesai.\nDikabari lewat Telegram: 1 dari 1 remaja (1 di Telegram sendiri, "
        "0 orang tua/wali)."
    )
    notice = await rina_chat.next_message()
    assert "dibatalkan oleh petugas" in notice.text and "Pilih jadwal baru" in notice.text
    rina_chat.press("SMK Negeri 9", message=notice)
    assert (await rina_chat.edited(notice)).text == "Jadwal Anda sudah diganti. Jadwal baru:"
    new, _pin = await rina_chat.next_messages(2)
    assert new.text.startswith("📣") and "SMK Negeri 9" in new.text
    async with bot.db.session() as session:
        summons = await session.scalar(select(Summons).where(Summons.target_id == rina.id))
        assert summons is not None and summons.state == SummonsState.MOVED
        assert summons.session_id != cancelled.id
        assert (await session.get(ServiceSession, cancelled.id)).state == "cancelled"  # type: ignore[union-attr]


async def test_statistik_sends_the_table_and_the_chart(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    await teens_at(bot, "Rina", session=session_)
    await factories.add_target(
        bot.db, bot.settings, name="Budi", serial=2, code="BUDI2345", recorded=True
    )
    officer = await staff_member(bot)
    officer.send("/statistik")
    table, chart = await officer.next_message(), await officer.next_message()
    # Numbers as the reader's locale writes them (Babel): a decimal comma in Indonesian.
    assert table.text.startswith("Sasaran 2, terekam 1, sisa 1 (50,0%).")
    assert "Dipanggil 1 · konfirmasi 0 · tidak bisa datang 0 · pindah jadwal 0" in table.text
    # How far the office reaches: Rina is on Telegram, and this office has no phone channels.
    assert (
        "Terjangkau lewat Telegram 1. Sudah menjawab 0 · menunggu jawaban 1, di antaranya "
        "belum terjangkau 0"
    ) in table.text
    assert (
        chart.raw.get("photo")
        and chart.file is not None
        and chart.file.content.startswith(b"\x89PNG")
    )
    # The same figures per school (or kecamatan), from the table's buttons.
    assert [b.label for b in table.buttons] == ["Kecamatan", "Sekolah"]
    officer.press("Sekolah", message=table)
    by_school = await officer.next_message()
    assert "Sekolah" in by_school.text.split("\n")[1]


async def test_admins_add_and_remove_staff_and_plain_staff_cannot(bot: BotHarness) -> None:
    admin = await staff_member(bot, "Admin", admin=True)
    officer = await staff_member(bot, "Petugas")
    assert await said(officer, "/petugas_tambah 4242") == UNKNOWN
    assert await said(admin, "/petugas_tambah 4242 admin") == "✅ 4242 sekarang admin."
    # Nobody demotes themself by a slip (/petugas_tambah without "admin" would).
    assert await said(admin, f"/petugas_tambah {admin.id}") == (
        "Anda tidak bisa mengubah peran Anda sendiri."
    )
    assert (
        await said(admin, "/petugas_tambah bukan-angka")
        == "Tulis: /petugas_tambah ID_TELEGRAM [admin]"
    )
    assert (
        await said(admin, f"/petugas_hapus {officer.id}") == f"✅ {officer.id} bukan petugas lagi."
    )
    assert await said(officer, "/staf") == unknown("/staf")
    async with bot.db.session() as session:
        ids = set((await session.execute(select(Staff.telegram_id))).scalars())
    assert ids == {admin.id, 4242}


async def test_a_teen_who_picks_nothing_after_a_cancellation_waits_for_a_freed_place(
    bot: BotHarness,
) -> None:
    mpp, school = (
        await factories.add_place(bot.db),
        await factories.add_place(bot.db, "SMK Negeri 9"),
    )
    cancelled = await factories.add_session(bot.db, bot.settings, mpp, days_ahead=5)
    await factories.add_session(bot.db, bot.settings, school, days_ahead=6)
    [(rina, rina_chat)] = await teens_at(bot, "Rina", session=cancelled)
    officer = await staff_member(bot)
    await _choose_session(officer, "Mal Pelayanan")
    officer.press("✖️ Batalkan jadwal")
    await officer.next_message()
    officer.press("✖️ Ya, batalkan")
    await officer.next_message()
    await rina_chat.next_message()  # the cancellation with the sessions ahead
    # Rina chooses nothing; the day of the cancelled session comes.
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == cancelled.id)
            .values(starts_at=datetime.now(UTC) - timedelta(hours=1))
        )
    assert await bots_planner(bot).round() is True
    offer = await rina_chat.next_message()
    assert offer.text.startswith("🎟️ Ada tempat kosong untuk perekaman KTP-el Anda")
    assert "SMK Negeri 9" in offer.text
    async with bot.db.session() as session:
        entry = await session.scalar(select(WaitingTeen).where(WaitingTeen.target_id == rina.id))
    assert entry is not None and entry.offered_session_id is not None
