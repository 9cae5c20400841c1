"""A broadcast through the real bot to a loopback emulator (`rekam emulator`) with a round trip.

    limits     Telegram's limits on (30/s overall, 1/s per chat), every call held half a round
               trip each way: Rekam (the whole Application: polling, replies and the outbox
               dispatcher, one send budget), and beside it in the same run python-telegram-bot's
               AIORateLimiter sending the same broadcast to a second emulator with the same
               limits and latency. During Rekam's broadcast a teen sends /bantuan and presses ✅
               every two seconds: reply and answer times are reported.
    paid       The same with DISPATCH_PAID_BROADCAST on (Telegram's paid limit: 1000/s).
    unlimited  The emulator's limits off and pacing off: how fast the outbox itself (claim,
               render, send, record) goes on this database.

Rates are first to last arrival at the emulator, and "steady" from the 200th arrival on (after
the opening burst and the first hundred round trips the pacer waits for before it trusts the
shortest one). "Busiest second" is the most arrivals in any one-second window.

Run (the emulators are started and stopped by the script):
    .venv/bin/python docs/bench/broadcast.py limits --count 20000 --latency 250ms --jitter 20ms
    .venv/bin/python docs/bench/broadcast.py limits --alone --webhook --latency 600ms --jitter 40ms
    .venv/bin/python docs/bench/broadcast.py paid --count 20000 --latency 250ms --jitter 20ms
    .venv/bin/python docs/bench/broadcast.py unlimited --count 20000 [--database URL]
AIORateLimiter needs `pip install "python-telegram-bot[rate-limiter]"` (the `bench` extra).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from telegram.ext import AIORateLimiter, ExtBot

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Broadcast, Lease, OutboxMessage
from bot.db.vault import new_key
from bot.delivery.budget import SendBudget
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.pacing import Pacer
from bot.domain.outbox_kinds import Kind
from bot.i18n import Catalogs
from bot.runtime import running
from bot.services import outbox
from bot.services.outbox import Message, Recipient
from bot.telegram_request import AiohttpRequest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from presses import office

OURS = "111111:BENCH-dispatcher-token-0000000000000000"
THEIRS = "222222:BENCH-aioratelimiter-token-00000000000"
TEXT = "Jadwal perekaman KTP-el di MPP hari Sabtu dipindah ke pukul 09.00 WIB. Terima kasih."
STEADY_FROM = 200


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


@contextlib.asynccontextmanager
async def emulator(port: int, token: str, args: argparse.Namespace) -> AsyncIterator[str]:
    """`rekam emulator` in its own process; yields its control URL."""
    command = [sys.executable, "-m", "bot", "emulator", "--port", str(port), "--token", token]
    command += ["--latency", args.latency, "--jitter", args.jitter]
    if args.mode == "unlimited":
        command.append("--no-limits")
    process = subprocess.Popen(command)  # noqa: ASYNC220
    control = f"http://127.0.0.1:{port}/_emulator"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    await client.get(f"{control}/stats")
                    break
                await asyncio.sleep(0.1)
        if process.poll() is not None:  # another emulator holds the port: its figures are stale
            raise SystemExit(f"port {port} is taken; stop what listens there first")
        yield control
    finally:
        process.terminate()
        process.wait()


_CLIENT: list[httpx.AsyncClient] = []


async def control(url: str, action: str, body: dict[str, Any] | None = None) -> Any:
    # One client for the whole run: making one builds an SSL context, tens of milliseconds of
    # CPU that would stall the bot's event loop (it shares this process) at every call.
    if not _CLIENT:
        _CLIENT.append(httpx.AsyncClient(timeout=120))
    client = _CLIENT[0]
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
    steady = stats.get("steady_rate") or float("nan")
    return (
        f"| {name} | {accepted} | {rate:,.1f} msg/s | {steady:,.1f} msg/s | {stats['refused']} | "
        f"{stats['peak_one_second']} | {stats['peak_attempts_one_second']} | "
        f"{stats['per_chat_peak_one_second']} | {stats['paid']} | {wall:,.1f} s |"
    )


async def fresh_database(url: str, settings: Settings) -> Database:
    assert settings.data_key is not None
    db = Database(url, data_key=settings.data_key.get_secret_value())
    await upgrade(db)
    async with db.session() as session:  # a clean slate on a reused database
        await session.execute(OutboxMessage.__table__.delete())
        await session.execute(Lease.__table__.delete())
    return db


class Teen:
    """Sends /bantuan and presses ✅, each every two seconds; times the reply and the answer."""

    def __init__(self, url: str, chat_id: int, summons_id: int, bot: ExtBot[Any]) -> None:
        self.url, self.chat_id, self.bot = url, chat_id, bot
        self.press = {"chat_id": chat_id, "message_id": 0, "data": f"sm:{summons_id}:0:ok"}
        self.asked: list[float] = []
        self.queries: list[str] = []

    async def run(self, stop: asyncio.Event) -> None:
        """A second's pause, /bantuan, a second later ✅, and again; each reply is timed as it
        comes (a chat keeps its last 500 messages: timing them at the end would miss some)."""
        self.replies: list[float] = []
        waiting: list[float] = []
        while not stop.is_set():
            if len(self.asked) % 100 == 0:  # a fresh message to press under
                pin = await self.bot.send_message(self.chat_id, "📣 Panggilan perekaman KTP-el")
                self.press["message_id"] = pin.message_id
            await self._pause(stop)
            await self._timed(waiting)
            sent = await control(self.url, "send", {"chat_id": self.chat_id, "text": "/bantuan"})
            self.asked.append(sent["sent_at"])
            waiting.append(sent["sent_at"])
            await self._pause(stop)
            pressed = await control(self.url, "press", self.press)
            self.queries.append(pressed["callback_query_id"])
        await asyncio.sleep(2.0)  # the last ask's reply
        await self._timed(waiting)

    @staticmethod
    async def _pause(stop: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)

    async def _timed(self, waiting: list[float]) -> None:
        """Match the asks still waiting with the bot's messages that came after them."""
        if not waiting:
            return
        activity = await control(self.url, f"chats/{self.chat_id}")
        arrived = sorted(
            a["at"]
            for a in activity
            if a["kind"] == "message"
            and a["at"]
            and not a["payload"].get("text", "").startswith("📣")
        )
        for asked in list(waiting):
            later = [at for at in arrived if at >= asked]
            if later:
                self.replies.append(later[0] - asked)
                waiting.remove(asked)
                arrived.remove(later[0])

    async def times(self) -> tuple[list[float], list[float], int]:
        """Reply seconds, answer seconds, asks and presses never answered."""
        answers = await control(self.url, "answers", {"ids": self.queries})
        lost = len(self.asked) - len(self.replies) + len(self.queries) - len(answers)
        return self.replies, list(answers.values()), lost


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


