"""Inbound: teens pressing ✅ under their summons, end to end through the real Application.

Each press is a callback_query update; the bot reads it by long polling, checks it, commits the
confirmation, answers the query and edits the message. Latency is from the press to the answer
(the answer is sent after the commit), as the emulator (its own process) measures it. The
emulator makes the presses at the offered rate, so the bot's process does only the bot's work;
its CPU time per press is reported too (all its threads, the SQLite driver's included).

Run:
    .venv/bin/python docs/bench/presses.py --teens 3000 --rate 400 [--database URL]
    --rate 0 presses everything at once (the throughput ceiling; latencies are then queueing).
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.app import build_application
from bot.config import load_settings
from bot.db.engine import Database
from bot.db.models import Account, Place, ServiceSession, Summons, Target
from bot.db.vault import new_key, vault_of
from bot.domain import nik as nik_rules
from bot.domain.kinds import Role, SummonsState
from bot.runtime import running

TOKEN = "333333:BENCH-presses-token-00000000000000000000"


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


async def office(db: Database, chat_ids: list[int]) -> list[int]:
    """One session per 500 teens, a summons each, linked accounts; returns the summons ids."""
    now = datetime.now(UTC)
    async with db.session() as session:
        place = Place(name="Mal Pelayanan Publik", address="Jl. Contoh 1")
        session.add(place)
        await session.flush()
        sessions = []
        for day in range(len(chat_ids) // 500 + 1):
            starts = now + timedelta(days=3 + day)
            row = ServiceSession(
                place_id=place.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                capacity=500,
                booked=0,
                services=["rekam"],
            )
            session.add(row)
            sessions.append(row)
        await session.flush()
        born = now.date() - timedelta(days=17 * 365 + 40)
        summonses = []
        for index, chat_id in enumerate(chat_ids):
            nik = nik_rules.build("359901", born, female=index % 2 == 0, serial=index + 1)
            target = Target(
                nik_hash=vault_of(session).hash(nik),
                nik_sealed=vault_of(session).seal(nik),
                attend_code=f"H{index:07d}",
                name=f"Peserta Uji {index}",
                birth_date=born,
                invite_code=f"B{index:07d}",
            )
            session.add(target)
            await session.flush()
            session.add(
                Account(
                    telegram_id=chat_id,
                    language="id",
                    language_chosen=True,
                    role=Role.TEEN,
                    target_id=target.id,
                )
            )
            held = sessions[index // 500]
            held.booked += 1
            summons = Summons(target_id=target.id, session_id=held.id)
            session.add(summons)
            summonses.append(summons)
        await session.flush()
        return [s.id for s in summonses]


@contextlib.asynccontextmanager
async def emulator_process(port: int) -> AsyncIterator[str]:
    """`rekam emulator` (limits off) in its own process, as Telegram is not in the bot's."""
    command = [sys.executable, "-m", "bot", "emulator", "--port", str(port), "--token", TOKEN]
    process = subprocess.Popen([*command, "--no-limits"], stdout=subprocess.DEVNULL)  # noqa: ASYNC220
    url = f"http://127.0.0.1:{port}/_emulator"
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with client.get(f"{url}/stats"):
                        break
                await asyncio.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        async with emulator_process(8093) as control, aiohttp.ClientSession() as client:

            async def call(action: str, body: dict[str, Any]) -> Any:
                async with client.post(f"{control}/{action}", json=body) as response:
                    return (await response.json())["result"]

            settings = load_settings(
                database_url=url,
                bot_token=TOKEN,
                telegram_api_base_url="http://127.0.0.1:8093/bot",
                data_key=new_key(),
            )
            app = build_application(settings)  # the production request: aiohttp
            assert settings.data_key is not None
            db = Database(url, data_key=settings.data_key.get_secret_value())
            async with running(app, poll_timeout=1):
                chats = [u["id"] for u in await call("users", {"count": args.teens})]
                ids = await office(db, chats)
                messages = []
                for chat_id in chats:  # the summons message each teen presses under
                    sent = await app.bot.send_message(chat_id, "📣 Panggilan perekaman KTP-el")
                    messages.append(sent.message_id)
                presses = [
                    {"chat_id": chat_id, "message_id": message_id, "data": f"sm:{summons_id}:0:ok"}
                    for chat_id, message_id, summons_id in zip(chats, messages, ids, strict=True)
                ]
                started, cpu_started = time.monotonic(), time.process_time()
                queries = await call("presses", {"presses": presses, "rate": args.rate})
                while len(answers := await call("answers", {"ids": queries})) < len(queries):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
                finished, cpu = time.monotonic(), time.process_time() - cpu_started
            async with db.session() as session:
                confirmed = await session.scalar(
                    select(func.count())
                    .select_from(Summons)
                    .where(Summons.state == SummonsState.CONFIRMED)
                )
            await db.dispose()
    latencies = sorted(answers.values())
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    offered = f"{args.rate:.0f}/s" if args.rate else "all at once"
    report(
        "| database | presses | offered | handled/s | confirmed in DB | p50 | p99 | max "
        "| bot CPU per press |\n|---|---|---|---|---|---|---|---|---|"
    )
    report(
        f"| {url.split('+')[0]} | {len(queries)} | {offered} | "
        f"{len(queries) / (finished - started):,.0f} | {confirmed} | "
        f"{statistics.median(latencies) * 1000:,.0f} ms | {p99 * 1000:,.0f} ms | "
        f"{latencies[-1] * 1000:,.0f} ms | {cpu / len(queries) * 1000:.1f} ms |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teens", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=400, help="presses per second; 0: all")
    parser.add_argument("--database", help="default: a new SQLite file")
    asyncio.run(main(parser.parse_args()))
