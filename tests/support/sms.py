"""The SMS channel against the in-process gateway emulator: a webhook receiver that records
what the phone posts, and the bot's sender pointed at the emulator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.channels.sms.gateway import SmsGateway
from bot.emulator.sms import IN_PROCESS_BASE_URL, SmsGatewayEmulator, in_process_transport
from bot.emulator.sms.values import Pace

LOGIN, PASSWORD, SIGNING_KEY = "kantor", "sandi-uji", "kunci-tanda-uji"
HOOK_URL = "http://127.0.0.1:8443/sms/webhook"
WAIT = 5.0


@dataclass(frozen=True)
class Posted:
    """One webhook POST as the bot's endpoint got it."""

    body: bytes
    signature: str | None
    timestamp: str | None

    @property
    def envelope(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Receiver:
    """The bot's webhook endpoint: answers `answers` in turn (then 200) and keeps every POST."""

    answers: list[int] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.posts.append(
            Posted(
                await request.aread(),
                request.headers.get("X-Signature"),
                request.headers.get("X-Timestamp"),
            )
        )
        self._arrived.set()
        return httpx.Response(self.answers.pop(0) if self.answers else 200)

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.MockTransport(self.handle)

    def events(self, event: str) -> list[Posted]:
        return [post for post in self.posts if post.envelope["event"] == event]

    async def until(self, event: str, count: int = 1) -> list[Posted]:
        """The first `count` posts of `event`, once they have come."""
        async with asyncio.timeout(WAIT):
            while len(self.events(event)) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.events(event)


@dataclass
class SmsWorld:
    emulator: SmsGatewayEmulator
    receiver: Receiver
    gateway: SmsGateway


@asynccontextmanager
async def sms_world(
    *,
    answers: list[int] | None = None,
    pace: Pace | None = None,
    password: str = PASSWORD,
    timeout: float = 5.0,
) -> AsyncIterator[SmsWorld]:
    """An emulated phone with the bot's webhooks registered, and the bot's sender."""
    receiver = Receiver(list(answers or []))
    emulator = SmsGatewayEmulator(
        LOGIN,
        PASSWORD,
        signing_key=SIGNING_KEY,
        pace=pace,
        webhook_transport=receiver.transport(),
    )
    gateway = SmsGateway(
        IN_PROCESS_BASE_URL,
        LOGIN,
        password,
        transport=in_process_transport(emulator),
        timeout=timeout,
    )
    try:
        if password == PASSWORD:
            assert isinstance(await gateway.register_webhooks(HOOK_URL), list)
        yield SmsWorld(emulator, receiver, gateway)
    finally:
        await gateway.aclose()
        await emulator.aclose()