async def rekam(url: str, base: str, args: argparse.Namespace, database: str) -> list[str]:
    """The whole bot: polling, handlers, the dispatcher; a broadcast and a teen asking."""
    receiving: dict[str, Any] = {}
    if args.webhook:  # updates pushed by the emulator, as Telegram does, instead of polled
        port = args.port + 10
        receiving = {
            "webhook_url": f"http://127.0.0.1:{port}/telegram",
            "webhook_secret": "bench-webhook-secret",
            "webhook_port": port,
        }
    settings = load_settings(
        database_url=database,
        bot_token=OURS,
        telegram_api_base_url=base,
        dispatch_rate=30,
        dispatch_paid_broadcast=args.mode == "paid",
        data_key=new_key(),
        **receiving,
    )
    db = await fresh_database(database, settings)
    chat_ids = await users(url, args.count)
    teen_chat = (await users(url, 1))[0]
    [summons_id] = await office(db, [teen_chat])
    await queue(db, chat_ids)
    app = build_application(settings, database=db)
    app.bot_data.throttle.presses = 1000  # the teen presses on purpose, every two seconds
    stop = asyncio.Event()
    async with running(app, poll_timeout=10, webhook=args.webhook):
        teen = Teen(url, teen_chat, summons_id, app.bot)
        started = time.perf_counter()
        asking = asyncio.create_task(teen.run(stop))
        while (await control(url, "stats"))["accepted"] < args.count + 1:  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        wall = time.perf_counter() - started
        stop.set()
        await asking
    replies, answers, lost = await teen.times()
    stats = await control(url, "stats")
    receive = "webhook" if args.webhook else "polling"
    rows = [summary(f"Rekam ({args.mode}, {receive})", stats, wall)]
    rows.append(
        f"| teen during the broadcast | {len(replies)} replies to /bantuan: p50 "
        f"{statistics.median(replies) * 1000:,.0f} ms, p99 {percentile(replies, 0.99) * 1000:,.0f}"
        f" ms, max {max(replies) * 1000:,.0f} ms; {len(answers)} ✅ answered: p99 "
        f"{percentile(answers, 0.99) * 1000:,.0f} ms; lost {lost} |"
    )
    return rows


