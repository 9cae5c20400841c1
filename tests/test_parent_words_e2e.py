"""A parent's copy speaks of the child: a parent who answers for Rina is waited for as Rina."""

from __future__ import annotations

from tests.harness import BotHarness
from tests.test_parents_e2e import family_office, link_with_code, new_parent


async def test_a_parents_yes_is_thanked_with_the_childs_name(bot: BotHarness) -> None:
    office = await family_office(bot)
    parent = await new_parent(bot)
    await link_with_code(parent, office["rina"])
    summons = await parent.next_message()
    while not summons.text.startswith("📣"):
        summons = await parent.next_message()
    toast = await parent.answer(parent.press("✅", message=summons))
    assert toast["text"] == "Terima kasih! Kami tunggu kedatangan Rina Lestari."
