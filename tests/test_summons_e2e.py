"""The summons and its buttons, as a teen uses them, with the database checked after each press."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select, update

from bot.db.models import Account, Event, ServiceSession, Summons, Target
from bot.db.vault import vault_of
from bot.domain.kinds import ContactOf, ContactSource, SummonsState
from bot.i18n import format_day, format_hours
from bot.presentation.summons import qr_png
from bot.services import contacts
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.factories import attend_code_of
from tests.support.harness import BotHarness, until_phone_question
from tests.support.people import STALE, linked_teen, summons_message


async def state_of(bot: BotHarness, summons_id: int) -> Summons:
    async with bot.db.session() as session:
        summons = await session.get(Summons, summons_id)
        assert summons is not None
        return summons


async def booked(bot: BotHarness, session_id: int) -> int:
    async with bot.db.session() as session:
        service_session = await session.get(ServiceSession, session_id)
        assert service_session is not None
        return service_session.booked


@pytest.fixture
async def office(bot: BotHarness) -> dict[str, object]:
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    place = await factories.add_place(bot.db, "Mal Pelayanan Publik")
    school = await factories.add_place(bot.db, "SMK Negeri 9", with_pin=False)
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    second = await factories.add_session(bot.db, bot.settings, school, days_ahead=7, capacity=2)
    summons = await factories.summon(bot.db, bot.settings, target, first)
    return {"target": target, "first": first, "second": second, "summons": summons}


async def test_confirm_edits_the_summons_and_records_an_event(
    bot: BotHarness, office: dict
) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    query = teen.press("✅")
    assert (await teen.answer(query))["text"] == "Terima kasih! Kami tunggu kedatangan Anda."
    edited = await teen.edited(message)  # the edit follows the answer
    assert "Status: ✅ Anda akan datang" in edited.text
    assert [b.label[0] for b in edited.buttons] == ["❌", "🔁", "🏠", "📅"]
    summons = await state_of(bot, office["summons"].id)
    assert (summons.state, summons.revision) == (SummonsState.CONFIRMED, 1)
    assert await booked(bot, office["first"].id) == 1
    async with bot.db.session() as session:
        kinds = (await session.execute(select(Event.kind))).scalars().all()
    assert "summons_confirm" in kinds


async def test_decline_asks_a_reason_and_frees_the_seat(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    await teen.answer(teen.press("✅"))
    confirmed = await teen.edited(message)
    await teen.answer(teen.press("❌", message=confirmed))
    asking = await teen.edited(confirmed)
    # While the reasons are listed the message says nothing is changed yet (it showed
    # "✅ Anda akan datang" beside them before).
    assert "akan datang" not in asking.text
    assert asking.text.startswith("Mengapa Anda tidak bisa datang?")
    assert [b.label for b in asking.buttons] == [
        "Ada sekolah / ujian",
        "Sedang magang / PKL",
        "Sakit",
        "Sedang di luar kota",
        "Alasan lain",
        "↩️ Kembali",
    ]
    query = teen.press("Sakit", message=asking)
    assert (await teen.answer(query))["text"] == "Tercatat: tidak bisa datang."
    told = await teen.next_message()
    assert "/ganti" in told.text  # the way to another day is offered at once
    declined = await teen.edited(asking)
    summons = await state_of(bot, office["summons"].id)
    assert (summons.state, summons.reason) == (SummonsState.DECLINED, "sick")
    assert await booked(bot, office["first"].id) == 0
    assert "Status: ❌ Anda tidak bisa datang" in declined.text


async def test_back_from_the_reasons_changes_nothing(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    await teen.answer(teen.press("❌"))
    reasons = await teen.edited(message)
    await teen.answer(teen.press("↩️", message=reasons))
    back = await teen.edited(reasons)
    assert back.text == message.text
    assert [b.label[0] for b in back.buttons] == ["✅", "❌", "🔁", "🏠", "📅"]
    assert (await state_of(bot, office["summons"].id)).state == SummonsState.SUMMONED


async def test_another_reason_can_be_withdrawn_and_later_words_decline_nothing(
    bot: BotHarness, office: dict
) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    await teen.answer(teen.press("❌"))
    reasons = await teen.edited(message)
    await teen.answer(teen.press("Alasan lain", message=reasons))
    asked = await teen.edited(reasons)
    await teen.answer(teen.press("↩️", message=asked))
    assert (await teen.edited(asked)).text == message.text
    teen.send("salah pencet, saya tetap datang")
    assert "belum mengerti" in (await teen.next_message()).text
    assert (await state_of(bot, office["summons"].id)).state == SummonsState.SUMMONED


async def test_another_reason_is_asked_for_and_kept_within_a_limit(
    bot: BotHarness, office: dict
) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    await teen.answer(teen.press("❌"))
    reasons = await teen.edited(message)
    await teen.answer(teen.press("Alasan lain", message=reasons))
    assert (await teen.edited(reasons)).text == (
        "Tuliskan alasannya singkat (paling banyak 300 karakter).\n\nKetik /batal untuk keluar."
    )
    teen.send("x" * 2000)
    assert (await teen.next_message()).text == (
        "Terlalu panjang (2000 karakter). Tulis paling banyak 300 karakter."
    )
    assert (await state_of(bot, office["summons"].id)).state == SummonsState.SUMMONED
    teen.send("Ikut lomba paduan suara ke luar provinsi")
    assert "/ganti" in (await teen.next_message()).text
    summons = await state_of(bot, office["summons"].id)
    assert (summons.state, summons.reason) == (SummonsState.DECLINED, "other")
    assert summons.note == "Ikut lomba paduan suara ke luar provinsi"


async def test_move_to_another_session(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    old = summons_message(teen)
    teen.press("🔁")
    options = await teen.next_message()
    assert options.text == "Pilih jadwal baru (tempat yang masih tersedia):"
    assert len(options.buttons) == 1 and "SMK Negeri 9 · sisa 2 tempat" in options.buttons[0].label
    teen.press("SMK", message=options)
    new = await teen.next_message()
    second: ServiceSession = office["second"]
    zone = bot.settings.zone
    assert f"🗓 {format_day(second.starts_at.astimezone(zone).date(), 'id')}" in new.text
    assert f"🕗 {format_hours(second.starts_at, second.ends_at, 'id', zone)}" in new.text
    assert "Status: 🔁 jadwal baru pilihan Anda" in new.text
    assert (await teen.edited(options)).text == "Jadwal Anda sudah diganti. Jadwal baru:"
    # No pin (this place has no coordinates): the next thing the teen sees answers /bantuan.
    teen.send("/bantuan")
    assert (await teen.next_message()).venue is None
    summons = await state_of(bot, office["summons"].id)
    assert (summons.state, summons.session_id) == (SummonsState.MOVED, second.id)
    assert (await booked(bot, office["first"].id), await booked(bot, second.id)) == (0, 1)
    query = teen.press("✅", message=old)  # the old summons' buttons are stale now
    assert (await teen.answer(query))["text"] == STALE


async def test_home_visit_asks_why_and_frees_the_seat(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    teen.press("🏠")
    assert "mengapa perlu kunjungan ke rumah" in (await teen.next_message()).text
    teen.send("Saya memakai kursi roda")
    assert (await teen.next_message()).text == (
        "Permintaan kunjungan ke rumah sudah diteruskan ke petugas."
    )
    summons = await state_of(bot, office["summons"].id)
    assert (summons.state, summons.note) == (SummonsState.HOME_VISIT, "Saya memakai kursi roda")
    assert await booked(bot, office["first"].id) == 0
    teen.send("/jadwal")
    status = (await teen.next_message()).text
    # The session's day and place no longer apply beside "waiting for a visit".
    assert "🏠 Petugas akan menghubungi untuk mengatur kunjungan ke rumah." in status
    assert "🗓" not in status and "📍" not in status


async def test_calendar_file_has_the_place_and_two_alarms(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    teen.press("📅")
    document = await teen.next_message()
    assert document.file is not None and document.file.name == "perekaman-ktp-el.ics"
    event = next(iter(Calendar.from_ical(document.file.content).walk("VEVENT")))
    first: ServiceSession = office["first"]
    assert event.decoded("dtstart") == first.starts_at
    assert str(event["location"]) == "Mal Pelayanan Publik, Jl. Contoh No. 1"
    triggers = sorted(alarm.decoded("trigger") for alarm in event.walk("VALARM"))
    local_start = first.starts_at.astimezone(bot.settings.zone)
    evening = datetime.combine(
        local_start.date() - timedelta(days=1), time(19), tzinfo=bot.settings.zone
    )
    assert triggers == [evening - first.starts_at, timedelta(hours=-1)]


async def test_two_teens_race_for_the_last_place(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == office["second"].id)
            .values(capacity=1)
        )
    other = await factories.add_target(
        bot.db, bot.settings, name="Sekar Permata", serial=2, code="SEKAR234"
    )
    await factories.summon(bot.db, bot.settings, other, office["first"])
    rina = await linked_teen(bot, office["target"], "Rina")
    sekar = await linked_teen(bot, other, "Sekar")
    lists = []
    for teen in (rina, sekar):
        teen.press("🔁")
        lists.append(await teen.next_message())
    presses = [
        teen.press("SMK", message=lst) for teen, lst in zip((rina, sekar), lists, strict=True)
    ]
    answers = [
        (await teen.answer(q))["text"] for teen, q in zip((rina, sekar), presses, strict=True)
    ]
    assert sorted(answers) == [
        "Jadwal Anda sudah diganti.",
        "Maaf, tempat di jadwal itu baru saja penuh. Pilih jadwal lain.",
    ]
    assert await booked(bot, office["second"].id) == 1
    async with bot.db.session() as session:
        moved = (
            (
                await session.execute(
                    select(Summons).where(Summons.session_id == office["second"].id)
                )
            )
            .scalars()
            .all()
        )
    assert len(moved) == 1


async def test_forged_and_foreign_buttons_change_nothing(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    other = await factories.add_target(
        bot.db, bot.settings, name="Sekar Permata", serial=2, code="SEKAR234"
    )
    others_summons = await factories.summon(bot.db, bot.settings, other, office["first"])
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    bot.app.bot_data.throttle = PressThrottle(presses=100)  # flooding has its own test
    # Well formed, but someone else's, outdated or unknown: the summons says how to get it anew.
    for forged in (
        f"sm:{others_summons.id}:0:ok",
        f"sm:{office['summons'].id}:7:ok",
        "sm:999999:0:ok",
        f"sm:{office['summons'].id}:0:to.9999",
    ):
        query = teen.press(data=forged, message=message)
        assert (await teen.answer(query))["text"] == STALE, forged
    # Data no summons button ever held reaches the one stale-button answer.
    for forged in (
        "sm:1:x:ok",
        f"sm:{office['summons'].id}:0:zz",
        f"sm:{office['summons'].id}:0:no.bribe",
    ):
        query = teen.press(data=forged, message=message)
        assert (await teen.answer(query))["text"] == "Tombol ini sudah tidak berlaku.", forged
    for summons_id in (office["summons"].id, others_summons.id):
        summons = await state_of(bot, summons_id)
        assert (summons.state, summons.revision) == (SummonsState.SUMMONED, 0)


async def test_a_summons_whose_session_is_over_cannot_be_changed(
    bot: BotHarness, office: dict
) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    past = datetime.now(UTC) - timedelta(hours=1)
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == office["first"].id)
            .values(starts_at=past - timedelta(hours=3), ends_at=past)
        )
    query = teen.press("✅")
    assert (await teen.answer(query))["text"] == STALE
    assert (await state_of(bot, office["summons"].id)).state == SummonsState.SUMMONED


async def test_a_flood_of_presses_is_throttled(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    message = summons_message(teen)
    queries = [teen.press(data="sm:1:99:ok", message=message) for _ in range(7)]
    answers = [(await teen.answer(q))["text"] for q in queries]
    assert answers[:5] == [STALE] * 5
    assert answers[5:] == ["⏳ Sebentar, tombol Anda sedang diproses."] * 2
    someone_else = await linked_teen(
        bot,
        await factories.add_target(bot.db, bot.settings, name="Sekar", serial=3, code="SEKAR345"),
        "Sekar",
    )
    query = someone_else.press(data="sm:1:99:ok", message=someone_else.messages[0])
    assert (await someone_else.answer(query))["text"] == STALE  # others are not slowed


async def test_a_press_is_answered_in_the_pressers_language(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    """A press reads the presser's language with their account (no separate lookup): the
    answer, the edited summons, a stale button and the flood notice are all in English."""
    bot.app.bot_data.languages.forget_all()  # as in another process, or a minute later
    teen = await linked_teen(bot, office["target"], language="en")
    bot.app.bot_data.languages.forget_all()
    message = summons_message(teen)
    query = teen.press("✅")
    assert (await teen.answer(query))["text"] == "Thank you! We look forward to seeing you."
    assert "Status: ✅ you will come" in (await teen.edited(message)).text
    stale = [teen.press(data="sm:1:0:ok", message=message) for _ in range(6)]
    answers = [(await teen.answer(q))["text"] for q in stale]
    assert answers[0] == "This button is no longer valid. Type /jadwal for your latest session."
    assert answers[-1] == "⏳ One moment, your presses are being processed."


async def test_schedule_in_english_and_javanese(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    first: ServiceSession = office["first"]
    day = first.starts_at.astimezone(bot.settings.zone).date()
    teen = await linked_teen(bot, office["target"], language="en")
    teen.send("/jadwal")
    english, pin = await teen.next_messages(2)
    assert pin.venue is not None
    assert "Rina Lestari, you are called for: e-KTP recording." in english.text
    assert f"🗓 {format_day(day, 'en')}" in english.text
    assert "Status: waiting for your answer" in english.text
    assert english.buttons[0].label == "✅ I will come"
    teen.send("/bahasa")
    languages = await teen.next_message()
    teen.press("Basa Jawa")
    await teen.edited(languages)
    teen.send("/jadwal")
    javanese, _ = await teen.next_messages(2)
    assert f"🗓 {format_day(day, 'jv')}" in javanese.text
    assert javanese.buttons[0].label == "✅ Kula badhe dhateng"


async def test_code_shows_a_qr_of_the_attendance_link_apart_from_the_link_code(
    bot: BotHarness,
    office: dict,  # type: ignore[type-arg]
) -> None:
    """The QR shown at a session desk marks attendance only; the code that links a parent (the
    letter's) is given apart, and is not in the QR."""
    teen = await linked_teen(bot, office["target"])
    teen.send("/kode")
    photo = await teen.next_message()
    attend = attend_code_of("RINA2345")
    assert photo.text.startswith(f"Kode kehadiran Anda: {attend}")
    assert "RINA2345" not in photo.text
    link = f"https://t.me/{bot.emulator.bot_user['username']}?start=hadir_{attend}"
    assert photo.file is not None and photo.file.content == qr_png(link)
    for_parents = await teen.next_message()
    async with bot.db.session() as session:
        sealed = await session.scalar(select(Target.parent_sealed))
        given = vault_of(session).open_code(sealed) if sealed else None
    assert given is not None and given not in ("RINA2345", attend)
    assert for_parents.text.startswith(f"Kode untuk orang tua/wali Anda: {given}")


async def test_ganti_offers_free_sessions(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    teen.send("/ganti")
    options = await teen.next_message()
    assert [b.label.split(" · ")[1] for b in options.buttons] == ["SMK Negeri 9"]


async def test_attended_summons_has_no_buttons(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    async with bot.db.session() as session:
        await session.execute(update(Summons).values(state=SummonsState.ATTENDED))
    teen.send("/jadwal")
    shown = await teen.next_message()
    assert "Status: ✔️ sudah hadir" in shown.text and shown.buttons == ()


async def test_only_the_teens_own_phone_number_is_kept(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings)
    teen = bot.user()
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(target.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    teen.emulator.user_message(
        teen.id, contact={"phone_number": "+628111", "first_name": "X", "user_id": 12345}
    )
    assert (await teen.next_message()).text.startswith("Kirim nomor Anda sendiri")
    teen.share_contact("+6281234567890")
    assert (await teen.next_message()).text == "Terima kasih, nomor Anda sudah disimpan."
    async with bot.db.session() as session:
        numbers = await contacts.of(session, target.id)
    assert [(c.whose, c.number, c.source) for c in numbers] == [
        (ContactOf.TEEN, "+6281234567890", ContactSource.TELEGRAM)
    ]


async def test_a_shared_landline_is_not_kept_and_the_teen_is_told(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings)
    teen = bot.user()
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(target.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    teen.share_contact("+62 21 7654321")
    assert (await teen.next_message()).text.startswith("Nomor ini bukan nomor HP")
    async with bot.db.session() as session:
        assert await contacts.of(session, target.id) == ()


async def test_hapus_unlinks_and_keeps_the_offices_record(bot: BotHarness, office: dict) -> None:  # type: ignore[type-arg]
    teen = await linked_teen(bot, office["target"])
    teen.send("/hapus")
    question = await teen.next_message()
    teen.press("🗑")
    assert (await teen.edited(question)).text.startswith("Data Anda sudah dihapus.")
    async with bot.db.session() as session:
        assert (await session.execute(select(Account))).scalars().all() == []
        target = await session.get(Target, office["target"].id)
        kinds = (await session.execute(select(Event.kind))).scalars().all()
    assert target is not None  # the office's own list is not the teen's to delete
    assert "data_erased" in kinds and "account_linked" in kinds
    teen.send("/jadwal")
    assert (await teen.next_message()).text.startswith("Anda belum terdaftar.")
