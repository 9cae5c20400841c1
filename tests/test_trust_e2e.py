"""Trust, finding by finding (issue 11): each test plays what an outsider found, through the
real bot, and checks what the person sees and what the database holds."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.cli import main
from bot.db.models import Account, Consent, OutboxMessage, ParentLink, Summons, Target
from bot.domain import nik as nik_rules
from bot.domain.kinds import Audience, Channel, LinkState, OutboxState, TargetSource
from bot.emulator import UserClient
from bot.services import broadcasts, conversations, notices
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import family_office, import_people
from tests.support.people import (
    REVIEW,
    UNKNOWN,
    erase,
    link_with_code,
    linked_teen,
    new_parent,
    register,
    said,
    staff_member,
)


async def test_a_pre_claim_is_taken_over_by_the_office_list_and_never_blocks_the_teen(
    bot: BotHarness,
) -> None:
    """Finding 1 (pre-claim): a stranger registers a teen's NIK before the office imports its
    list. The list wins; the teen's letter still links her; the stranger's /hapus deletes
    nothing of the office's."""
    born = factories.born_aged(bot.settings, 17)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=31)
    stranger = bot.user("Stranger")
    assert (await register(stranger, nik=nik, born=born, name="Sari Dewi"))[-1].startswith(REVIEW)

    result = await import_people(bot, (nik, "Sari Dewi Lestari", born.strftime("%d-%m-%Y")))
    assert result.updated == 1 and result.added == 0
    async with bot.db.session() as session:
        target = factories.in_clear(session, (await session.execute(select(Target))).scalar_one())
    assert (target.source, target.review) == (TargetSource.IMPORTED, "accepted")
    assert target.name == "Sari Dewi Lestari"

    teen = await linked_teen(bot, target, "Sari")
    assert teen.messages[0].text.startswith("Halo! Anda membuka undangan")
    await erase(stranger)
    async with bot.db.session() as session:
        kept = await session.get(Target, target.id)
        holder = await session.scalar(
            select(Account.telegram_id).where(Account.target_id == target.id)
        )
    assert kept is not None and holder == teen.id


async def test_hapus_then_a_broadcast_to_everyone_pending_reaches_nothing_of_the_erased(
    bot: BotHarness,
) -> None:
    """Finding 4: after /hapus nothing queued reaches the erased chat, its guardians' links
    and the home-visit reason are gone, and a broadcast to everyone pending skips it."""
    office = await family_office(bot)
    teen: UserClient = office["teen"]
    budi = await linked_teen(bot, office["budi"], "Budi")  # pending, on Telegram
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])
    await parent.next_message()
    await teen.next_message()  # told a guardian linked
    async with bot.db.session() as session:
        await session.execute(
            update(Summons).where(Summons.target_id == office["rina"].id).values(note="asma berat")
        )
    await erase(teen)
    async with bot.db.session() as session:
        queued = await session.scalar(
            select(func.count()).where(
                OutboxMessage.chat_id == teen.id, OutboxMessage.state == OutboxState.PENDING
            )
        )
        # The parent is owed one word: the link is gone (nothing about the teen's summons).
        to_parent = list(
            await session.scalars(
                select(OutboxMessage.message_key).where(
                    OutboxMessage.chat_id == parent.id,
                    OutboxMessage.state == OutboxState.PENDING,
                )
            )
        )
        links = await session.scalar(select(func.count()).select_from(ParentLink))
        note = await session.scalar(
            select(Summons.note).where(Summons.target_id == office["rina"].id)
        )
        sent = await broadcasts.send(
            session,
            audience=Audience.ALL_PENDING,
            value=None,
            text="Jadwal tambahan Sabtu ini.",
            office="Dukcapil",
            by=0,
            channel=Channel.CLI,
            now=datetime.now(UTC),
        )
    assert (queued, links, note) == (0, 0, None)
    assert to_parent in ([], ["guardian_unlinked"])  # [] once the dispatcher sent it
    assert sent.recipients == 1  # Budi; nobody of the erased
    before = len(teen.messages)
    while not (await budi.next_message()).text.startswith("📢"):
        pass  # Budi's summons and pin may come first
    assert len(teen.messages) == before
    assert not [m for m in teen.messages if m.text.startswith("📢")]


