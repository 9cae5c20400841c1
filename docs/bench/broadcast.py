"""A broadcast through the real outbox dispatcher to a loopback emulator (`rekam emulator`).

    limits     Telegram's limits on (30/s overall, 1/s per chat): the dispatcher, and beside it in
               the same run python-telegram-bot's AIORateLimiter sending the same broadcast to a
               second emulator with the same limits. Reports rate, 429s and the busiest second.
    unlimited  The emulator's limits off and the dispatcher's pacing off: how fast the outbox
               itself (claim, render, send, record) goes on this database.

Run (the emulators are started and stopped by the script):
    .venv/bin/python docs/bench/broadcast.py limits --count 20000
    .venv/bin/python docs/bench/broadcast.py unlimited --count 20000 [--database URL]
AIORateLimiter needs `pip install "python-telegram-bot[rate-limiter]"`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot

from bot.clock import Clock
from bot.config import load_settings
from bot.db.vault import new_key
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Broadcast, Lease, OutboxMessage
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pacing import Pacer
from bot.domain.outbox_kinds import Kind
from bot.i18n import Catalogs
from bot.services import outbox
from bot.services.outbox import Message, Recipient
from bot.telegram_request import AiohttpRequest

OURS = "111111:BENCH-dispatcher-token-0000000000000000"
THEIRS = "222222:BENCH-aioratelimiter-token-00000000000"
TEXT = "Jadwal perekaman KTP-el di MPP hari Sabtu dipindah ke pukul 09.00 WIB. Terima kasih."


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


@contextlib.asynccontextmanager
async def emulator(port: int, token: str, *, limits: bool) -> AsyncIterator[str]:
    """`rekam emulator` in its own process; yields its control URL."""
    command = [sys.executable, "-m", "bot", "emulator", "--port", str(port), "--token", token]
    process = subprocess.Popen([*command, *([] if limits else ["--no-limits"])])  # noqa: ASYNC220
    control = f"http://127.0.0.1:{port}/_emulator"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    await client.get(f"{control}/stats")
                    break
                await asyncio.sleep(0.1)
        yield control
    finally:
        process.terminate()
        process.wait()


async def control(url: str, action: str, body: dict[str, Any] | None = None) -> Any:
    async with httpx.AsyncClient(timeout=120) as client:
        if body is None:
            response = await client.get(f"{url}/{action}")
        else:
            response = await client.post(f"{url}/{action}", json=body)
        return response.json()["result"]


async def users(url: str, count: int) -> list[int]:
    return [user["id"] for user in await control(url, "users", {"count": count})]


async def queue(db: Database, chat_ids: list[int]) -> None:
    async with db.session() as session:
        row = Broadcast(created_by=1, audience="all_pending", text=TEXT, recipients=len(chat_ids))
        session.add(row)
        await session.flush()
        message = Message(
            kind=Kind.BROADCAST,
            due_at=datetime.now(UTC),
            params={"broadcast_id": row.id},
            dedupe=f"broadcast:{row.id}",
        )
        for start in range(0, len(chat_ids), 2000):
            recipients = [Recipient(chat_id, "id") for chat_id in chat_ids[start : start + 2000]]
            await outbox.enqueue(session, recipients, [message])


def summary(name: str, stats: dict[str, Any], wall: float) -> str:
    accepted = stats["accepted"]
    span = (stats["last_at"] or 0) - (stats["first_at"] or 0)
    rate = accepted / span if span > 0 else float("nan")
    return (
        f"| {name} | {accepted} | {rate:,.1f} msg/s | {stats['refused']} | "
        f"{stats['peak_one_second']} | {stats['peak_attempts_one_second']} | "
        f"{stats['per_chat_peak_one_second']} | {wall:,.1f} s |"
    )


async def dispatch(url: str, count: int, database: str, base: str, *, unlimited: bool) -> str:
    settings = load_settings(
        database_url=database,
        bot_token=OURS,
        telegram_api_base_url=base,
        dispatch_rate=1000 if unlimited else 30,
        data_key=new_key(),
    )
    assert settings.data_key is not None
    db = Database(database, data_key=settings.data_key.get_secret_value())
    await upgrade(db)
    async with db.session() as session:  # a clean slate on a reused database
        await session.execute(OutboxMessage.__table__.delete())
        await session.execute(Lease.__table__.delete())
    chat_ids = await users(url, count)
    await queue(db, chat_ids)
    bot = Bot(OURS, base_url=base, request=AiohttpRequest())
    await bot.initialize()
    dispatcher = Dispatcher(bot, db, Catalogs(), settings, Clock(settings.zone))
    if unlimited:
        # Pacing off too (the setting is capped at Telegram's paid 1000/s, so bypass it here).
        dispatcher.settings = settings.model_copy(update={"dispatch_rate": 1_000_000})
        dispatcher.pacer = Pacer(1_000_000, chat_interval=0)
        dispatcher.batch = 1000
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(dispatcher.run(stop))
    while (await control(url, "stats"))["accepted"] < count:  # noqa: ASYNC110 (another process)
        await asyncio.sleep(0.5)
    wall = time.perf_counter() - started
    stop.set()
    await task
    await bot.shutdown()
    await db.dispose()
    name = "Rekam dispatcher" + (f" (limits off, {db.engine.dialect.name})" if unlimited else "")
    return summary(name, await control(url, "stats"), wall)


async def aioratelimiter(url: str, count: int, base: str) -> str:
    chat_ids = await users(url, count)
    bot = ExtBot(
        THEIRS,
        base_url=base,
        request=AiohttpRequest(),
        rate_limiter=AIORateLimiter(max_retries=20),
    )
    await bot.initialize()
    started = time.perf_counter()
    await asyncio.gather(*(bot.send_message(chat_id, TEXT) for chat_id in chat_ids))
    wall = time.perf_counter() - started
    await bot.shutdown()
    return summary("PTB AIORateLimiter (max_retries=20)", await control(url, "stats"), wall)


HEADER = (
    "| sender | delivered | rate (first to last) | 429s | busiest second (accepted) | "
    "busiest second (attempts) | busiest second, one chat | wall |\n"
    "|---|---|---|---|---|---|---|---|"
)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        if args.mode == "unlimited":
            async with emulator(8091, OURS, limits=False) as url:
                base = "http://127.0.0.1:8091/bot"
                row = await dispatch(url, args.count, database, base, unlimited=True)
            report(HEADER)
            report(row)
            return
        async with (
            emulator(8091, OURS, limits=True) as ours,
            emulator(8092, THEIRS, limits=True) as theirs,
        ):
            rows = await asyncio.gather(
                dispatch(ours, args.count, database, "http://127.0.0.1:8091/bot", unlimited=False),
                aioratelimiter(theirs, args.count, "http://127.0.0.1:8092/bot"),
            )
        report(HEADER)
        for row in rows:
            report(row)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("limits", "unlimited"))
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--database", help="default: a new SQLite file")
    asyncio.run(main(parser.parse_args()))
