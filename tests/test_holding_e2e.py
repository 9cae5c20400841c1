"""Trust, second round (issue 22, items 1, 2, 4 and the leaking birth date): who holds a listed
record, played through the real bot as the attacker and then the real teen would."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import Account, Claim, Event, OutboxMessage, ParentLink, Summons, Target
from bot.domain import nik as nik_rules
from bot.domain.kinds import ClaimState, LinkMethod, LinkState, SummonsState
from bot.domain.outbox_kinds import Kind
from bot.emulator import UserClient
from bot.services import guardians, notices
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness, until_phone_question
from tests.support.offices import import_people
from tests.support.people import NEUTRAL_INVITE, REVIEW, dmy, new_parent, register, staff_member
from tests.support.web import csrf_of, dashboard_bot, signed_in

LAST_TRY = "⚠️ Tinggal 1 kali percobaan."


async def admin_listening(bot: BotHarness) -> UserClient:
    """An admin who has started the bot, so alerts reach their chat."""
    officer = await staff_member(bot, "Admin", admin=True)
    officer.send("/start")
    await officer.next_message()
    return officer


async def holder_of(bot: BotHarness, target_id: int) -> int | None:
    async with bot.db.session() as session:
        return await session.scalar(
            select(Account.telegram_id).where(Account.target_id == target_id)
        )


async def open_letter(person: UserClient, code: str, born: str) -> list[str]:
    """/start CODE, then a birth date; what the bot says to the date."""
    person.send(f"/start {code}")
    await person.next_message()
    person.send(born)
    return [(await person.next_message()).text]


async def test_a_claim_approved_before_the_list_goes_back_to_review_when_the_list_arrives(
    bot: BotHarness,
) -> None:
    """Item 1: a stranger registers a NIK the office has not listed yet, and staff approve it
    (nothing to compare against). The list then arrives with that NIK as the real teen: the
    stranger's account lets go of the record at once, staff see both names, and the real teen's
    letter links her."""
    officer = await admin_listening(bot)
    born = factories.born_aged(bot.settings, 17)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=41)
    stranger = bot.user("Stranger")
    assert (await register(stranger, nik=nik, born=born, name="Orang Asing"))[-1].startswith(REVIEW)
    officer.send("/tinjau")
    shown = await officer.next_message()
    await officer.answer(officer.press("✅ Setujui", message=shown))
    assert (await officer.next_message()).text.startswith("✅ Disetujui.")
    await stranger.next_message()  # told they were accepted
    async with bot.db.session() as session:
        target = (await session.execute(select(Target))).scalar_one()
    assert await holder_of(bot, target.id) == stranger.id

    result = await import_people(bot, (nik, "Sari Dewi Lestari", dmy(born)))
    assert result.updated == 1
    assert await holder_of(bot, target.id) is None
    told = await stranger.next_message()
    assert told.text.startswith("Data yang Anda daftarkan lewat /daftar kini ada di daftar resmi")
    alert = await officer.next_message()
    assert "Sari Dewi Lestari" in alert.text and "«Orang Asing»" in alert.text
    stranger.send("/jadwal")
    assert "Sari" not in (await stranger.next_message()).text

    officer.send("/tinjau")
    again = await officer.next_message()
    assert "Di daftar sasaran: Sari Dewi Lestari — ditulis: Orang Asing (nama BEDA)" in again.text
    assert "Dulu disetujui" in again.text
    assert [b.label for b in again.buttons] == ["↩️ Tutup: arahkan ke surat/meja"]

    async with bot.db.session() as session:
        listed = await session.get(Target, target.id)
        assert listed is not None
        factories.in_clear(session, listed)  # its letter's code, to type
    teen = bot.user("Sari")
    teen.send(f"/start {listed.invite_code}")
    await teen.next_message()
    teen.send(dmy(born))
    greeting = (await until_phone_question(teen))[0]
    assert greeting.text.startswith("Halo, Sari Dewi Lestari!")
    assert await holder_of(bot, target.id) == teen.id


async def test_the_letter_takes_back_a_record_held_through_an_approved_claim(
    bot: BotHarness,
) -> None:
    """Item 1, the letter's side: a record held through a claim staff approved (before this
    rule, or self-registered and lettered) goes to whoever opens its letter with the right date;
    the claim's account lets go, is told how to come back, and staff are alerted."""
    officer = await admin_listening(bot)
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
    impostor = bot.user("Impostor")
    impostor.send("/start")
    await impostor.next_message()
    async with bot.db.session() as session:
        account = await session.scalar(select(Account).where(Account.telegram_id == impostor.id))
        assert account is not None
        account.target_id = target.id
        session.add(
            Claim(
                account_id=account.id,
                target_id=target.id,
                name="Rina L",
                birth_date=target.birth_date,
                state=ClaimState.APPROVED,
                decided_at=datetime.now(UTC),
            )
        )
    teen = bot.user("Rina")
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(dmy(target.birth_date))
    assert (await until_phone_question(teen))[0].text.startswith("Halo, Rina Lestari!")
    assert await holder_of(bot, target.id) == teen.id
    assert (await impostor.next_message()).text.startswith("Data yang Anda daftarkan")
    assert "«Rina L»" in (await officer.next_message()).text
    async with bot.db.session() as session:
        claim = await session.scalar(select(Claim))
    assert claim is not None and claim.state == ClaimState.PENDING


