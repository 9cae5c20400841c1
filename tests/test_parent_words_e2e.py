"""A parent's copy speaks of the child (a parent who answers for Rina is waited for as Rina),
and a parent whose link ends because the teen erased her data is told."""

from __future__ import annotations

from bot.emulator import UserClient
from tests.support.harness import BotHarness, until
from tests.support.offices import family_office
from tests.support.people import link_with_code, new_parent


async def test_a_parents_yes_is_thanked_with_the_childs_name(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])
    summons = await parent.next_message()
    while not summons.text.startswith("📣"):
        summons = await parent.next_message()
    toast = await parent.answer(parent.press("✅", message=summons))
    assert toast["text"] == "Terima kasih! Kami tunggu kedatangan Rina Lestari."


async def erased(teen: UserClient) -> str:
    """/hapus, confirmed: what the confirmation message says then."""
    teen.send("/hapus")
    ask = await teen.next_message()
    while not ask.text.startswith("Hapus data Anda?"):  # a notice queued before it
        ask = await teen.next_message()
    await teen.answer(teen.press("🗑", message=ask))
    await until(lambda: _edited(teen, ask.message_id), what="the erasure's answer")
    return teen.message(ask.message_id).text


async def _edited(teen: UserClient, message_id: int) -> bool:
    return teen.message(message_id).text.startswith("Data Anda sudah dihapus")


async def test_a_teens_hapus_tells_her_linked_parent_and_says_so(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])

    said = await erased(office["teen"])
    assert "Orang tua/wali yang terhubung dengan Anda (1) kami beri tahu" in said
    told = await parent.next_message()
    while "menghapus datanya" not in told.text:
        told = await parent.next_message()
    assert told.text.startswith("Rina Lestari menghapus datanya dari Rekam.")


async def test_hapus_without_parents_claims_nobody_was_told(bot: BotHarness) -> None:
    office = await family_office(bot)
    said = await erased(office["teen"])
    assert "Orang tua/wali" not in said
