"""The rates tests/test_pacing_e2e.py used to assert, measured by hand on a quiet machine.

The tests keep what holds however busy the machine is (no limit exceeded, replies ahead of a
broadcast, nothing lost, every paid send marked); a rate is a figure for docs/benchmarks.md.
The same scenarios as the tests, through the real bot and the in-process emulator:

    slow-link   300 messages at Telegram's limits (30/s, 1/s a chat) over a 600 ms ± 40 ms link:
                the steady rate from the 150th arrival on. Holding each slot until one second
                after the answer could not pass 30 / 1.6 = 18.75 a second; pacing on arrival
                should come close to 30 (it was asserted > 25).
    replies     /bantuan four times during a 240-message broadcast over a 250 ms link: how long
                each reply took (it was asserted < 2.5 s; behind the broadcast, seconds more).
    paid        300 paid messages (DISPATCH_PAID_BROADCAST, 1000/s) over a 250 ms link: first to
                last arrival (it was asserted < 5 s; at the free 30/s it would take 10 s).

Run: .venv/bin/python docs/bench/pacing.py [slow-link|replies|paid ...]   (all three by default)
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

from sqlalchemy import func, select

from bot.db.models import OutboxMessage
from bot.domain.kinds import OutboxState
from bot.emulator import Limits
from bot.emulator.latency import Latency
from tests.support.harness import (
    BotHarness,
    broadcast_to,
    make_settings,
    running_bot,
    started,
    until,
)

STRICT = Limits(overall_per_second=30, chat_burst=1, paid_per_second=1000)
TELEGRAM = Limits(overall_per_second=30, chat_burst=5, paid_per_second=1000)
SLOW_LINK = Latency(0.6, 0.04, seed=13)
OFFICE_LINK = Latency(0.25, 0.02, seed=7)


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


async def sent(bot: BotHarness) -> int:
    async with bot.db.session() as session:
        query = select(func.count()).where(OutboxMessage.state == OutboxState.SENT)
        return int((await session.execute(query)).scalar_one())


async def slow_link(url: str) -> None:
    settings = make_settings(url, dispatch_rate=30)
    async with running_bot(settings, limits=STRICT, latency=SLOW_LINK) as bot:
        people = started(bot, 300)
        await broadcast_to(bot, people, "Jadwal MPP Sabtu dipindah ke pukul 09.00.")
        await until(lambda: _at_least(bot, 300), timeout=300)
        stats = bot.emulator.limiter.stats
        report(
            f"slow-link: 300 over 600 ms ± 40 ms, steady {stats.steady_rate(skip=150):.1f}/s "
            f"(refused {stats.refused}, per-chat peak {stats.per_chat_peak})"
        )


async def replies(url: str) -> None:
    settings = make_settings(url, dispatch_rate=30)
    async with running_bot(settings, limits=TELEGRAM, latency=OFFICE_LINK) as bot:
        bot.app.bot_data.throttle.presses = 50
        people = started(bot, 240)
        teen = bot.user("Tanya")
        await broadcast_to(bot, people, "Pengumuman jadwal perekaman")
        await until(lambda: _at_least(bot, 40))
        waits = []
        for _ in range(4):
            asked = time.monotonic()
            teen.send("/bantuan")
            await teen.next_message()
            waits.append(time.monotonic() - asked)
        queued = 240 - await sent(bot)
        await until(lambda: _at_least(bot, 240), timeout=120)
        shown = ", ".join(f"{wait:.2f}" for wait in waits)
        report(f"replies: during a broadcast, each in {shown} s ({queued} still queued after)")


async def paid(url: str) -> None:
    settings = make_settings(
        url, dispatch_rate=30, dispatch_paid_broadcast=True, dispatch_paid_rate=1000
    )
    async with running_bot(settings, limits=STRICT, latency=OFFICE_LINK) as bot:
        people = started(bot, 300)
        await broadcast_to(bot, people, "Pengumuman berbayar")
        await until(lambda: _at_least(bot, 300), timeout=120)
        stats = bot.emulator.limiter.stats
        assert stats.last is not None and stats.started is not None
        span = stats.last - stats.started
        report(
            f"paid: 300 over 250 ms ± 20 ms in {span:.2f} s ({300 / span:.0f}/s, paid {stats.paid})"
        )


async def _at_least(bot: BotHarness, count: int) -> bool:
    return await sent(bot) >= count


SCENARIOS = {"slow-link": slow_link, "replies": replies, "paid": paid}


async def main(names: list[str]) -> None:
    for name in names or list(SCENARIOS):
        with tempfile.TemporaryDirectory() as folder:
            await SCENARIOS[name](f"sqlite+aiosqlite:///{folder}/office.db")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
