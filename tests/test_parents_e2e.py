"""Parents and guardians through the emulator: linking by code and by NIK with staff approval,
wrong tries and the lock, acting for the child, several parents and children, unlinking from
either side, nothing about other residents, and the escalation messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.db.models import Event, OutboxMessage, ParentLink, ServiceSession, Summons, Target
from bot.domain.kinds import LinkState, SummonsState
from bot.emulator import UserClient
from bot.throttle import PressThrottle
from tests.support.harness import BotHarness, before_help
from tests.support.offices import bots_planner, family_office
from tests.support.people import (
    PARENT_SUMMONS,
    STALE,
    link_with_code,
    new_parent,
    said,
    staff_member,
)

NEUTRAL = "Maaf, kode atau tanggal lahir tidak cocok."
LOCKED = "Untuk keamanan, percobaan ditunda sampai"


async def test_a_parent_links_with_the_childs_code_and_gets_the_summons_with_buttons(
    bot: BotHarness,
) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    parent.send(f"/ortu {office['rina'].parent_code}")
    assert (await parent.next_message()).text.startswith("Tulis tanggal lahir anak Anda")
    assert await said(parent, "01-01-2008") == (
        NEUTRAL + " Periksa lagi, lalu tulis tanggal lahir anak Anda."
    )
    parent.send(office["rina"].birth_date.strftime("%d-%m-%Y"))
    assert (await parent.next_message()).text.startswith(
        "✅ Anda sekarang terhubung dengan Rina Lestari."
    )
    summons = await parent.next_message()
    assert summons.text.startswith(PARENT_SUMMONS + "Rina Lestari")
    assert summons.button("✅") and summons.button("❌") and summons.button("🔁")
    async with bot.db.session() as session:
        link = await session.scalar(select(ParentLink))
    assert link is not None and link.state == LinkState.ACTIVE and link.parent_name == "Ibu Sri"
    # The teen is told at once, with a way to undo it, and sees who is linked.
    teen: UserClient = office["teen"]
    notice = await teen.next_message()
    assert notice.text.startswith(
        "👪 Akun Telegram bernama «Ibu Sri» terhubung dengan Anda sebagai orang tua/wali"
    )
    assert notice.button("🚫")
    listing = await said(teen, "/ortu")
    assert listing.startswith(
        "Orang tua/wali yang terhubung dengan Anda:\n• Akun Telegram bernama «Ibu Sri», sejak"
    )


async def test_the_deep_link_from_the_child_works_the_same(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    parent.send(f"/start ortu_{office['rina'].parent_code}")
    assert (await parent.next_message()).text.startswith("Tulis tanggal lahir anak Anda")
    parent.send(office["rina"].birth_date.strftime("%d-%m-%Y"))
    assert (await parent.next_message()).text.startswith("✅ Anda sekarang terhubung")


async def test_three_wrong_tries_lock_linking_for_an_hour(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    parent.send("/ortu ZZZZ9999")
    await parent.next_message()
    assert (await said(parent, "01-01-2009")).startswith(NEUTRAL)  # unknown code: same answer
    parent.send(f"/ortu {office['rina'].parent_code}")
    await parent.next_message()
    assert (await said(parent, "02-01-2009")).startswith(NEUTRAL)
    parent.send(f"/ortu {office['rina'].parent_code}")
    await parent.next_message()
    assert (await said(parent, "03-01-2009")).startswith(LOCKED)
    parent.send(f"/ortu {office['rina'].parent_code}")
    assert (await parent.next_message()).text.startswith(LOCKED)  # even with the right date next
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ParentLink)) == 0


async def test_a_child_without_telegram_is_linked_by_nik_after_staff_approve(
    bot: BotHarness,
) -> None:
    office = await family_office(bot)
    budi: Target = office["budi"]
    parent = await new_parent(bot, "Pak Joko")
    officer = await staff_member(bot)
    parent.send("/ortu")
    await parent.next_message()
    parent.press("Anak tanpa Telegram")
    assert (await parent.next_message()).text.startswith("Tulis NIK anak Anda")
    assert (await said(parent, "12345")).startswith("NIK")  # the form is checked and said
    await said(parent, budi.nik)
    reply = await said(parent, budi.birth_date.strftime("%d-%m-%Y"))
    assert reply.startswith("Terima kasih. Bila data itu cocok dengan daftar sasaran")

    officer.send("/staf")
    await officer.next_message()
    officer.press("👪")
    request = await officer.next_message()
    assert (
        request.text
        == "Permintaan terhubung: akun Telegram bernama «Pak Joko» dengan Budi Santoso (NIK 3599************)."
    )
    officer.press("✅ Setujui", message=request)
    assert (await officer.edited(request)).text == "✅ Disetujui. Orang tua dikabari."
    approved = await parent.next_message()
    assert approved.text.startswith(
        "✅ Petugas menyetujui permintaan Anda untuk terhubung dengan Budi Santoso."
    )
    summons = await parent.next_message()
    assert summons.text.startswith(PARENT_SUMMONS + "Budi Santoso") and summons.button("✅")


async def test_a_wrong_nik_or_date_gets_the_same_answer_and_no_request(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    parent.send("/ortu")
    await parent.next_message()
    parent.press("Anak tanpa Telegram")
    await parent.next_message()
    await said(parent, office["budi"].nik)
    wrong = (office["budi"].birth_date + timedelta(days=1)).strftime("%d-%m-%Y")
    assert (await said(parent, wrong)).startswith("Terima kasih. Bila data itu cocok")
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(ParentLink)) == 0


async def test_a_parent_confirms_declines_and_moves_for_the_child_and_the_teen_sees_it(
    bot: BotHarness,
) -> None:
    bot.app.bot_data.throttle = PressThrottle(presses=50)  # a parent quicker than any human
    office = await family_office(bot)
    teen: UserClient = office["teen"]
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])
    copy = await parent.next_message()
    assert (await teen.next_message()).text.startswith(
        "👪 Akun Telegram bernama «Ibu Sri» terhubung"
    )

    query = parent.press("✅", message=copy)
    assert (await parent.answer(query))[
        "text"
    ] == "Terima kasih! Kami tunggu kedatangan Rina Lestari."
    told = await teen.next_message()
    assert told.text.startswith("Orang tua/wali Anda menjawab panggilan ini: ✅ akan datang.")
    async with bot.db.session() as session:
        event = await session.scalar(select(Event).where(Event.kind == "summons_confirm"))
        summons = await session.scalar(
            select(Summons).where(Summons.target_id == office["rina"].id)
        )
    assert event is not None and event.actor == "parent"
    assert summons is not None and summons.state == SummonsState.CONFIRMED

    edited = await parent.edited(copy)
    await parent.answer(parent.press("❌", message=edited))
    reasons = await parent.edited(edited)
    await parent.answer(parent.press("Sakit", message=reasons))
    told = await teen.next_message()
    assert told.text.startswith("Orang tua/wali Anda menjawab panggilan ini: ❌ tidak bisa datang.")

    assert (await parent.next_message()).text.startswith("Tercatat: Rina Lestari")
    declined = await parent.edited(reasons)
    parent.press("🔁", message=declined)
    options = await parent.next_message()
    parent.press(options.buttons[0].label, message=options)
    assert (await parent.edited(options)).text == "Jadwal Anda sudah diganti. Jadwal baru:"
    assert (await parent.next_message()).text.startswith(PARENT_SUMMONS + "Rina Lestari")
    moved = await teen.next_message()
    assert moved.text.startswith("📣 Panggilan perekaman KTP-el")
    async with bot.db.session() as session:
        summons = await session.scalar(
            select(Summons).where(Summons.target_id == office["rina"].id)
        )
    assert summons is not None and summons.state == SummonsState.MOVED
    assert summons.session_id == office["second"].id


async def test_several_parents_and_several_children(bot: BotHarness) -> None:
    office = await family_office(bot)
    mother, father = await new_parent(bot, "Ibu Sri"), await new_parent(bot, "Pak Joko")
    teen: UserClient = office["teen"]
    for parent in (mother, father):
        await link_with_code(parent, office["rina"])
        await parent.next_message()
        assert (await teen.next_message()).text.startswith("👪 ")
    # Budi has no Telegram, but a code on his letter: his mother links him too.
    await link_with_code(mother, office["budi"])
    await mother.next_message()
    mother.send("/jadwal")
    shown = [m.text for m in await before_help(mother)]
    assert [t.split("\n")[0] for t in shown if t.startswith("📣")] == [
        PARENT_SUMMONS + "Budi Santoso",
        PARENT_SUMMONS + "Rina Lestari",
    ]
    copy = next(m for m in reversed(father.messages) if m.text.startswith(PARENT_SUMMONS))
    await father.answer(father.press("✅", message=copy))
    told = await mother.next_message()
    assert told.text.startswith("Orang tua/wali lain menjawab panggilan Rina Lestari: ✅")
    assert (await teen.next_message()).text.startswith("Orang tua/wali Anda menjawab")
    listing = await said(teen, "/ortu")
    assert "Ibu Sri" in listing and "Pak Joko" in listing


async def test_unlinking_from_either_side_stops_everything_for_that_parent(
    bot: BotHarness,
) -> None:
    office = await family_office(bot)
    teen: UserClient = office["teen"]
    mother, father = await new_parent(bot, "Ibu Sri"), await new_parent(bot, "Pak Joko")
    teen: UserClient = office["teen"]
    for parent in (mother, father):
        await link_with_code(parent, office["rina"])
        await parent.next_message()
        assert (await teen.next_message()).text.startswith("👪 ")
    old_copy = next(m for m in reversed(mother.messages) if m.text.startswith(PARENT_SUMMONS))

    teen.send("/ortu")
    listing = await teen.next_message()
    teen.press("Putuskan hubungan dengan Ibu Sri", message=listing)
    asked = await teen.edited(listing)
    assert "Putuskan hubungan ini?" in asked.text  # one tap asks first
    async with bot.db.session() as session:
        assert set((await session.execute(select(ParentLink.state))).scalars()) == {
            LinkState.ACTIVE
        }
    teen.press("Ya, putuskan", message=asked)
    assert (await teen.edited(asked)).text.startswith("Hubungan diputuskan.")
    assert (await mother.answer(mother.press("✅", message=old_copy)))["text"] == STALE

    father.send("/ortu")
    mine = await father.next_message()
    assert "Rina Lestari (terhubung)" in mine.text
    father.press("Putuskan hubungan dengan Rina Lestari", message=mine)
    asked = await father.edited(mine)
    father.press("Batal", message=asked)
    assert (await father.edited(asked)).text == "Tidak jadi. Hubungan tetap seperti semula."
    father.send("/ortu")
    mine = await father.next_message()
    father.press("Putuskan hubungan dengan Rina Lestari", message=mine)
    asked = await father.edited(mine)
    father.press("Ya, putuskan", message=asked)
    assert (await father.edited(asked)).text.startswith("Hubungan diputuskan.")
    async with bot.db.session() as session:
        states = set((await session.execute(select(ParentLink.state))).scalars())
        pending_for_parents = await session.scalar(
            select(func.count()).where(
                OutboxMessage.chat_id.in_([mother.id, father.id]), OutboxMessage.state == "pending"
            )
        )
    assert states == {LinkState.REMOVED}
    assert pending_for_parents == 0  # their reminders for Rina are cancelled
    assert (await said(father, "/jadwal")).startswith("Belum ada anak yang terhubung.")


async def test_a_parent_can_neither_see_nor_act_for_a_child_not_linked(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])
    copy = await parent.next_message()
    async with bot.db.session() as session:
        budis = await session.scalar(select(Summons).where(Summons.target_id == office["budi"].id))
    assert budis is not None
    forged = parent.press(data=f"sm:{budis.id}:{budis.revision}:ok", message=copy)
    assert (await parent.answer(forged))["text"] == STALE
    shown = [m.text for m in await _schedule(parent)]
    assert not any("Budi" in text for text in shown)
    async with bot.db.session() as session:
        state = await session.scalar(select(Summons.state).where(Summons.id == budis.id))
    assert state == SummonsState.SUMMONED


async def _schedule(parent: UserClient) -> list:  # type: ignore[type-arg]
    parent.send("/jadwal")
    return await before_help(parent)


async def test_escalations_reach_the_parent(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    await link_with_code(parent, office["budi"])
    await parent.next_message()
    # Two days without an answer: the nudge falls due (moved forward instead of waiting).
    async with bot.db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_key == "unanswered", OutboxMessage.chat_id == parent.id)
            .values(due_at=datetime.now(UTC))
        )
    nudge = await parent.next_message()
    assert nudge.text.startswith(
        "Budi Santoso belum menjawab panggilan perekaman KTP-el selama 2 hari."
    )
    # The session passes without Budi: the parent is told what to do next.
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == office["first"].id)
            .values(starts_at=yesterday, ends_at=yesterday + timedelta(hours=3))
        )
    assert await bots_planner(bot).round() is True
    missed = await parent.next_message()
    while not missed.text.startswith("Budi Santoso tidak datang"):
        missed = await parent.next_message()
    assert "/ganti" in missed.text


async def test_once_the_teen_is_on_telegram_the_letter_links_no_parent(bot: BotHarness) -> None:
    """A letter seen by someone else is no key to the teen's record: the parent code comes
    from the teen's own /kode."""
    office = await family_office(bot)
    stranger = await new_parent(bot, "Orang Asing")
    stranger.send(f"/ortu {office['rina'].invite_code}")
    await stranger.next_message()
    assert (await said(stranger, dmy_of(office["rina"]))).startswith(NEUTRAL)
    teen: UserClient = office["teen"]
    teen.send("/kode")
    await teen.next_message()  # the attendance QR
    given = await teen.next_message()
    assert given.text.startswith(f"Kode untuk orang tua/wali Anda: {office['rina'].parent_code}")
    parent = await new_parent(bot)
    assert (await link_with_code(parent, office["rina"])).startswith("✅ Anda sekarang terhubung")


def dmy_of(target: Target) -> str:
    return target.birth_date.strftime("%d-%m-%Y")
