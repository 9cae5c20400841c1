"""Inbound: teens pressing ✅ under their summons, end to end through the real Application.

Each press is a callback_query update; the bot receives it, checks it, commits the
confirmation, answers the query and edits the message. Latency is from the press to the answer
(the answer is sent after the commit), as the emulator (its own process) measures it. The
emulator makes the presses at the offered rate, so the bot's process does only the bot's work;
its CPU time per press is reported too (all its threads, the SQLite driver's included), and the
emulator's, as both share this machine's cores.

--mode polling (default): the real Application (build_application, running) in this process,
reading the presses by long polling as `rekam run` does.
--mode webhook: `--processes N` bot processes, each `rekam run --webhook` on its own port
(8094, 8095, ...), started one after the other (the first brings the schema up to date). The
emulator posts each update to a webhook as Telegram does (bot.emulator.webhook: the secret
header, up to 40 connections); with N > 1 it sends the updates to the N addresses in turn,
standing in for the load balancer an office would put in front of them. N > 1 needs a
database the processes share: PostgreSQL.

Run (one benchmark at a time on a shared machine: flock):
    flock /tmp/rekam-bench.lock .venv/bin/python docs/bench/presses.py --teens 3000 --rate 300
    flock /tmp/rekam-bench.lock .venv/bin/python docs/bench/presses.py --teens 3000 --rate 300 \
        --mode webhook [--processes 2] [--database postgresql+asyncpg://postgres@127.0.0.1/NAME]
    --rate 0 presses everything at once (the throughput ceiling; latencies are then queueing).
    For PostgreSQL, a fresh database each run: createdb -h 127.0.0.1 -U postgres NAME (the bot
    brings it up to date), dropdb after.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bot.app import build_application
from bot.config import load_settings
from bot.db.codes import new_columns
from bot.db.engine import Database
from bot.db.models import Account, Place, ServiceSession, Summons, Target
from bot.db.vault import new_key, vault_of
from bot.domain import nik as nik_rules
from bot.domain.kinds import Role, SummonsState
from bot.runtime import running

TOKEN = "333333:BENCH-presses-token-00000000000000000000"
EMULATOR_PORT = 8093
API = f"http://127.0.0.1:{EMULATOR_PORT}"
FIRST_WEBHOOK_PORT = 8094
SECRET = "bench-webhook-secret"
Call = Callable[[str, dict[str, Any]], Awaitable[Any]]


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, all its threads (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
                **new_columns(vault_of(session), f"B{index:07d}", f"H{index:07d}"),
                name=f"Peserta Uji {index}",
                birth_date=born,
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
async def emulator_process() -> AsyncIterator[tuple[Call, int]]:
    """`rekam emulator` (limits off) in its own process, as Telegram is not in the bot's;
    yields its control surface and its pid."""
    command = [sys.executable, "-m", "bot", "emulator", "--port", str(EMULATOR_PORT)]
    process = subprocess.Popen(  # noqa: ASYNC220
        [*command, "--token", TOKEN, "--no-limits"], stdout=subprocess.DEVNULL
    )
    url = f"{API}/_emulator"
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    async with client.get(f"{url}/stats"):
                        break
                await asyncio.sleep(0.1)

            async def call(action: str, body: dict[str, Any]) -> Any:
                async with client.post(f"{url}/{action}", json=body) as response:
                    return (await response.json())["result"]

            yield call, process.pid
    finally:
        process.terminate()
        process.wait()


@contextlib.asynccontextmanager
async def webhook_processes(
    count: int, url: str, data_key: str, folder: str
) -> AsyncIterator[list[int]]:
    """`count` bots, each `rekam run --webhook` on its own port; yields their pids once every
    one has set its webhook. One after the other: the first brings the schema up to date."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        async with aiohttp.ClientSession() as client:
            for index in range(count):
                port = FIRST_WEBHOOK_PORT + index
                hook = f"http://127.0.0.1:{port}/telegram"
                env = {
                    **os.environ,
                    "DATABASE_URL": url,
                    "BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": f"{API}/bot",
                    "DATA_KEY": data_key,
                    "WEBHOOK_URL": hook,
                    "WEBHOOK_SECRET": SECRET,
                    "WEBHOOK_PORT": str(port),
                }
                log = Path(folder) / f"bot{index}.log"
                processes.append(
                    subprocess.Popen(  # noqa: ASYNC220
                        [sys.executable, "-m", "bot", "run", "--webhook"],
                        env=env,
                        cwd=folder,
                        stdout=subprocess.DEVNULL,
                        stderr=log.open("wb"),
                    )
                )
                for _ in range(300):
                    async with client.get(f"{API}/bot{TOKEN}/getWebhookInfo") as response:
                        if (await response.json())["result"]["url"] == hook:
                            break
                    if processes[-1].poll() is not None:
                        raise SystemExit(f"bot {index} stopped:\n{log.read_text()[-3000:]}")
                    await asyncio.sleep(0.1)
                else:
                    raise SystemExit(f"bot {index} set no webhook:\n{log.read_text()[-3000:]}")
        yield [process.pid for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()


async def prepare(
    call: Call, office_db: Database, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """The office and a summons message per teen; returns the presses to make."""
    chats = [u["id"] for u in await call("users", {"count": args.teens})]
    ids = await office(office_db, chats)
    messages = []
    async with aiohttp.ClientSession() as client:
        for chat_id in chats:  # the summons message each teen presses under
            async with client.post(
                f"{API}/bot{TOKEN}/sendMessage",
                json={"chat_id": chat_id, "text": "📣 Panggilan perekaman KTP-el"},
            ) as response:
                messages.append((await response.json())["result"]["message_id"])
    presses = [
        {"chat_id": chat_id, "message_id": message_id, "data": f"sm:{summons_id}:0:ok"}
        for chat_id, message_id, summons_id in zip(chats, messages, ids, strict=True)
    ]
    return presses


async def press_all(
    call: Call, presses: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    """The presses at the offered rate; returns the latencies and the wall time from the first
    press to the last answer."""
    started = time.monotonic()
    queries = await call("presses", {"presses": presses, "rate": args.rate})
    while len(answers := await call("answers", {"ids": queries})) < len(queries):  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return {"latencies": sorted(answers.values()), "seconds": time.monotonic() - started}


async def measured(pids: list[int], work: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """`work`'s result with the CPU seconds each of `pids` spent on it."""
    before = [cpu_seconds(pid) for pid in pids]
    result = await work
    result["cpu"] = [cpu_seconds(pid) - spent for pid, spent in zip(pids, before, strict=True)]
    return result


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        data_key = new_key()
        db = Database(url, data_key=data_key)
        async with emulator_process() as (call, emulator_pid):
            if args.mode == "polling":
                settings = load_settings(
                    database_url=url,
                    bot_token=TOKEN,
                    telegram_api_base_url=f"{API}/bot",
                    data_key=data_key,
                )
                app = build_application(settings)  # the production request: aiohttp
                async with running(app, poll_timeout=1):
                    presses = await prepare(call, db, args)
                    result = await measured(
                        [os.getpid(), emulator_pid], press_all(call, presses, args)
                    )
            else:
                async with webhook_processes(args.processes, url, data_key, folder) as pids:
                    if args.processes > 1:
                        hooks = [
                            f"http://127.0.0.1:{FIRST_WEBHOOK_PORT + index}/telegram"
                            for index in range(args.processes)
                        ]
                        await call("webhook_targets", {"urls": hooks})
                    presses = await prepare(call, db, args)
                    result = await measured([*pids, emulator_pid], press_all(call, presses, args))
        async with db.session() as session:
            confirmed = await session.scalar(
                select(func.count())
                .select_from(Summons)
                .where(Summons.state == SummonsState.CONFIRMED)
            )
        await db.dispose()
    latencies, presses = result["latencies"], len(result["latencies"])
    p99 = latencies[int(presses * 0.99) - 1]
    offered = f"{args.rate:.0f}/s" if args.rate else "all at once"
    bot_cpu, emulator_cpu = sum(result["cpu"][:-1]), result["cpu"][-1]
    mode = args.mode if args.mode == "polling" else f"webhook × {args.processes}"
    report(
        "| mode | database | presses | offered | handled/s | confirmed in DB | p50 | p99 | max "
        "| bot CPU per press | emulator CPU per press |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|"
    )
    report(
        f"| {mode} | {url.split('+')[0]} | {presses} | {offered} | "
        f"{presses / result['seconds']:,.0f} | {confirmed} | "
        f"{statistics.median(latencies) * 1000:,.0f} ms | {p99 * 1000:,.0f} ms | "
        f"{latencies[-1] * 1000:,.0f} ms | {bot_cpu / presses * 1000:.1f} ms | "
        f"{emulator_cpu / presses * 1000:.1f} ms |"
    )
    if len(result["cpu"]) > 2:  # how the work was split between the bot processes
        report("bot CPU seconds by process: " + ", ".join(f"{s:.1f}" for s in result["cpu"][:-1]))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teens", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=400, help="presses per second; 0: all")
    parser.add_argument("--database", help="default: a new SQLite file")
    parser.add_argument("--mode", choices=("polling", "webhook"), default="polling")
    parser.add_argument("--processes", type=int, default=1, help="webhook: bot processes")
    arguments = parser.parse_args()
    if arguments.processes > 1 and arguments.mode != "webhook":
        parser.error("--processes is for --mode webhook")
    asyncio.run(main(arguments))
