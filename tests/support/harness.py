"""Running the real bot against the in-process emulator, as the tests' users see it."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.context import RekamApp
from bot.db.engine import Database
from bot.db.models import Broadcast
from bot.db.vault import new_key
from bot.delivery.phones import Phones
from bot.domain.outbox_kinds import Kind
from bot.emulator import Limits, ReceivedMessage, TelegramEmulator, UserClient
from bot.emulator.client import WAIT
from bot.emulator.latency import NO_LATENCY, Latency
from bot.emulator.server import serve
from bot.emulator.transport import IN_PROCESS_BASE_URL, emulator_request
from bot.runtime import running
from bot.services import outbox
from bot.services.outbox import Message, Recipient

TOKEN = "987654:TEST-harness-token-00000000000000000"
# Test users type far faster than people; the per-chat limit has its own tests in
# test_emulator.py, so journeys get a roomier burst and keep every other limit.
JOURNEY_LIMITS = Limits(chat_burst=50)


# Generated for this test run: NIKs in test databases are sealed with it (no key in the repo).
TEST_DATA_KEY = new_key()


def database(url: str, phones: tuple[str, ...] = ()) -> Database:
    """A handle on a test database that can read and write NIKs (and, with `phones`, sends on
    those channels beyond Telegram)."""
    return Database(url, data_key=TEST_DATA_KEY, phones=phones)


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "data_key": TEST_DATA_KEY,
        "bot_token": TOKEN,
        "telegram_api_base_url": IN_PROCESS_BASE_URL,
        "office_name": "Dinas Dukcapil Kota Uji",
        "office_region_codes": "3599",
        # Test users type instantly; the journeys' emulator takes bursts of 50 (JOURNEY_LIMITS).
        "dispatch_reply_burst": 50,
        # Tests run at any hour; quiet hours have their own tests.
        "quiet_hours": "",
        **overrides,
    }
    return load_settings(**values)


@dataclass
class BotHarness:
    emulator: TelegramEmulator
    app: RekamApp
    db: Database
    settings: Settings

    def user(self, first_name: str = "Rina", *, language_code: str = "id") -> UserClient:
        return UserClient.create(self.emulator, first_name, language_code=language_code)


async def onboard(
    person: UserClient, language: str = "Bahasa Indonesia", role: str | None = None
) -> None:
    """What everyone does first: /start, a language button, then (if given) a role button."""
    person.send("/start")
    await person.next_message()
    person.press(language)
    question = await person.next_message()
    if role is not None:
        person.press(role)
        await person.edited(question)  # the question becomes the next steps for that role


async def until_phone_question(teen: UserClient) -> list[ReceivedMessage]:
    """Read the welcome (and the summons with its pin, if any) up to the phone question, the
    last message of linking (it puts the share-number keyboard up), however slowly a busy
    machine sends them; returns the messages read."""
    read: list[ReceivedMessage] = []
    while True:
        read.append(await teen.next_message())
        if teen.keyboard and read[-1].message_id == teen.messages[-1].message_id:
            return read


HELP_LINE = "/bantuan — "  # in every language's answer to /bantuan: the list of commands


async def before_help(person: UserClient) -> list[ReceivedMessage]:
    """Every new message up to the bot's answer to a /bantuan sent now (that answer read, not
    returned). The bot answers one person's updates in order, so this shows that nothing more
    came of what they did before, without waiting for the bot to fall silent."""
    person.send("/bantuan")
    read: list[ReceivedMessage] = []
    while HELP_LINE not in (message := await person.next_message()).text:
        read.append(message)
    return read


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until(
    condition: Callable[[], Awaitable[bool]], timeout: float = WAIT, what: str = "condition"
) -> None:
    """Wait for an async condition to hold (the dispatcher or another process works in the
    background); fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"{what} not reached in {timeout} s"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    limits: Limits | None = None,
    latency: Latency = NO_LATENCY,
    read_timeout: float = WAIT,  # a send timed out is sent again: on a busy machine, wait
    clock: Clock | None = None,
    web: bool = False,
    phones: Phones | None = None,
) -> AsyncIterator[BotHarness]:
    """The real Application, polling the emulator, with its own database handle for checks;
    with `web`, the dashboard served too (give the settings a free WEB_PORT)."""
    emulator = TelegramEmulator(TOKEN, limits=limits or JOURNEY_LIMITS, latency=latency)
    app = build_application(
        settings,
        request=emulator_request(emulator, read_timeout=read_timeout),
        get_updates_request=emulator_request(emulator, read_timeout=10),
        clock=clock,
        phones=phones,
    )
    checks = database(settings.database_url, settings.phones)
    try:
        async with running(app, poll_timeout=2, web=web):
            yield BotHarness(emulator, app, checks, settings)
    finally:
        await checks.dispose()


async def broadcast_to(bot: BotHarness, people: list[UserClient] | list[int], text: str) -> int:
    """Queue a staff broadcast of `text` to these people (or chat ids: a group's)."""
    chat_ids = [p if isinstance(p, int) else p.id for p in people]
    return await queue_broadcast(bot.db, chat_ids, text)


async def queue_broadcast(db: Database, chat_ids: list[int], text: str) -> int:
    """A staff broadcast of `text` to these chats, queued in the outbox; its id."""
    async with db.session() as session:
        row = Broadcast(created_by=1, audience="all_pending", text=text, recipients=len(chat_ids))
        session.add(row)
        await session.flush()
        await outbox.enqueue(
            session,
            [Recipient(chat_id, "id") for chat_id in chat_ids],
            [
                Message(
                    kind=Kind.BROADCAST,
                    due_at=datetime.now(UTC),
                    params={"broadcast_id": row.id},
                    dedupe=f"broadcast:{row.id}",
                )
            ],
        )
        return row.id


def started(bot: BotHarness, count: int) -> list[UserClient]:
    people = []
    for index in range(count):
        person = UserClient(bot.emulator, bot.emulator.add_user(f"U{index}", started=True))
        people.append(person)
    return people


@asynccontextmanager
async def loopback_emulator() -> AsyncIterator[tuple[TelegramEmulator, int]]:
    """The emulator on a real port, limits off: these tests are about exactly-once delivery."""
    emulator = TelegramEmulator(TOKEN, limits=Limits(enabled=False), history=5)
    port = free_port()
    server = asyncio.create_task(serve(emulator, "127.0.0.1", port))
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    try:
        yield emulator, port
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
