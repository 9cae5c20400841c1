"""Becoming a known teen, through the real bot: invitation links and /daftar."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from bot.db.models import Account, Claim, Consent, Event, Target
from bot.domain import nik as nik_rules
from bot.domain.kinds import Role, TargetReview, TargetSource
from bot.domain.retention import NOTICE_VERSION
from bot.emulator import UserClient
from tests.support import factories
from tests.support.harness import BotHarness, make_settings, running_bot, until_phone_question
from tests.support.people import (
    NEUTRAL_INVITE,
    REVIEW,
    begin_daftar,
    dmy,
    erase,
    register,
    staff_member,
)


async def events_of(bot: BotHarness, kind: str) -> list[Event]:
    async with bot.db.session() as session:
        return list((await session.execute(select(Event).where(Event.kind == kind))).scalars())


async def account_of(bot: BotHarness, person: UserClient) -> Account | None:
    async with bot.db.session() as session:
        result = await session.execute(select(Account).where(Account.telegram_id == person.id))
        return result.scalar_one_or_none()


# --- invitation --------------------------------------------------------------------------


async def test_invitation_links_after_the_birth_date_and_greets_by_name(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    place = await factories.add_place(bot.db)
    session = await factories.add_session(bot.db, bot.settings, place)
    await factories.summon(bot.db, bot.settings, target, session)
    teen = bot.user("Rina")

    teen.send("/start RINA2345")
    assert "tulis tanggal lahir Anda" in (await teen.next_message()).text
    teen.send("kemarin")  # unreadable: explained, not counted as a wrong try
    assert (await teen.next_message()).text.startswith("Tanggal itu tidak terbaca")
    teen.send(format_date(target.birth_date, "d MMMM y", locale="id"))
    replies = await until_phone_question(teen)

    assert replies[0].text.startswith("Halo, Rina Lestari!")
    summons = replies[1]
    assert "Rina Lestari, Anda dipanggil untuk: perekaman KTP-el." in summons.text
    assert "WIB" in summons.text and "Mal Pelayanan Publik, Jl. Contoh No. 1" in summons.text
    assert [b.label[0] for b in summons.buttons] == ["✅", "❌", "🔁", "🏠", "📅"]
    assert replies[2].venue is not None and replies[2].venue["title"] == "Mal Pelayanan Publik"
    assert replies[3].text.startswith("Agar petugas bisa menghubungi Anda")
    assert teen.keyboard == ("📱 Bagikan nomor telepon", "Lewati")
    account = await account_of(bot, teen)
    assert account is not None and (account.target_id, account.role) == (target.id, Role.TEEN)


async def test_three_wrong_dates_lock_the_code_for_an_hour(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    intruder = bot.user("Intruder")
    intruder.send("/start RINA2345")
    await intruder.next_message()
    for wrong in ("01-01-2008", "02-01-2008"):
        intruder.send(wrong)
        assert (await intruder.next_message()).text.startswith(NEUTRAL_INVITE)
    intruder.send("03-01-2008")
    assert "percobaan ditunda sampai" in (await intruder.next_message()).text
    assert [e.target_id for e in await events_of(bot, "refused:invitation")][-1] == target.id

    # Locked for everyone: even the rightful owner is told so plainly, and nothing links.
    owner = bot.user("Rina")
    owner.send("/start RINA2345")
    assert "percobaan ditunda sampai" in (await owner.next_message()).text
    owner.send(dmy(target.birth_date))
    await owner.next_message()
    assert (await account_of(bot, owner)).target_id is None  # type: ignore[union-attr]


async def test_an_unknown_code_answers_exactly_like_a_wrong_date(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    wrong_date, wrong_code = bot.user("A"), bot.user("B")
    wrong_date.send("/start RINA2345")
    wrong_code.send("/start ZZZZ9999")
    first = (await wrong_date.next_message()).text, (await wrong_code.next_message()).text
    wrong_date.send("01-01-2008")
    wrong_code.send(dmy(target.birth_date))
    second = (await wrong_date.next_message()).text, (await wrong_code.next_message()).text
    assert first[0] == first[1] and second[0] == second[1]


async def test_an_invitation_already_claimed_by_someone_else_is_refused_neutrally(
    bot: BotHarness,
) -> None:
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    rina, copycat = bot.user("Rina"), bot.user("Copycat")
    for person in (rina, copycat):
        person.send("/start RINA2345")
        await person.next_message()
        person.send(dmy(target.birth_date))
        if person is rina:
            await until_phone_question(rina)  # linked: she holds the record now
    assert (await copycat.next_message()).text.startswith(NEUTRAL_INVITE)
    assert [e.target_id for e in await events_of(bot, "claim_conflict")] == [target.id]


# --- /daftar -------------------------------------------------------------------------------


async def test_daftar_with_a_listed_nik_never_links_and_staff_cannot_approve_it(
    bot: BotHarness,
) -> None:
    """A NIK and a name are no proof (issue 22, item 4): /daftar on a listed NIK leaves a claim
    staff can only close; no approval is offered, a forged ✅ links nothing, and the person is
    pointed to their letter or the desk."""
    target = await factories.add_target(bot.db, bot.settings, name="Dimas Saputra", female=False)
    place = await factories.add_place(bot.db, with_pin=False)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    await factories.summon(bot.db, bot.settings, target, session_)
    teen = bot.user("Dimas")
    said = await register(teen, nik=target.nik, born=target.birth_date, name="dimas  SAPUTRA")
    assert said[-1].startswith(REVIEW) and "ketik kode di surat itu" in said[-1]
    assert (await account_of(bot, teen)).target_id is None  # type: ignore[union-attr]
    async with bot.db.session() as session:
        consent = (await session.execute(select(Consent))).scalar_one()
        claim = (await session.execute(select(Claim))).scalar_one()
    assert consent.notice_version == NOTICE_VERSION
    assert (claim.state, claim.target_id, claim.name) == ("pending", target.id, "dimas SAPUTRA")
    teen.send("/jadwal")
    assert (await teen.next_message()).text.startswith("Data Anda sedang diperiksa petugas")

    officer = await staff_member(bot)
    officer.send("/tinjau")
    shown = await officer.next_message()
    assert "Ditulis: dimas SAPUTRA" in shown.text and "3599********" in shown.text
    assert "Di daftar sasaran: Dimas Saputra — ditulis: dimas SAPUTRA" in shown.text
    assert "persetujuan tidak tersedia" in shown.text
    assert [b.label for b in shown.buttons] == ["↩️ Tutup: arahkan ke surat/meja"]
    # A forged approval, as an old button or a hand-made callback would send it.
    await officer.answer(officer.press(data=f"rv:ok:{claim.id}", message=shown))
    assert (await officer.next_message()).text.startswith("Tidak bisa disetujui: data ini ada")
    assert (await account_of(bot, teen)).target_id is None  # type: ignore[union-attr]

    await officer.answer(officer.press("↩️ Tutup", message=shown))
    assert (await officer.next_message()).text.startswith(
        "❌ Ditolak. Pendaftar dikabari cara masuk"
    )
    told = await teen.next_message()
    assert "Bila Anda punya surat undangan" in told.text and "Kartu Keluarga" in told.text
    assert (await account_of(bot, teen)).target_id is None  # type: ignore[union-attr]


async def test_daftar_not_on_the_list_is_kept_for_staff_review(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=77)
    teen = bot.user("Sekar")
    said = await register(teen, nik=nik, born=born, name="Sekar Ayu Permata")
    assert said[-1].startswith(REVIEW)
    async with bot.db.session() as session:
        target = (await session.execute(select(Target))).scalar_one()
    assert (target.source, target.review, target.name) == (
        TargetSource.SELF_REGISTERED,
        TargetReview.PENDING,
        "Sekar Ayu Permata",
    )
    teen.send("/jadwal")
    assert (await teen.next_message()).text.startswith("Data Anda sedang diperiksa petugas")


async def test_daftar_too_young_is_told_when_to_come_and_nothing_is_kept(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 15, days=40)
    nik = nik_rules.build(factories.REGION, born, female=False, serial=5)
    teen = bot.user("Bayu")
    said = await register(teen, nik=nik, born=born, name="Bayu")
    sixteenth = format_date(born.replace(year=born.year + 16), "EEEE, d MMMM y", locale="id")
    assert said == [
        f"Terima kasih! Perekaman KTP-el bisa dilakukan mulai usia 16 tahun. "
        f"Anda bisa datang mulai {sixteenth}. Sampai jumpa!"
    ]
    async with bot.db.session() as session:
        assert (await session.execute(select(func.count(Target.id)))).scalar_one() == 0
    account = await account_of(bot, teen)
    assert account is not None and account.conversation is None


async def test_daftar_past_first_time_voter_age_is_told_why_and_nothing_is_kept(
    bot: BotHarness,
) -> None:
    born = date(1990, 5, 17)  # voted already in 2009, 2014, 2019, 2024
    nik = nik_rules.build(factories.REGION, born, female=True, serial=6)
    grown = bot.user("Wati")
    said = await register(grown, nik=nik, born=born, name="Wati")
    election = bot.settings.election_date
    age = election.year - 1990 - ((election.month, election.day) < (5, 17))
    day = format_date(election, "EEEE, d MMMM y", locale="id")
    assert said == [
        f"Terima kasih! Pendaftaran di sini untuk pemilih pemula. Pada hari pemilihan, {day}, "
        f"Anda sudah berusia {age} tahun. Bila Anda belum merekam KTP-el, silakan datang "
        "langsung ke kantor Dukcapil."
    ]
    async with bot.db.session() as session:
        assert (await session.execute(select(func.count(Target.id)))).scalar_one() == 0
    account = await account_of(bot, grown)
    assert account is not None and account.conversation is None


async def test_daftar_answers_alike_for_recorded_claimed_mismatched_and_unlisted(
    bot: BotHarness,
) -> None:
    """Whatever the NIK is (recorded, someone else's, the name wrong, not on the list), the
    answer is word for word the same, and nothing is linked."""
    recorded = await factories.add_target(
        bot.db, bot.settings, name="Putri Kusuma", recorded=True, serial=3, code="PUTR2345"
    )
    taken = await factories.add_target(
        bot.db, bot.settings, name="Dimas Saputra", female=False, serial=4, code="DIMA2345"
    )
    owner = bot.user("Dimas")
    owner.send(f"/start {taken.invite_code}")
    await owner.next_message()
    owner.send(dmy(taken.birth_date))
    await until_phone_question(owner)
    born = factories.born_aged(bot.settings, 16)
    unlisted = nik_rules.build(factories.REGION, born, female=True, serial=99)
    answers = await asyncio.gather(  # all at once: each chat is paced on its own
        register(bot.user("A"), nik=recorded.nik, born=recorded.birth_date, name="Putri"),
        register(bot.user("B"), nik=taken.nik, born=taken.birth_date, name="Dimas"),
        register(bot.user("C"), nik=taken.nik, born=taken.birth_date, name="Joko Widodo"),
        register(bot.user("D"), nik=unlisted, born=born, name="Sekar"),
    )
    assert {tuple(a) for a in answers} == {(answers[0][-1],)} and answers[0][-1].startswith(REVIEW)
    async with bot.db.session() as session:
        linked = await session.scalar(
            select(func.count()).select_from(Account).where(Account.target_id.is_not(None))
        )
        claims = await session.scalar(select(func.count()).select_from(Claim))
    assert (linked, claims) == (1, 4)  # only the owner, by the paper invitation


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("3599 01 1203 08", "NIK harus 16 angka; yang Anda tulis 12 angka."),
        ("35990112030800O1", "NIK hanya berisi angka."),
        ("3599013102080001", "NIK itu tidak berisi tanggal lahir yang benar."),
        ("3572011203080001", "NIK itu terdaftar di luar wilayah kantor ini."),
    ],
)
async def test_malformed_or_foreign_niks_are_explained_and_asked_again(
    bot: BotHarness, typed: str, answer: str
) -> None:
    teen = bot.user()
    await begin_daftar(teen)
    teen.send(typed)
    assert (await teen.next_message()).text.startswith(answer)
    account = await account_of(bot, teen)
    assert account is not None and account.conversation == {"step": "nik"}


async def test_nik_and_date_mismatch_three_times_pauses_registration(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=9)
    teen = bot.user()
    await begin_daftar(teen)
    for attempt in range(3):
        teen.send(nik)
        await teen.next_message()
        teen.send("01-01-1999")
        reply = (await teen.next_message()).text
        expected = "Untuk keamanan" if attempt == 2 else "NIK dan tanggal lahir tidak cocok"
        assert reply.startswith(expected)
    teen.send("/daftar")
    assert (await teen.next_message()).text.startswith("Untuk keamanan, percobaan ditunda sampai")


async def test_wrong_birth_dates_are_explained(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 16)
    teen = bot.user()
    await begin_daftar(teen)
    teen.send(nik_rules.build(factories.REGION, born, female=False, serial=3))
    await teen.next_message()
    for typed, answer in [
        ("31-02-2009", "Tanggal itu tidak ada di kalender"),
        ("01-01-2999", "Tanggal lahir tidak bisa di masa depan"),
        ("besok lusa", "Tanggal itu tidak terbaca"),
    ]:
        teen.send(typed)
        assert (await teen.next_message()).text.startswith(answer)


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [("Siti Nur’aini Ñuñez", True), ("A" * 101, False), ("1234", False), ("x", False)],
)
async def test_unicode_and_overlong_names(bot: BotHarness, typed: str, accepted: bool) -> None:
    born = factories.born_aged(bot.settings, 16)
    teen = bot.user()
    await begin_daftar(teen)
    teen.send(nik_rules.build(factories.REGION, born, female=True, serial=4))
    await teen.next_message()
    teen.send(dmy(born))
    await teen.next_message()
    teen.send(typed)
    reply = (await teen.next_message()).text
    assert reply.startswith("Kapan Anda paling mudah datang?") is accepted


async def test_declining_consent_keeps_nothing(bot: BotHarness) -> None:
    teen = bot.user()
    teen.send("/daftar")
    asked = await teen.next_message()
    teen.press("❌", message=asked)
    assert (await teen.edited(asked)).text.startswith("Baik, tidak ada data yang disimpan.")
    async with bot.db.session() as session:
        assert (await session.execute(select(func.count(Consent.id)))).scalar_one() == 0


async def test_registration_survives_a_restart(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url)
    born = factories.born_aged(settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=21)
    async with running_bot(settings) as first:
        teen = first.user("Wulan")
        await begin_daftar(teen)
        teen.send(nik)
        assert "tanggal lahir" in (await teen.next_message()).text
        user = teen.user
    async with running_bot(settings) as second:  # a new process, same database
        second.emulator.chats[user["id"]] = first.emulator.chats[user["id"]]
        teen = UserClient(second.emulator, user)
        teen._cursor = second.emulator.chats[user["id"]].seq
        teen.send(dmy(born))
        assert (await teen.next_message()).text.startswith(
            "Tulis nama lengkap Anda sesuai Kartu Keluarga."
        )


async def test_hapus_deletes_a_self_registered_teen_entirely(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=88)
    teen = bot.user("Sekar")
    await register(teen, nik=nik, born=born, name="Sekar Ayu")
    await erase(teen)  # until its question says it is done
    async with bot.db.session() as session:
        assert (await session.execute(select(func.count(Target.id)))).scalar_one() == 0
        assert (await session.execute(select(func.count(Account.id)))).scalar_one() == 0
        consent = (await session.execute(select(Consent))).scalar_one()
        erased = (await session.execute(select(Event).where(Event.kind == "data_erased"))).scalars()
        assert all(nik not in str(event.data) for event in erased)
    # Withdrawal is recorded, not deleted: the proof of what was agreed stays, unlinked.
    assert consent.withdrawn_at is not None and consent.account_id is None
