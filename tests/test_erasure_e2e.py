"""/hapus leaves nothing personal behind (issue 22, item 8): every table is read whole after
the erasure and searched for what the person typed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text, update

from bot.db.models import Account, Base, OutboxMessage, Place, ServiceSession, Summons
from bot.domain import nik as nik_rules
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource, PlaceKind
from bot.domain.outbox_kinds import Kind
from bot.services import contacts, guardians
from tests.support import factories
from tests.support.harness import BotHarness, until_phone_question
from tests.support.people import (
    ERASED,
    REVIEW,
    erase,
    link_with_code,
    linked_teen,
    new_parent,
    register,
    staff_member,
)


async def anywhere(bot: BotHarness, needle: str) -> list[str]:
    """The tables with a row that holds `needle`, read as text."""
    found = []
    async with bot.db.session() as session:
        for table in Base.metadata.sorted_tables:
            rows = (await session.execute(text(f"SELECT * FROM {table.name}"))).all()
            if any(needle in str(value) for row in rows for value in row):
                found.append(table.name)
    return found


async def test_hapus_leaves_no_typed_name_of_a_pending_or_an_approved_registration(
    bot: BotHarness,
) -> None:
    """A pending /daftar on a listed NIK kept its typed name; an approved self-registration
    kept its name and birth date: both go with /hapus."""
    listed = await factories.add_target(bot.db, bot.settings, name="Budi Santoso", female=False)
    pending = bot.user("Budi")
    said = await register(
        pending, nik=listed.nik, born=listed.birth_date, name="Budi Santoso Rahasia"
    )
    assert said[-1].startswith(REVIEW)

    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=61)
    approved = bot.user("Sekar")
    await register(approved, nik=nik, born=born, name="Sekar Tersembunyi")
    officer = await staff_member(bot)
    officer.send("/tinjau")
    await officer.next_message()  # Budi's: a listed NIK, only closed
    shown = await officer.next_message()
    assert "Sekar Tersembunyi" in shown.text
    await officer.answer(officer.press("✅ Setujui", message=shown))
    await officer.next_message()
    await approved.next_message()
    assert await anywhere(bot, "Rahasia") == ["claims"]
    assert set(await anywhere(bot, "Tersembunyi")) == {"targets", "claims"}

    await erase(pending)
    await erase(approved)
    assert await anywhere(bot, "Rahasia") == []
    assert await anywhere(bot, "Tersembunyi") == []
    assert await anywhere(bot, born.isoformat()) == []


async def test_hapus_unnames_a_home_visit_place_named_after_the_teen(bot: BotHarness) -> None:
    """A home visit's place made before this release carried the teen's name: erasure of the
    teen's account renames it."""
    target = await factories.add_target(bot.db, bot.settings, name="Gita Santoso")
    place = await factories.add_place(bot.db, "Gita Santoso")
    session_ = await factories.add_session(bot.db, bot.settings, place, capacity=1)
    await factories.summon(bot.db, bot.settings, target, session_)
    async with bot.db.session() as session:
        await session.execute(update(Place).where(Place.id == place.id).values(kind=PlaceKind.HOME))
    teen = bot.user("Gita")
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(target.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    await erase(teen)
    async with bot.db.session() as session:
        name = await session.scalar(
            select(Place.name)
            .join(ServiceSession, ServiceSession.place_id == Place.id)
            .join(Summons, Summons.session_id == ServiceSession.id)
        )
    assert name == "Rumah"


async def test_hapus_after_a_rejected_registration_deletes_the_record_it_made(
    bot: BotHarness,
) -> None:
    """Review finding: the self-registered record of a rejected /daftar (typed name, birth
    date, sealed NIK) stayed after /hapus."""
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=62)
    teen = bot.user("Sekar")
    await register(teen, nik=nik, born=born, name="Sekar Ditolak")
    officer = await staff_member(bot)
    officer.send("/tinjau")
    shown = await officer.next_message()
    await officer.answer(officer.press("❌ Tolak", message=shown))
    await officer.next_message()
    await teen.next_message()
    assert set(await anywhere(bot, "Sekar Ditolak")) == {"targets", "claims"}
    await erase(teen)
    assert await anywhere(bot, "Sekar Ditolak") == []


async def test_hapus_counts_only_the_parents_who_can_still_be_told(bot: BotHarness) -> None:
    """Two parents linked, one of whom blocked the bot: /hapus says one was told, not two."""
    rina = await factories.add_target(bot.db, bot.settings)
    teen = await linked_teen(bot, rina)
    async with bot.db.session() as session:  # what her /kode gives
        rina.parent_code = await guardians.parent_code_of(session, rina.id)  # type: ignore[attr-defined]
    mother, father = await new_parent(bot, "Ibu Sri"), await new_parent(bot, "Pak Budi")
    for parent in (mother, father):
        assert (await link_with_code(parent, rina)).startswith("✅ Anda sekarang terhubung")
    for _ in range(2):  # she is told of each parent who links
        assert (await teen.next_message()).text.startswith("👪")
    async with bot.db.session() as session:
        await session.execute(
            update(Account)
            .where(Account.telegram_id == father.id)
            .values(unreachable_at=datetime.now(UTC))
        )
    await erase(teen)
    [said] = [m.text for m in teen.messages if m.text.startswith(ERASED)]
    assert "Orang tua/wali yang terhubung dengan Anda (1) kami beri tahu" in said
    while "menghapus datanya dari Rekam" not in (await mother.next_message()).text:
        pass
    async with bot.db.session() as session:
        queued = await session.scalar(
            select(func.count()).where(
                OutboxMessage.message_key == Kind.GUARDIAN_UNLINKED.value,
                OutboxMessage.chat_id.in_([mother.id, father.id]),
            )
        )
    assert queued == 1


async def test_hapus_takes_the_number_she_shared_and_leaves_the_office_s_own(
    bot: BotHarness,
) -> None:
    """Issue 24: the number a teen shared with 📱 goes with her account; the parent's number
    the office's list put on her record stays, as the record does."""
    target = await factories.add_target(bot.db, bot.settings, name="Gita Santoso")
    async with bot.db.session() as session:
        await contacts.put(
            session,
            target.id,
            ContactOf.GUARDIAN,
            "0813 2222 0001",
            source=ContactSource.LIST,
            actor=Actor.STAFF,
            channel=Channel.CLI,
            now=datetime.now(UTC),
        )
    teen = bot.user("Gita")
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(target.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    teen.share_contact("+6281234567890")
    assert (await teen.next_message()).text == "Terima kasih, nomor Anda sudah disimpan."
    await erase(teen)
    async with bot.db.session() as session:
        left = await contacts.of(session, target.id)
    assert [(c.whose, c.number) for c in left] == [(ContactOf.GUARDIAN, "+6281322220001")]
