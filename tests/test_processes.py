"""Real `rekam run` processes against a loopback emulator: kill -9 mid-broadcast, and two
processes sharing one PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import OutboxMessage
from bot.domain.kinds import OutboxState
from bot.emulator import TelegramEmulator
from tests.support.harness import (
    TEST_DATA_KEY,
    TOKEN,
    database,
    free_port,
    loopback_emulator,
    until,
)
from tests.support.harness import queue_broadcast as queue_text

RECIPIENTS = 600


async def queue_broadcast(db: Database, chat_ids: list[int]) -> None:
    await upgrade(db)
    await queue_text(db, chat_ids, "Jadwal berubah")


def start_bot(database_url: str, port: int, *args: str, rate: int = 150) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "DISPATCH_RATE": str(rate),
        "DISPATCH_LEASE_SECONDS": "3",
        "DATA_KEY": TEST_DATA_KEY,
        "QUIET_HOURS": "",  # the broadcast goes at whatever hour the test runs
        # The dashboard on a port of its own: two of these processes at once (parallel tests)
        # would both want 8080.
        "WEB_PORT": str(free_port()),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def count(db: Database, state: OutboxState) -> int:
    async with db.session() as session:
        query = select(func.count(OutboxMessage.id)).where(OutboxMessage.state == state)
        return int((await session.execute(query)).scalar_one())


async def wait_for(
    db: Database,
    state: OutboxState,
    at_least: int,
    *processes: subprocess.Popen[bytes],
    timeout: float = 60.0,
) -> None:

    async def reached() -> bool:
        for process in processes:
            if process.poll() is not None:  # a process that died says why
                raise AssertionError(process.stderr.read().decode() if process.stderr else "")
        return await count(db, state) >= at_least

    await until(reached, timeout, f"{at_least} {state} rows")


def received(emulator: TelegramEmulator, chat_ids: list[int]) -> list[int]:
    return [sum(kind == "message" for _, kind, _ in emulator.chats[c].activity) for c in chat_ids]


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


@pytest.mark.slow
async def test_kill_9_mid_broadcast_then_restart_loses_nothing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/office.db"
    db = database(url)
    async with loopback_emulator() as (emulator, port):
        chats = [emulator.add_user(f"U{i}", started=True)["id"] for i in range(RECIPIENTS)]
        await queue_broadcast(db, chats)
        first = start_bot(url, port)
        await wait_for(db, OutboxState.SENT, RECIPIENTS // 4, first)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        in_flight = await count(db, OutboxState.SENDING)
        sent_before = await count(db, OutboxState.SENT)
        second = start_bot(url, port)
        try:
            await wait_for(db, OutboxState.SENT, RECIPIENTS, second)
        finally:
            stop(second)
        copies = received(emulator, chats)
    await db.dispose()
    duplicates = sum(c - 1 for c in copies if c > 1)
    print(
        f"\nkill -9 after {sent_before} of {RECIPIENTS} sent; {in_flight} in flight; "
        f"{duplicates} recipients got a second copy; {copies.count(0)} got none"
    )
    assert copies.count(0) == 0
    assert max(copies) <= 2 and duplicates <= in_flight


@pytest.mark.slow
async def test_two_processes_on_postgresql_send_each_message_once(postgres_url: str) -> None:
    db = database(postgres_url)
    async with loopback_emulator() as (emulator, port):
        chats = [emulator.add_user(f"U{i}", started=True)["id"] for i in range(RECIPIENTS)]
        await queue_broadcast(db, chats)
        polling = start_bot(postgres_url, port, rate=200)
        worker = start_bot(postgres_url, port, "--dispatch-only", rate=200)
        try:
            await wait_for(db, OutboxState.SENT, RECIPIENTS, polling, worker)
        finally:
            stop(polling)
            stop(worker)
        copies = received(emulator, chats)
        async with db.session() as session:
            by_process = dict(
                (
                    await session.execute(
                        select(OutboxMessage.claimed_by, func.count()).group_by(
                            OutboxMessage.claimed_by
                        )
                    )
                ).all()
            )
    await db.dispose()
    print(f"\ntwo processes sent {sorted(by_process.values())} of {RECIPIENTS}")
    assert copies == [1] * RECIPIENTS
    assert len(by_process) == 2 and all(n > 0 for n in by_process.values())
