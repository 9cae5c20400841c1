"""sendMessage through python-telegram-bot to the in-process emulator (the tests' path).

Run: .venv/bin/python docs/bench/emulator_inprocess.py [COUNT]
"""

from __future__ import annotations

import asyncio
import sys
import time

from telegram import Bot

from bot.emulator import Limits, TelegramEmulator
from bot.emulator.transport import IN_PROCESS_BASE_URL, emulator_request


async def main(count: int) -> None:
    emulator = TelegramEmulator(limits=Limits(enabled=False))
    user = emulator.add_user("Bench", started=True)
    bot = Bot(emulator.token, base_url=IN_PROCESS_BASE_URL, request=emulator_request(emulator))
    async with bot:
        started = time.perf_counter()
        await asyncio.gather(*(bot.send_message(user["id"], f"pesan {i}") for i in range(count)))
        elapsed = time.perf_counter() - started
    print(f"{count} sendMessage in {elapsed:.2f} s: {count / elapsed:,.0f} per second")  # noqa: T201 (a benchmark script reports on stdout)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000))