async def aioratelimiter(url: str, count: int, base: str) -> list[str]:
    """PTB's AIORateLimiter in a process of its own (as Rekam's bot has its own)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "aio",
        "--count",
        str(count),
        "--url",
        url,
        "--base",
        base,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await process.communicate()
    return [line for line in output.decode().splitlines() if line.startswith("|")]


async def aio_alone(url: str, count: int, base: str) -> list[str]:
    chat_ids = await users(url, count)
    bot = ExtBot(
        THEIRS,
        base_url=base,
        request=AiohttpRequest(connect_timeout=60, read_timeout=60),
        rate_limiter=AIORateLimiter(max_retries=20),
    )
    await bot.initialize()
    started = time.perf_counter()
    # A network error is lost to AIORateLimiter (it retries 429s only); counted, not raised.
    outcomes = await asyncio.gather(
        *(bot.send_message(chat_id, TEXT) for chat_id in chat_ids), return_exceptions=True
    )
    wall = time.perf_counter() - started
    await bot.shutdown()
    lost = sum(isinstance(outcome, BaseException) for outcome in outcomes)
    name = f"PTB AIORateLimiter (max_retries=20; {lost} lost to errors)"
    return [summary(name, await control(url, "stats"), wall)]


async def unlimited(url: str, base: str, count: int, database: str) -> list[str]:
    """The outbox alone, no pacing: claim, render, send, record."""
    settings = load_settings(
        database_url=database, bot_token=OURS, telegram_api_base_url=base, data_key=new_key()
    )
    db = await fresh_database(database, settings)
    await queue(db, await users(url, count))
    budget = SendBudget(1000, pacer=Pacer(1_000_000, chat_interval=0))
    request = AiohttpRequest(connections=1000)  # as the bot has in paid mode
    bot = ExtBot(OURS, base_url=base, request=request, rate_limiter=budget)
    await bot.initialize()
    dispatcher = Dispatcher(bot, db, Catalogs(), settings, Clock(settings.zone), batch=1000)
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
    name = f"Rekam dispatcher (limits off, {db.engine.dialect.name})"
    return [summary(name, await control(url, "stats"), wall)]


HEADER = (
    "| sender | delivered | rate (first to last) | steady | 429s | busiest second (accepted) | "
    "busiest second (attempts) | busiest second, one chat | paid | wall |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        mine, other = args.port, args.port + 1
        ours_base, theirs_base = f"http://127.0.0.1:{mine}/bot", f"http://127.0.0.1:{other}/bot"
        if args.mode == "aio":  # the other side of `limits`, started by it
            for row in await aio_alone(args.url, args.count, args.base):
                report(row)
            return
        report(f"{args.mode}: {args.count:,} messages, round trips {args.latency} ± {args.jitter}")
        if args.mode == "unlimited":
            async with emulator(mine, OURS, args) as url:
                rows = await unlimited(url, ours_base, args.count, database)
        elif args.mode == "paid" or args.alone:
            async with emulator(mine, OURS, args) as url:
                rows = await rekam(url, ours_base, args, database)
        else:
            async with emulator(mine, OURS, args) as ours, emulator(other, THEIRS, args) as theirs:
                ours_rows, theirs_rows = await asyncio.gather(
                    rekam(ours, ours_base, args, database),
                    aioratelimiter(theirs, args.count, theirs_base),
                )
                rows = ours_rows + theirs_rows
        report(HEADER)
        for row in rows:
            report(row)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("limits", "paid", "unlimited", "aio"))
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--latency", default="250ms", help="round trip, e.g. 250ms")
    parser.add_argument("--jitter", default="20ms", help="round trips vary by ± this")
    parser.add_argument("--alone", action="store_true", help="limits: without AIORateLimiter")
    parser.add_argument("--webhook", action="store_true", help="Rekam receives by webhook")
    parser.add_argument("--database", help="default: a new SQLite file")
    parser.add_argument("--port", type=int, default=8091, help="the emulators': this and the next")
    asyncio.run(main(parser.parse_args()))
