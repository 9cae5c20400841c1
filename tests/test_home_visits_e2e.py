"""Home visits through the emulator: a 🏠 request reaches the staff on duty at once, staff see
the queue, schedule a visit (one teen or a round), and record what happened at the door."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from bot.db.models import (
    Event,
    HomeVisit,
    Place,
    ServiceSession,
    Summons,
    Target,
)
from bot.domain.kinds import HomeVisitState, PlaceKind, SessionState, SummonsState
from bot.i18n import format_day
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import family_office, requesting_teen, waiting_requests
from tests.support.people import link_with_code, new_parent, said, staff_member


async def test_a_home_visit_request_reaches_the_staff_on_duty(bot: BotHarness) -> None:
    officer = await staff_member(bot, "Petugas")
    officer.send("/start")
    await officer.next_message()
    teen = await requesting_teen(bot)
    assert (await teen.next_message()).text == (
        "Permintaan kunjungan ke rumah sudah diteruskan ke petugas."
    )
    alert = await officer.next_message()
    assert alert.text.splitlines() == [
        "🏠 Permintaan kunjungan ke rumah: Rina Lestari",
        "Wilayah: Mawar, Utara",
        "Alamat: Jl. Melati 7",
        "Alasan: Saya memakai kursi roda",
        "Telepon: +6281234567890",
        "Lihat daftar permintaan: /kunjungan",
    ]
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
    assert visit is not None
    assert (visit.state, visit.reason) == (HomeVisitState.REQUESTED, "Saya memakai kursi roda")


async def test_staff_schedule_a_visit_from_the_queue_and_record_the_teen_at_the_door(
    bot: BotHarness,
) -> None:
    officer = await staff_member(bot, "Petugas")
    officer.send("/start")
    await officer.next_message()
    teen = await requesting_teen(bot)
    await teen.next_message()  # forwarded to staff
    await officer.next_message()  # the alert
    officer.send("/staf")
    menu = await officer.next_message()
    officer.press("🏠 Kunjungan rumah", message=menu)
    assert (await officer.next_message()).text == "Kunjungan rumah: 1 menunggu jadwal, 0 terjadwal."
    entry = await officer.next_message()
    assert entry.text == "Rina Lestari · Mawar, Utara\nAlasan: Saya memakai kursi roda"
    officer.press("🗓️", message=entry)
    assert (await officer.next_message()).text.startswith("Dipilih: Rina Lestari.")
    day = factories.today(bot.settings) + timedelta(days=3)
    officer.send(f"{day:%d-%m-%Y} 09.00-10.30")
    assert (await officer.next_message()).text == (
        "✅ Kunjungan dijadwalkan untuk 1 remaja.\n"
        "Dikabari lewat Telegram: 1 dari 1 remaja (1 di Telegram sendiri, 0 orang tua/wali)."
    )
    summons = await teen.next_message()
    assert summons.text.startswith("📣") and "Jl. Melati 7" in summons.text
    assert [b.label[0] for b in summons.buttons][:2] == ["✅", "❌"]
    async with bot.db.session() as session:
        row = (
            await session.execute(
                select(Summons, ServiceSession, Place)
                .join(ServiceSession, ServiceSession.id == Summons.session_id)
                .join(Place, Place.id == ServiceSession.place_id)
            )
        ).one()
    moved, home, place = row
    assert (moved.state, home.capacity, home.booked) == (SummonsState.SUMMONED, 1, 1)
    assert (place.kind, place.name, place.address) == (PlaceKind.HOME, "Rumah", "Jl. Melati 7")
    assert home.services == ["rekam"]
    assert home.starts_at == datetime.combine(day, time(9), tzinfo=bot.settings.zone)

    officer.send("/kunjungan")
    assert (await officer.next_message()).text == "Kunjungan rumah: 0 menunggu jadwal, 1 terjadwal."
    planned = await officer.next_message()
    assert "Dijadwalkan:" in planned.text
    officer.press("✅ Sudah direkam", message=planned)
    assert (await officer.next_message()).text.startswith("✅ Tercatat sudah direkam")
    thanks = await teen.next_message()
    assert thanks.text.startswith("✔️ Terima kasih, Rina Lestari")
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        target = await session.scalar(select(Target))
        summons_now = await session.scalar(select(Summons))
    assert visit is not None and target is not None and summons_now is not None
    assert visit.state == HomeVisitState.DONE and target.recorded_at is not None
    assert summons_now.state == SummonsState.ATTENDED
    officer.send("/kunjungan")
    assert (await officer.next_message()).text == "Tidak ada permintaan kunjungan rumah."


async def test_nobody_at_home_puts_the_request_back_in_the_queue(bot: BotHarness) -> None:
    officer = await staff_member(bot, "Petugas")
    officer.send("/start")
    await officer.next_message()
    teen = await requesting_teen(bot)
    await teen.next_message()
    await officer.next_message()
    officer.send("/kunjungan")
    await officer.next_message()
    officer.press("🗓️", message=await officer.next_message())
    await officer.next_message()
    day = factories.today(bot.settings) + timedelta(days=2)
    officer.send(f"{day:%d-%m-%Y} 13.00-14.00")
    await officer.next_message()
    officer.send("/kunjungan")
    await officer.next_message()
    officer.press("🚪 Tidak di rumah", message=await officer.next_message())
    assert (await officer.next_message()).text == "Tercatat; permintaan kembali ke daftar."
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        summons = await session.scalar(select(Summons))
        home = await session.scalar(
            select(ServiceSession).join(Place).where(Place.kind == PlaceKind.HOME)
        )
        failed = await session.scalar(select(Event).where(Event.kind == "home_visit_failed"))
    assert visit is not None and summons is not None and home is not None and failed is not None
    assert (visit.state, visit.session_id) == (HomeVisitState.REQUESTED, None)
    assert summons.state == SummonsState.HOME_VISIT
    assert (home.state, home.booked) == (SessionState.CANCELLED, 0)
    assert failed.data["reason"] == "not_at_home"
    officer.send("/kunjungan")
    assert (await officer.next_message()).text == "Kunjungan rumah: 1 menunggu jadwal, 0 terjadwal."


async def test_a_parent_asks_for_the_child_and_staff_see_the_parents(bot: BotHarness) -> None:
    officer = await staff_member(bot, "Petugas")
    officer.send("/start")
    await officer.next_message()
    office = await family_office(bot)
    parent = await new_parent(bot, "Ibu Sri")
    await link_with_code(parent, office["rina"])
    summons = await parent.next_message()
    parent.press("🏠", message=summons)
    assert "mengapa perlu kunjungan ke rumah" in (await parent.next_message()).text
    parent.send("Anak saya sakit berat")
    assert (await parent.next_message()).text == (
        "Permintaan kunjungan ke rumah sudah diteruskan ke petugas."
    )
    alert = await officer.next_message()
    assert alert.text.startswith("🏠 Permintaan kunjungan ke rumah: Rina Lestari")
    assert "Alasan: Anak saya sakit berat" in alert.text
    assert "Orang tua/wali: Ibu Sri" in alert.text


async def test_staff_pick_a_round_in_telegram(bot: BotHarness) -> None:
    await waiting_requests(bot, "Ani", "Budi", "Cici")
    officer = await staff_member(bot, "Petugas")
    officer.send("/kunjungan")
    assert (await officer.next_message()).text == "Kunjungan rumah: 3 menunggu jadwal, 0 terjadwal."
    ani, budi, _cici = [await officer.next_message() for _ in range(3)]
    officer.press("🗓️", message=ani)
    assert (await officer.next_message()).text.startswith("Dipilih: Ani.")
    officer.press("🗓️", message=budi)
    assert (await officer.next_message()).text.startswith("Dipilih: Ani, Budi.")
    tomorrow = factories.today(bot.settings) + timedelta(days=1)
    example = f"misalnya: {tomorrow:%d-%m-%Y} 08.00-11.00"
    assert await said(officer, "31-02-2030 08.00-12.00") == (
        f"Format tanggal dan jam tidak dikenali. {example}"
    )
    day = factories.today(bot.settings) + timedelta(days=2)
    assert await said(officer, f"{day:%d-%m-%Y} 12.00-08.00") == (
        f"Jam selesai harus sesudah jam mulai, misalnya 08.00-11.00. {example}"
    )
    # The words /sesi says: a visit on election day is refused naming it, and may be retyped.
    election = bot.settings.election_date
    assert await said(officer, f"{election:%d-%m-%Y} 08.00-12.00") == (
        f"Jadwal harus sebelum hari pemungutan suara ({format_day(election, 'id')}): "
        "perekaman untuk pemilu ini selesai sebelum hari itu."
    )
    # Requested at the desk for teens with neither Telegram nor a parent linked: staff are
    # told that nobody heard, not that "they were told".
    assert await said(officer, f"{day:%d-%m-%Y} 08.00-12.00") == (
        "✅ Kunjungan dijadwalkan untuk 2 remaja.\n"
        "Dikabari lewat Telegram: 0 dari 2 remaja (0 di Telegram sendiri, 0 orang tua/wali).\n"
        "⚠️ 2 remaja tidak punya Telegram maupun orang tua/wali yang terhubung, jadi belum "
        "dikabari: hubungi mereka dengan cara lain."
    )
    officer.send("/kunjungan")
    assert (await officer.next_message()).text == "Kunjungan rumah: 1 menunggu jadwal, 2 terjadwal."
