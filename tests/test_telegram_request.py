"""The bot's HTTP client (aiohttp under python-telegram-bot) against a loopback emulator."""

from __future__ import annotations

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from bot.emulator import Limits
from bot.emulator.state import Fault
from bot.telegram_request import AiohttpRequest
from tests.support.harness import TOKEN, loopback_emulator


def bot_for(port: int, **request: float) -> Bot:
    return Bot(
        TOKEN,
        base_url=f"http://127.0.0.1:{port}/bot",
        request=AiohttpRequest(**request),  # type: ignore[arg-type]
    )


async def test_messages_files_and_telegrams_errors_arrive_as_ptb_expects() -> None:
    async with loopback_emulator() as (emulator, port):
        teen = emulator.add_user("Ratna Ayuningtyas", started=True)
        blocked = emulator.add_user("Tono", started=True)
        emulator.set_blocked(blocked["id"], True)
        async with bot_for(port) as bot:
            assert (await bot.get_me()).username == emulator.bot_user["username"]
            sent = await bot.send_message(teen["id"], "Jadwal: Sabtu, 08.00 WIB · Mal Pelayanan")
            assert sent.text == "Jadwal: Sabtu, 08.00 WIB · Mal Pelayanan"
            document = await bot.send_document(
                teen["id"], InputFile(b"BEGIN:VCALENDAR", filename="jadwal.ics"), caption="ics"
            )
            assert document.document is not None
            assert document.document.file_name == "jadwal.ics"
            with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
                await bot.send_message(teen["id"], "")
            with pytest.raises(Forbidden):
                await bot.send_message(blocked["id"], "halo")


async def test_slow_answers_time_out_and_429_carries_retry_after() -> None:
    async with loopback_emulator() as (emulator, port):
        teen = emulator.add_user("Ratna", started=True)
        async with bot_for(port, read_timeout=0.3) as bot:
            emulator.inject(Fault("sendMessage", count=1, status=None, delay=1.0))
            with pytest.raises(TimedOut):
                await bot.send_message(teen["id"], "lambat")
            emulator.limiter = type(emulator.limiter)(Limits(overall_per_second=1))
            await bot.send_message(teen["id"], "satu")
            with pytest.raises(RetryAfter) as refused:
                await bot.send_message(teen["id"], "dua")
            assert refused.value.retry_after
