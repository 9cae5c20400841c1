"""The WhatsApp emulator and client wired together in process, a clock to step through days,
and a small app that stands where Rekam's webhook will: it checks what Meta would send."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.whatsapp import (
    Inbound,
    Status,
    WhatsAppClient,
    challenge,
    parse,
    verify_signature,
)
from bot.emulator.whatsapp import Limits, WhatsAppEmulator, in_process_client
from bot.emulator.whatsapp.server import IN_PROCESS_API_URL

APP_SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
WEBHOOK_URL = "http://rekam.invalid/whatsapp"
START = 1_780_000_000.0


@dataclass
class SteppedClock:
    """Epoch seconds that move only when a test says so."""

    now: float = START

    def __call__(self) -> float:
        return self.now

    def step(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class World:
    emulator: WhatsAppEmulator
    client: WhatsAppClient
    clock: SteppedClock
    seen: list[Inbound] = field(default_factory=list)

    def inbound(self) -> list[Inbound]:
        """Every status and reply the emulator queued since last asked, parsed."""
        new = [item for event in self.emulator.take_events() for item in parse(event)]
        self.seen.extend(new)
        return new

    def statuses(self, message_id: str) -> list[Status]:
        """Every status of one message the webhook carried so far, oldest first."""
        self.inbound()
        return [s for s in self.seen if isinstance(s, Status) and s.message_id == message_id]


@asynccontextmanager
async def whatsapp_world(
    *,
    limits: Limits | None = None,
    review_delay: float | None = 0.0,
    read_timeout: float = 5.0,
    token: str | None = None,
) -> AsyncIterator[World]:
    """An emulator with a stepped clock and a client talking to it through httpx in process."""
    clock = SteppedClock()
    emulator = WhatsAppEmulator(limits=limits, clock=clock, review_delay=review_delay)
    async with in_process_client(emulator, read_timeout=read_timeout) as http:
        client = WhatsAppClient(
            IN_PROCESS_API_URL,
            emulator.phone_number_id,
            token or emulator.token,
            waba_id=emulator.waba_id,
            http=http,
        )
        yield World(emulator, client, clock)


@dataclass
class Receiver:
    """Rekam's webhook as Meta meets it: the handshake, then signed POSTs (500 for the first
    `fail_first`, to make the emulator retry)."""

    fail_first: int = 0
    bodies: list[bytes] = field(default_factory=list)
    signatures: list[str | None] = field(default_factory=list)
    accepted: list[Inbound] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handshake(self, request: Request) -> Response:
        echoed = challenge(request.query_params, VERIFY_TOKEN)
        return PlainTextResponse(echoed, 200) if echoed else PlainTextResponse("", 403)

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        signature = request.headers.get("x-hub-signature-256")
        self.bodies.append(body)
        self.signatures.append(signature)
        if len(self.bodies) <= self.fail_first:
            return Response(status_code=500)
        if not verify_signature(APP_SECRET, body, signature):
            return Response(status_code=401)
        self.accepted.extend(parse(await request.json()))
        self.arrived.set()
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/whatsapp", self.handshake, methods=["GET"]),
                Route("/whatsapp", self.receive, methods=["POST"]),
            ]
        )

    def http(self) -> httpx.AsyncClient:
        """What the emulator posts through to reach this app in process."""
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app()))

    async def until(self, count: int) -> None:
        """Return once `count` items were accepted."""
        while len(self.accepted) < count:
            self.arrived.clear()
            await self.arrived.wait()
