"""Came and recorded are two facts: /hadir (or the teen's QR) marks that the teen came, and
only the recording desk marks them recorded. The figures show both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db.models import ServiceSession, Summons, Target
from bot.domain.kinds import SummonsState
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.factories import attend_code_of
from tests.support.harness import BotHarness
from tests.support.people import said, staff_member, teens_at


async def _state(bot: BotHarness, target_id: int) -> tuple[SummonsState | None, bool]:
    """The teen's summons state, and whether they are recorded."""
    async with bot.db.session() as session:
        state = await session.scalar(select(Summons.state).where(Summons.target_id == target_id))
        target = await session.get(Target, target_id)
    assert target is not None
    return state, target.recorded_at is not None


async def test_hadir_marks_came_not_recorded_and_the_desk_records(bot: BotHarness) -> None:
    bot.app.bot_data.throttle = PressThrottle(presses=50)  # staff press faster than people
    place = await factories.add_place(bot.db)
    service = await factories.add_session(bot.db, bot.settings, place)
    ((rina, rina_chat),) = await teens_at(bot, "Rina", session=service)
    async with bot.db.session() as session:  # the session is today, as at the door
        today = await session.get(ServiceSession, service.id)
        assert today is not None
        today.starts_at = datetime.now(UTC) + timedelta(minutes=1)
        today.ends_at = today.starts_at + timedelta(hours=3)
    officer = await staff_member(bot)
    code = attend_code_of(rina.invite_code)

    assert await said(officer, f"/hadir {code}") == (
        "✅ Tercatat hadir: Rina Uji (3599************). Belum terekam: setelah perekaman, "
        "catat di /meja."
    )
    assert await _state(bot, rina.id) == (SummonsState.ATTENDED, False)
    assert await said(officer, f"/hadir {code}") == (
        "ℹ️ Rina Uji (3599************) sudah tercatat hadir, belum terekam."
    )
    officer.send("/statistik")
    table = await officer.next_message()
    await officer.next_message()  # the chart
    assert table.text.startswith("Sasaran 1, terekam 0, sisa 1")
    assert "hadir 1" in table.text

    # The desk takes it from there: it shows her as come, and records her.
    officer.send("/meja")
    await officer.next_message()
    officer.send(code)
    found = await officer.next_message()
    assert "Panggilan: hadir · " in found.text
    officer.press("✅ Terekam", message=found)
    assert (await officer.next_message()).text.startswith("✅ Rina Uji terekam.")
    assert (await rina_chat.next_message()).text.startswith("✔️ Terima kasih")
    assert await _state(bot, rina.id) == (SummonsState.ATTENDED, True)
    officer.send("/statistik")
    table = await officer.next_message()
    assert table.text.startswith("Sasaran 1, terekam 1, sisa 0")
    assert "hadir 1" in table.text