async def test_the_teen_undoes_a_guardian_who_is_not_theirs_and_staff_are_told(
    bot: BotHarness,
) -> None:
    """Finding 3: a guardian's link is told to the teen at once, with an undo."""
    office = await family_office(bot)
    officer = await staff_member(bot, admin=True)
    officer.send("/start")
    await officer.next_message()
    stranger = await new_parent(bot, "Orang Asing")
    await link_with_code(stranger, office["rina"])
    teen: UserClient = office["teen"]
    notice = await teen.next_message()
    assert notice.text.startswith("👪 Akun Telegram bernama «Orang Asing» terhubung")
    await teen.answer(teen.press("🚫", message=notice))
    async with bot.db.session() as session:
        link = await session.scalar(select(ParentLink))
    assert link is not None and link.state == LinkState.REMOVED
    alert = await officer.next_message()
    assert alert.text.startswith(
        "⚠️ Rina Lestari menyatakan bahwa akun Telegram bernama «Orang Asing» bukan"
    )
    # Someone else pressing the same button changes nothing.
    other = bot.user("Other")
    other.send("/start")
    greeting = await other.next_message()
    query = other.press(data=notice.buttons[0].data or "", message=greeting)
    assert (await other.answer(query))["text"] == "Tombol ini sudah tidak berlaku."


async def _nik_request(parent: UserClient, nik: str, born: str) -> list[str]:
    parent.send("/ortu")
    await parent.next_message()
    parent.press("Anak tanpa Telegram: pakai NIK")
    said_ = [(await parent.next_message()).text]
    if not said_[-1].startswith("Untuk keamanan"):
        said_.append(await said(parent, nik))
        said_.append(await said(parent, born))
    return [text.split(" sampai ")[0] for text in said_]  # a lock's time differs by the second


async def _nik_requests(bot: BotHarness, nik: str, born: str, who: str) -> list[list[str]]:
    """Four requests for one NIK, each by a fresh account (each chat is paced on its own)."""
    return [await _nik_request(bot.user(f"{who}{n}"), nik, born) for n in range(4)]


async def test_the_parent_nik_path_answers_a_listed_and_an_absent_nik_alike(
    bot: BotHarness,
) -> None:
    """Finding 6: three requests for a listed NIK and three for an absent one read the same,
    the third included (it reaches the lock, and is answered as the others); the lock shows
    on the fourth either way. One parent's own count is tests/test_lockout.py's."""
    listed = await factories.add_target(bot.db, bot.settings, name="Budi", female=False)
    born = factories.born_aged(bot.settings, 17)
    absent = nik_rules.build(factories.REGION, born, female=True, serial=55)
    listed_nik = listed.nik  # type: ignore[attr-defined]
    transcripts = await asyncio.gather(  # both at once: each chat is paced on its own
        _nik_requests(bot, listed_nik, listed.birth_date.strftime("%d-%m-%Y"), "L"),
        _nik_requests(bot, absent, born.strftime("%d-%m-%Y"), "A"),
    )
    assert transcripts[0] == transcripts[1]
    assert "⚠️ Tinggal 1 kali percobaan" in transcripts[0][1][-1]  # the second warns
    assert transcripts[0][2][-1].startswith("Terima kasih. Bila data itu cocok")
    assert transcripts[0][3][-1] == "Untuk keamanan, percobaan ditunda"
    async with bot.db.session() as session:  # only the listed NIK's request waits for staff
        waiting = await session.scalar(
            select(func.count()).where(ParentLink.state == LinkState.PENDING)
        )
    assert waiting == 3


async def test_a_teen_who_unblocks_the_bot_is_reachable_again(bot: BotHarness) -> None:
    """Finding 8: unreachable_at was never cleared; writing to the bot clears it."""
    target = await factories.add_target(bot.db, bot.settings)
    teen = await linked_teen(bot, target)
    async with bot.db.session() as session:
        await session.execute(
            update(Account)
            .where(Account.telegram_id == teen.id)
            .values(unreachable_at=datetime.now(UTC))
        )
    bot.app.bot_data.languages.forget_all()  # as a minute later, or in another process
    teen.send("/bantuan")
    await teen.next_message()
    async with bot.db.session() as session:
        account = await session.scalar(select(Account).where(Account.telegram_id == teen.id))
    assert account is not None and account.unreachable_at is None


