"""The phone channels' daily limits (issue 24, item 5): SMS_DAILY_LIMIT SMS an office day and
WhatsApp's tier of new people in 24 hours hold what is past them, tell the staff on duty once,
and never hold an answer to someone who wrote inside WhatsApp's window. Through the real
dispatcher and the emulators; the numbers are made up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db.models import Event, OutboxMessage
from bot.domain.kinds import Channel, OutboxState
from tests.support import factories
from tests.support.harness import until
from tests.support.people import staff_member
from tests.support.phones import (
    PhoneOffice,
    phone_office,
    put_number,
    sms_count,
    sms_texts,
    whatsapp_bodies,
    whatsapp_count,
)

FIRST, SECOND = "+6281211110001", "+6281211110002"


async def _two_teens_summoned(office: PhoneOffice, *, whatsapp: bool) -> None:
    bot = office.bot
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=5)
    for serial, (name, number) in enumerate((("Rina", FIRST), ("Sari", SECOND)), start=1):
        teen = await factories.add_target(
            bot.db, bot.settings, name=f"{name} Lestari", serial=serial, code=f"{name.upper()}2345"
        )
        await put_number(office, teen.id, number, whatsapp=whatsapp)
        await factories.summon(bot.db, bot.settings, teen, soon)


async def _waiting(office: PhoneOffice, channel: Channel) -> int:
    async with office.bot.db.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.message_key == "summons",
                OutboxMessage.state == OutboxState.PENDING,
            )
        )
        return int(count or 0)


async def _limit_events(office: PhoneOffice) -> list[dict[str, Any]]:
    async with office.bot.db.session() as session:
        found = await session.scalars(select(Event).where(Event.kind == "daily_limit"))
        return [event.data for event in found]


async def test_past_the_sms_daily_limit_sms_wait_and_staff_are_told_once(sqlite_url: str) -> None:
    async with phone_office(sqlite_url, sms_daily_limit=1) as office:
        officer = await staff_member(office.bot, "Petugas")
        officer.send("/start")
        await officer.next_message()
        await _two_teens_summoned(office, whatsapp=False)

        alert = await officer.next_message()
        assert alert.text.startswith("⚠️ Batas SMS hari ini tercapai: 1 SMS (SMS_DAILY_LIMIT).")

        # One SMS went; the other summons waits for tomorrow, on SMS still.
        async def one_sent() -> bool:
            return any(sms_texts(office, n) for n in (FIRST, SECOND))

        await until(one_sent, what="the first SMS")
        assert await office.bot.app.bot_data.dispatcher.claim(10, Channel.SMS) == []
        sent = [n for n in (FIRST, SECOND) if sms_texts(office, n)]
        assert len(sent) == 1 and len(sms_texts(office, sent[0])) == 1
        assert await _waiting(office, Channel.SMS) == 1
        assert await _limit_events(office) == [{"to": "sms", "limit": 1}]

        # The one who was summoned answers: her thanks waits too (a runaway of replies is
        # what the limit stops), and staff are not told a second time.
        office.sms.receive_sms(sent[0], "YA")

        async def answered() -> bool:
            async with office.bot.db.session() as session:
                replies = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.message_key == "phone_reply")
                )
                return bool(replies)

        await until(answered, what="the answer to YA queued")
        # Due, and no claim takes it (nor the other summons).
        assert await office.bot.app.bot_data.dispatcher.claim(10, Channel.SMS) == []
        assert len(sms_texts(office, sent[0])) == 1
        assert await _limit_events(office) == [{"to": "sms", "limit": 1}]
        assert await _waiting(office, Channel.SMS) == 1


async def test_without_a_limit_every_sms_goes(sqlite_url: str) -> None:
    async with phone_office(sqlite_url) as office:
        await _two_teens_summoned(office, whatsapp=False)
        for number in (FIRST, SECOND):
            await sms_count(office, number, 1)
        assert await _limit_events(office) == []


async def test_at_the_whatsapp_tier_new_people_wait_and_those_who_wrote_are_answered(
    sqlite_url: str,
) -> None:
    async with phone_office(sqlite_url, whatsapp_tier=1) as office:
        for number in (FIRST, SECOND):
            office.whatsapp.add_user(number)
        officer = await staff_member(office.bot, "Petugas")
        officer.send("/start")
        await officer.next_message()
        await _two_teens_summoned(office, whatsapp=True)

        alert = await officer.next_message()
        assert alert.text.startswith("⚠️ Batas WhatsApp tercapai: 1 orang dalam 24 jam")

        async def one_sent() -> bool:
            return any(whatsapp_bodies(office, n) for n in (FIRST, SECOND))

        await until(one_sent, what="the first WhatsApp summons")
        reached = [n for n in (FIRST, SECOND) if whatsapp_bodies(office, n)]
        assert len(reached) == 1
        (other,) = {FIRST, SECOND} - set(reached)
        assert await _waiting(office, Channel.WHATSAPP) == 1
        assert await office.bot.app.bot_data.dispatcher.claim(10, Channel.WHATSAPP) == []
        assert sms_texts(office, other) == []  # held, not pushed onto another channel

        # The one still waiting writes: her window opens, and the answer goes at once.
        office.whatsapp.user_text(other, "halo")
        (answer,) = await whatsapp_count(office, other, 1)
        assert answer["type"] == "interactive"
        # And the one already reached this day is not a new person: she is answered too.
        office.whatsapp.user_text(reached[0], "ya")
        thanks = (await whatsapp_count(office, reached[0], 2))[1]
        assert thanks["text"]["body"].startswith("Terima kasih. Tercatat:")
        assert await _limit_events(office) == [{"to": "whatsapp", "limit": 1}]


@pytest.mark.postgres
async def test_two_processes_together_keep_one_sms_daily_limit(postgres_url: str) -> None:
    """Two bots on one PostgreSQL database, ten SMS-only teens, a limit of three: three SMS in
    all, whichever process sent them."""
    async with phone_office(postgres_url, processes=2, sms_daily_limit=3) as office:
        bot = office.bot
        place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
        hall = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=20)
        numbers = [f"+62812111{index:05d}" for index in range(10)]
        for index, number in enumerate(numbers):
            teen = await factories.add_target(
                bot.db,
                bot.settings,
                name=f"Remaja {index}",
                serial=index + 1,
                code=f"RMJ{index:05d}",
            )
            await put_number(office, teen.id, number)
            await factories.summon(bot.db, bot.settings, teen, hall)

        async def told() -> bool:
            sent = sum(len(sms_texts(office, n)) for n in numbers)
            return sent >= 3 and await _limit_events(office) != []

        await until(told, what="the limit reached")
        for process in (office.bot, *office.others):
            assert await process.app.bot_data.dispatcher.claim(10, Channel.SMS) == []
        assert sum(len(sms_texts(office, n)) for n in numbers) == 3
        assert await _waiting(office, Channel.SMS) == 7