async def test_a_right_birth_date_on_a_held_letter_reads_and_counts_like_a_wrong_one(
    bot: BotHarness,
) -> None:
    """Smaller item: once the teen has joined, a wrong date then the right one must read
    exactly like two wrong dates (the second warns of the last try), and the right one alerts
    staff at once: the real teen may be the one turned away."""
    officer = await admin_listening(bot)
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
    owner = bot.user("Owner")
    await open_letter(owner, target.invite_code, dmy(target.birth_date))
    await until_phone_question(owner)

    guesser = bot.user("Guesser")
    first = await open_letter(guesser, target.invite_code, "01-01-2008")
    assert first[0].startswith(NEUTRAL_INVITE) and LAST_TRY not in first[0]
    guesser.send(dmy(target.birth_date))
    second = (await guesser.next_message()).text
    assert second.startswith(NEUTRAL_INVITE) and LAST_TRY in second
    alert = await officer.next_message()
    assert alert.text.startswith("⚠️ Seseorang membuka surat undangan Rina Lestari dengan tanggal")
    assert await holder_of(bot, target.id) == owner.id
    async with bot.db.session() as session:
        refused = await session.scalar(
            select(func.count()).where(Event.kind == "refused:invitation")
        )
    assert refused == 2


async def _letter_office(bot: BotHarness) -> tuple[Target, int]:
    """Budi, summoned, not on Telegram; his letter is in the family's hands."""
    place = await factories.add_place(bot.db, with_pin=False)
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    budi = await factories.add_target(
        bot.db, bot.settings, name="Budi Santoso", female=False, serial=2, code="BUDI2345"
    )
    summons = await factories.summon(bot.db, bot.settings, budi, first)
    return budi, summons.id


async def _link_by_letter(parent: UserClient, target: Target) -> str:
    parent.send(f"/ortu {target.invite_code}")
    await parent.next_message()
    parent.send(dmy(target.birth_date))
    return (await parent.next_message()).text


async def test_a_guardian_linked_before_the_teen_joins_is_told_to_her_with_its_answer(
    bot: BotHarness,
) -> None:
    """Item 2: a stranger links with the letter before the teen is on Telegram and declines
    for him. When the teen joins with the same letter he is told who linked and what they
    answered, with the button that undoes the link, and his own ✅ undoes the answer."""
    bot.app.bot_data.throttle = PressThrottle(presses=50)
    officer = await admin_listening(bot)
    budi, summons_id = await _letter_office(bot)
    stranger = await new_parent(bot, "Bapak Budi")
    assert (await _link_by_letter(stranger, budi)).startswith("✅ Anda sekarang terhubung")
    copy = await stranger.next_message()
    await stranger.answer(stranger.press("❌", message=copy))
    reasons = await stranger.edited(copy)
    await stranger.answer(stranger.press("luar kota", message=reasons))
    assert (await stranger.next_message()).text.startswith("Tercatat: Budi Santoso")
    await stranger.edited(reasons)
    async with bot.db.session() as session:
        declined = await session.get(Summons, summons_id)
    assert declined is not None and declined.state == SummonsState.DECLINED

    teen = bot.user("Budi")
    await open_letter(teen, budi.invite_code, dmy(budi.birth_date))
    joined = await until_phone_question(teen)
    summons = next(m for m in joined if m.text.startswith("📣"))
    teen.send("Lewati")
    await teen.next_message()
    notice = await teen.next_message()
    assert notice.text.startswith("👪 Akun Telegram bernama «Bapak Budi» terhubung dengan Anda")
    assert "sudah menjawab panggilan Anda: ❌ tidak bisa datang" in notice.text
    await teen.answer(teen.press("🚫", message=notice))
    alert = await officer.next_message()
    assert "akun Telegram bernama «Bapak Budi» bukan" in alert.text
    await teen.answer(teen.press("✅", message=summons))
    async with bot.db.session() as session:
        link = await session.scalar(select(ParentLink))
        undone = await session.get(Summons, summons_id)
    assert link is not None and link.state == LinkState.REMOVED
    assert undone is not None and undone.state == SummonsState.CONFIRMED


async def test_the_letter_alone_links_two_guardians_and_a_third_waits_for_staff(
    bot: BotHarness,
) -> None:
    """Item 2's cap: two guardians may link with the letter's code; a third goes to staff
    and receives nothing of the child until approved."""
    budi, _summons_id = await _letter_office(bot)
    for name in ("Ibu Sri", "Pak Joko"):
        assert (await _link_by_letter(await new_parent(bot, name), budi)).startswith(
            "✅ Anda sekarang terhubung"
        )
    third = await new_parent(bot, "Orang Ketiga")
    said = await _link_by_letter(third, budi)
    assert said.startswith(
        "Kode surat undangan ini sudah dipakai untuk menghubungkan orang tua/wali lain."
    )
    assert "Budi" not in said
    async with bot.db.session() as session:
        links = list(await session.scalars(select(ParentLink).order_by(ParentLink.id)))
        to_third = await session.scalar(
            select(func.count()).where(OutboxMessage.chat_id == third.id)
        )
        waiting = await guardians.pending(session)
    assert [(link.method, link.state) for link in links] == [
        (LinkMethod.LETTER, LinkState.ACTIVE),
        (LinkMethod.LETTER, LinkState.ACTIVE),
        (LinkMethod.LETTER, LinkState.PENDING),
    ]
    assert to_third == 0
    assert [w.parent for w in waiting] == ["Orang Ketiga"]