async def test_an_unlinked_guardian_cannot_finish_a_home_visit_request(bot: BotHarness) -> None:
    """Finding 8: a parent presses 🏠, is unlinked by the teen, then types the reason."""
    office = await family_office(bot)
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])
    copy = await parent.next_message()
    teen: UserClient = office["teen"]
    notice = await teen.next_message()
    await parent.answer(parent.press("🏠", message=copy))
    await parent.next_message()  # "Tuliskan singkat mengapa ..."
    await teen.answer(teen.press("🚫", message=notice))
    reply = await said(parent, "kaki patah")
    assert reply.startswith("Jadwal Anda sudah berubah")
    async with bot.db.session() as session:
        summons = await session.scalar(
            select(Summons).where(Summons.target_id == office["rina"].id)
        )
    assert summons is not None and summons.state == "summoned" and summons.note is None


async def test_linking_and_its_reminders_are_one_unit_of_work(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 8 (half-done): a failure while queueing the reminders leaves the teen unlinked,
    and trying again links her with her reminders."""
    target = await factories.add_target(bot.db, bot.settings)
    place = await factories.add_place(bot.db, with_pin=False)
    session_ = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    await factories.summon(bot.db, bot.settings, target, session_)
    real = notices.linked_late
    calls = []

    async def failing_once(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("the database went away")
        await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(notices, "linked_late", failing_once)
    teen = bot.user()
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    assert (await said(teen, target.birth_date.strftime("%d-%m-%Y"))).startswith("Maaf, terjadi")
    async with bot.db.session() as session:
        account = await session.scalar(select(Account).where(Account.telegram_id == teen.id))
    assert account is not None and account.target_id is None
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    assert (await said(teen, target.birth_date.strftime("%d-%m-%Y"))).startswith("Halo, Rina")
    async with bot.db.session() as session:
        reminders = await session.scalar(
            select(func.count()).where(
                OutboxMessage.chat_id == teen.id, OutboxMessage.message_key == "reminder"
            )
        )
    assert reminders and reminders >= 1


async def test_rough_edges_an_edit_a_sticker_and_a_forged_ten_digit_button(
    bot: BotHarness,
) -> None:
    """Finding 11: an edited message is not a new answer; a sticker gets a hint; a forged
    button (a ten-digit id, an answer that does not exist, another feature's garbled data) is
    answered by the one stale-button route, not an error."""
    target = await factories.add_target(bot.db, bot.settings)
    teen = bot.user()
    sent = teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.edit(sent, "/daftar")
    assert (await teen.next_message()).text.startswith("Pesan yang diubah tidak saya baca lagi")
    teen.send_sticker()
    assert (await teen.next_message()).text.startswith("Maaf, saya hanya bisa membaca teks")
    # Forged, foreign or garbled data, whatever feature it imitates, gets the one stale answer.
    bot.app.bot_data.throttle = PressThrottle(presses=50)  # six presses in a moment
    for forged in ("sm:9999999999:0:ok", "sm:1:0:zz", "pa:rm:abc", "lang:xx", "st:root", "?"):
        query = teen.press(data=forged, message=teen.messages[-1])
        assert (await teen.answer(query))["text"] == "Tombol ini sudah tidak berlaku.", forged
    async with bot.db.session() as session:
        convo = await conversations.current(session, teen.id)
    assert convo is not None and convo.step == "invite_date"
    assert dict(convo.data) == {"code": "RINA2345"}  # kept sealed (bot/services/conversations.py)


def test_rekam_purge_waits_for_the_retention_date_then_keeps_only_the_figures(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Finding 5: personal data goes RETENTION_DAYS after election day; figures stay."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    path = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///")).parent / "sasaran.csv"
    today = datetime.now(UTC).date()
    rows = [
        f"{nik_rules.build('359901', today - timedelta(days=6300 + n), female=True, serial=n)},"
        f"Remaja {n},{(today - timedelta(days=6300 + n)).strftime('%d-%m-%Y')},Melati,Kota,"
        + ("sudah rekam" if n == 1 else "")
        for n in (1, 2)
    ]
    path.write_text("nik,nama,tanggal_lahir,kelurahan,kecamatan,status\n" + "\n".join(rows) + "\n")
    assert main(["import", "targets", str(path)]) == 0
    monkeypatch.setenv("ELECTION_DATE", (today + timedelta(days=30)).isoformat())
    assert main(["purge"]) == 0
    assert "Belum waktunya" in capsys.readouterr().out
    monkeypatch.setenv("ELECTION_DATE", (today - timedelta(days=100)).isoformat())
    monkeypatch.setenv("RETENTION_DAYS", "90")
    assert main(["purge", "--by", "Kepala Bidang"]) == 0
    out = capsys.readouterr().out
    assert "2  data sasaran dikosongkan" in out
    assert main(["purge"]) == 0  # safe to run again: nothing left to remove
    assert "0  data sasaran dikosongkan" in capsys.readouterr().out
    assert main(["report", "--format", "csv", "-o", str(path.with_suffix(".report.csv"))]) == 0
    with path.with_suffix(".report.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    assert (table[-1]["sasaran"], table[-1]["terekam"]) == ("2", "1")  # the figures stay
    raw = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///")).read_bytes()
    assert b"Remaja 1" not in raw and b"Remaja 2" not in raw


def test_commands_that_touch_a_nik_refuse_to_start_without_data_key(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-token-0000000000000000000000000")
    monkeypatch.delenv("DATA_KEY")
    for command in (["run"], ["import", "targets", "x.csv"], ["invites", "x.csv"]):
        assert main(command) == 1
        error = capsys.readouterr().err.strip()
        assert error.startswith("Pengaturan salah: DATA_KEY:") and "\n" not in error
    assert main(["keygen"]) == 0
    assert len(capsys.readouterr().out.strip()) == 44


async def test_a_stolen_database_file_shows_no_nik(bot: BotHarness, sqlite_url: str) -> None:
    """At rest a NIK is a keyed hash and a sealed copy: the file holds neither the NIK nor a
    NIK typed into a /daftar left half-way."""
    target = await factories.add_target(bot.db, bot.settings)
    born = factories.born_aged(bot.settings, 16)
    typed = nik_rules.build(factories.REGION, born, female=True, serial=66)
    await register(bot.user("Sekar"), nik=typed, born=born, name="Sekar")
    half = bot.user("Half")
    half.send("/daftar")
    await half.next_message()
    half.press("✅ Saya setuju")
    await half.next_message()
    assert (await said(half, target.nik)).startswith("Tulis tanggal lahir")
    async with bot.db.session() as session:
        consent_rows = await session.scalar(select(func.count()).select_from(Consent))
    assert consent_rows == 2
    await bot.db.engine.dispose()  # write everything out of the WAL
    database = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    stolen = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    for nik in (target.nik, typed):
        assert nik.encode() not in stolen


async def test_staff_lift_a_lock_for_the_owner_at_the_desk(bot: BotHarness) -> None:
    """Finding 7: anyone could lock a teen out; the teen is told, and staff can lift it."""
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    for n in range(3):
        stranger = bot.user(f"S{n}")
        await said(stranger, f"/start {target.invite_code}")
        await said(stranger, "01-01-2001")
    rina = bot.user("Rina")
    assert (await said(rina, "/start RINA2345")).startswith("Untuk keamanan, percobaan ditunda")
    assert await said(bot.user("Someone"), "/buka_kunci RINA2345") == UNKNOWN
    officer = await staff_member(bot)
    assert (await said(officer, "/buka_kunci RINA2345")).startswith(
        "✅ Kode atau NIK itu tidak terkunci lagi"
    )
    assert (await said(rina, "/start RINA2345")).startswith("Halo! Anda membuka undangan")
    assert (await said(rina, target.birth_date.strftime("%d-%m-%Y"))).startswith("Halo, Rina")
