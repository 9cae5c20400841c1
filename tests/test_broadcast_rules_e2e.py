"""The broadcast rules hold whichever front end asks (bot/services/broadcasts.py): /siaran in
Telegram refuses a broadcast that reaches nobody in the dashboard's words, every preview says
how many of the audience a chat reaches, and an over-long text is refused, never cut."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import Broadcast
from bot.domain.kinds import Audience, Channel
from bot.services import broadcasts
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import said, staff_member, teens_at

NOBODY = (
    "Siaran ini tidak sampai ke siapa pun: tidak ada penerima yang belum merekam, di Telegram "
    "maupun di nomor telepon. Tidak ada yang dikirim."
)


async def _broadcasts(bot: BotHarness) -> int:
    async with bot.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Broadcast)) or 0)


async def test_siaran_to_nobody_on_telegram_is_refused_and_sends_nothing(bot: BotHarness) -> None:
    for serial in (1, 2):
        await factories.add_target(
            bot.db, bot.settings, name=f"Luring {serial}", serial=serial, code=f"LURI{serial}234"
        )
    officer = await staff_member(bot)
    officer.send("/siaran")
    await officer.next_message()
    officer.press("Semua yang belum merekam")
    await officer.next_message()
    assert await said(officer, "Besok libur") == NOBODY
    assert await _broadcasts(bot) == 0
    # The step is over: the next text is not taken as a broadcast.
    officer.send("/siaran")
    assert (await officer.next_message()).text == "Siaran untuk siapa?"


async def test_siaran_preview_says_how_many_of_the_audience_it_reaches(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    service = await factories.add_session(bot.db, bot.settings, place)
    await teens_at(bot, "Rina", session=service)
    for serial in (7, 8):
        await factories.add_target(
            bot.db, bot.settings, name=f"Luring {serial}", serial=serial, code=f"LURI{serial}234"
        )
    officer = await staff_member(bot)
    officer.send("/siaran")
    await officer.next_message()
    officer.press("Semua yang belum merekam")
    await officer.next_message()
    preview = await said(officer, "Bawa KK")
    assert preview.endswith(
        "Akan dikirim ke 1 orang.\n1 lewat Telegram.\nBelum merekam: 3 — 1 dapat dijangkau, 2 tidak."
    )
    officer.press("📢 Kirim sekarang")
    assert (await officer.next_message()).text == (
        "✅ Siaran sedang dikirim ke 1 orang.\nBelum merekam: 3 — 1 dapat dijangkau, 2 tidak."
    )


async def test_an_over_long_text_is_refused_not_cut(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    service = await factories.add_session(bot.db, bot.settings, place)
    await teens_at(bot, "Rina", session=service)
    async with bot.db.session() as session:
        sent = await broadcasts.send(
            session,
            audience=Audience.ALL_PENDING,
            value=None,
            text="x" * (broadcasts.MAX_TEXT + 1),
            office=bot.settings.office_name,
            by=0,
            channel=Channel.CLI,
            now=datetime.now(UTC),
        )
    assert sent.refused == broadcasts.Refusal.TOO_LONG and sent.recipients == 0
    assert await _broadcasts(bot) == 0