async def _nik_request(parent: UserClient, child: Target) -> str:
    """/ortu, the NIK path, the child's NIK and birth date; what the bot says to the date."""
    parent.send("/ortu")
    await parent.next_message()
    parent.press("Anak tanpa Telegram")
    await parent.next_message()
    parent.send(child.nik)  # type: ignore[attr-defined]
    await parent.next_message()
    parent.send(dmy(child.birth_date))
    return (await parent.next_message()).text


async def test_a_refused_nik_link_request_tells_the_parent_nothing(bot: BotHarness) -> None:
    """Smaller item: a refusal, told, would say that the NIK was on the list (a NIK on no list
    never reaches staff); only an approval is told."""
    budi, _summons_id = await _letter_office(bot)
    parent = await new_parent(bot, "Pak Joko")
    said = await _nik_request(parent, budi)
    assert "Bila dalam 3 hari kerja tidak ada kabar" in said
    async with bot.db.session() as session:
        link = await session.scalar(select(ParentLink))
        assert link is not None
        await guardians.decide(
            session,
            link.id,
            approve=False,
            staff_id=1,
            now=datetime.now(UTC),
            policy=notices.Policy.of(bot.settings),
        )
    async with bot.db.session() as session:
        told = await session.scalar(
            select(func.count()).where(
                OutboxMessage.chat_id == parent.id,
                OutboxMessage.message_key == Kind.LINK_DECLINED.value,
            )
        )
    assert told == 0


async def test_the_dashboard_lists_the_alert_and_staff_release_the_wrong_account(
    sqlite_url: str,
) -> None:
    """Item 4's dashboard side: a letter refused because another account holds the record is
    listed on the review page; after the desk checks the family card, staff release that
    account from the person page, it is told, and the real teen's letter links her."""
    async with dashboard_bot(sqlite_url) as bot:
        target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
        impostor = bot.user("Impostor")
        await open_letter(impostor, target.invite_code, dmy(target.birth_date))
        await until_phone_question(impostor)
        teen = bot.user("Rina")
        refused = await open_letter(teen, target.invite_code, dmy(target.birth_date))
        assert refused[0].startswith(NEUTRAL_INVITE)
        async with signed_in(bot, "Clerk") as (_clerk, web):
            person = await web.get(f"/orang/{target.id}")
            assert "Lepas akun" not in person.text  # a clerk cannot take a record from anyone
            refused = await web.post(f"/orang/{target.id}/lepas", data={"csrf": csrf_of(person)})
            assert refused.status_code == 403
        async with signed_in(bot, admin=True) as (_officer, web):
            page = await web.get("/tinjauan")
            assert "Rina Lestari" in page.text and 'data-alert="claim_conflict"' in page.text
            person = await web.get(f"/orang/{target.id}")
            released = await web.post(f"/orang/{target.id}/lepas", data={"csrf": csrf_of(person)})
            assert released.status_code == 303
            after = await web.get(released.headers["location"])
            assert "Kode surat undangan sudah diganti" in after.text
            forged = await web.post(f"/orang/{target.id}/lepas", data={})
            assert forged.status_code == 403
        told = await impostor.next_message()
        assert told.text.startswith("Petugas melepas akun Telegram ini")
        assert await holder_of(bot, target.id) is None
        # The old letter opens nothing any more, for the impostor or anyone.
        again = await open_letter(impostor, target.invite_code, dmy(target.birth_date))
        assert again[0].startswith(NEUTRAL_INVITE)
        assert await holder_of(bot, target.id) is None
        async with bot.db.session() as session:
            reprinted = await session.get(Target, target.id)
            assert reprinted is not None
            factories.in_clear(session, reprinted)  # the new letter's code
        assert reprinted.invite_code != target.invite_code  # type: ignore[attr-defined]
        await open_letter(teen, reprinted.invite_code, dmy(target.birth_date))  # type: ignore[attr-defined]
        assert await holder_of(bot, target.id) == teen.id


async def test_a_nik_request_waiting_for_staff_names_nobody(bot: BotHarness) -> None:
    """Review finding: /ortu after a NIK request listed the child's name while it waited, so
    one try told whether a NIK was on the list and whose it was."""
    budi, _summons_id = await _letter_office(bot)
    parent = await new_parent(bot, "Pak Joko")
    await _nik_request(parent, budi)
    parent.send("/ortu")
    listed = (await parent.next_message()).text
    assert "Budi" not in listed and "Permintaan terhubung yang menunggu petugas" in listed
