"""A home visit's summons reads as one: staff come to the teen's home at a day and time, with
only the buttons that make sense there (no other session, no second visit), for the teen and
in the parent's copy; and the staff prompt's example date is never in the past."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.db.models import Summons, Target
from bot.domain.kinds import SummonsState
from bot.presentation.buttons import SUMMONS, SummonsPress
from bot.services import guardians
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import requesting_teen
from tests.support.people import link_with_code, new_parent, staff_member


async def test_a_scheduled_home_visit_reads_as_one_for_the_teen_and_the_parent(
    bot: BotHarness,
) -> None:
    officer = await staff_member(bot, "Petugas")
    teen = await requesting_teen(bot)
    await teen.next_message()  # forwarded to staff
    async with bot.db.session() as session:
        target = await session.scalar(select(Target))
        assert target is not None
        target.parent_code = await guardians.parent_code_of(session, target.id)  # type: ignore[attr-defined]
    parent = await new_parent(bot, "Ibu Sri")
    await link_with_code(parent, target)

    officer.send("/kunjungan")
    await officer.next_message()
    entry = await officer.next_message()
    officer.press("🗓️", message=entry)
    prompt = (await officer.next_message()).text
    tomorrow = factories.today(bot.settings) + timedelta(days=1)
    assert f"{tomorrow:%d-%m-%Y}" in prompt  # an example date ahead, never a past one
    day = factories.today(bot.settings) + timedelta(days=3)
    officer.send(f"{day:%d-%m-%Y} 09.00-10.30")
    await officer.next_message()

    summons = await teen.next_message()
    while not summons.text.startswith("📣"):  # the parent linked: she is told first
        summons = await teen.next_message()
    assert "🏠 Petugas akan datang ke rumah Anda untuk perekaman:" in summons.text
    assert "📍 Jl. Melati 7" in summons.text and "Rumah," not in summons.text
    assert "09.00–10.30" in summons.text
    assert [b.label for b in summons.buttons] == [
        "✅ Saya akan ada di rumah",
        "❌ Saya tidak ada di rumah saat itu",
        "📅 Simpan ke kalender (.ics)",
    ]
    copy = await parent.next_message()
    while "Petugas akan datang" not in copy.text:
        copy = await parent.next_message()
    assert "🏠 Petugas akan datang ke rumah Rina Lestari untuk perekaman:" in copy.text
    assert [b.label[0] for b in copy.buttons] == ["✅", "❌", "📅"]
    assert "akan ada di rumah" in copy.buttons[0].label
    # A forged "home visit" press on a home visit changes nothing: it is no answer to it.
    pressed = SUMMONS.decode(summons.buttons[0].data)
    assert isinstance(pressed, SummonsPress)
    summons_id = pressed.summons_id
    forged = SUMMONS.encode(SummonsPress(summons_id, pressed.revision, "hv"))
    toast = await teen.answer(teen.press(data=forged, message=summons))
    assert "Tombol ini sudah tidak berlaku" in toast["text"]
    async with bot.db.session() as session:
        state = await session.scalar(select(Summons.state).where(Summons.id == summons_id))
    assert state == SummonsState.SUMMONED
    toast = await teen.answer(teen.press("✅", message=summons))
    assert toast["text"] == "Terima kasih! Petugas akan datang sesuai jadwal kunjungan."
