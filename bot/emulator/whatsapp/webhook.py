"""Delivering webhook events as Meta does: one signed POST per event to the app's callback URL
(`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body with the app secret>`), the same
event again after a non-2xx answer, with growing back-off; and the subscription handshake
(GET with hub.mode, hub.verify_token and hub.challenge), which the app must echo.

The emulator is offline: over the network it delivers only to this machine (127.0.0.1,
localhost, ::1). A test hands in its own httpx client (an in-process ASGI transport), which
reaches whatever app it was built around and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import secrets
from urllib.parse import urlsplit

import httpx

from bot.emulator.whatsapp.errors import Json
from bot.emulator.whatsapp.state import WebhookConfig, WhatsAppEmulator

SIGNATURE_HEADER = "X-Hub-Signature-256"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CONNECTIONS = 8
RETRY_FIRST = 0.1
RETRY_MAX = 2.0
TIMEOUT = httpx.Timeout(10.0)


def reachable(url: str) -> bool:
    """Whether the emulator may deliver to `url` over the network (an address on this machine)."""
    return urlsplit(url).hostname in LOOPBACK


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta sends with `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def encode(event: Json) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def subscribe(
    emulator: WhatsAppEmulator, config: WebhookConfig, http: httpx.AsyncClient | None = None
) -> None:
    """Deliver every event, from now on, to `config.url` (through `http` if given)."""
    stop_pushing(emulator)
    emulator.webhook = config
    if http is None and not reachable(config.url):
        return  # recorded and never called, as if Meta kept the events pending
    emulator.pusher = asyncio.get_running_loop().create_task(
        _push(emulator, config, http), name="whatsapp emulator webhook"
    )


def stop_pushing(emulator: WhatsAppEmulator) -> None:
    """Stop delivering; an event being delivered goes back to the front of the queue."""
    if emulator.pusher is not None:
        emulator.pusher.cancel()
        emulator.pusher = None


async def verify(
    emulator: WhatsAppEmulator, config: WebhookConfig, http: httpx.AsyncClient | None = None
) -> bool:
    """Meta's handshake against the app: True when it echoes the challenge."""
    if http is None and not reachable(config.url):
        return False
    challenge = str(secrets.randbelow(10**9))
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": config.verify_token,
        "hub.challenge": challenge,
    }
    async with contextlib.AsyncExitStack() as stack:
        client = await _client(stack, http)
        with contextlib.suppress(httpx.HTTPError):
            response = await client.get(config.url, params=params)
            return response.status_code == 200 and response.text.strip() == challenge
    return False


async def _client(
    stack: contextlib.AsyncExitStack, http: httpx.AsyncClient | None
) -> httpx.AsyncClient:
    """The client given, or one of our own closed with `stack`."""
    if http is not None:
        return http
    return await stack.enter_async_context(httpx.AsyncClient(timeout=TIMEOUT))


async def _push(
    emulator: WhatsAppEmulator, config: WebhookConfig, http: httpx.AsyncClient | None
) -> None:
    async with contextlib.AsyncExitStack() as stack:
        client = await _client(stack, http)
        await asyncio.gather(*(_deliver(emulator, client, config) for _ in range(CONNECTIONS)))


async def _deliver(
    emulator: WhatsAppEmulator, client: httpx.AsyncClient, config: WebhookConfig
) -> None:
    """One connection's loop: take the next event, post it until the app answers 2xx."""
    while True:
        event = await emulator.next_event()
        emulator.delivering += 1
        answered = False
        try:
            delay = RETRY_FIRST
            while not (answered := await _post(emulator, client, config, event)):
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
        except asyncio.CancelledError:
            if not answered:
                emulator.put_back(event)
            raise
        finally:
            emulator.delivering -= 1


async def _post(
    emulator: WhatsAppEmulator, client: httpx.AsyncClient, config: WebhookConfig, event: Json
) -> bool:
    latency = emulator.latency
    if latency.enabled:
        await asyncio.sleep(latency.one_way())
    body = encode(event)
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(config.app_secret, body)}
    try:
        response = await client.post(config.url, content=body, headers=headers)
    except httpx.HTTPError:
        return False
    finally:
        if latency.enabled:  # the answer's way back; the connection stays taken
            await asyncio.sleep(latency.one_way())
    return 200 <= response.status_code < 300
