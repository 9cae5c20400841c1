"""Delivering updates to a webhook as Telegram does: one HTTP POST per update with the secret
header, up to `max_connections` at once, the same update again after a failure. With a round
trip set (`--latency`), each POST takes half of it to reach the bot and its answer the other
half to come back, the delivery slot taken meanwhile, as for the bot's own calls.

The emulator is offline, so it delivers only to this machine (127.0.0.1, localhost, ::1);
a webhook elsewhere (the tests' https://office.example) is recorded and never called, as if
Telegram kept the updates pending."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

import aiohttp

from bot.emulator.state import Json, TelegramEmulator

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DEFAULT_CONNECTIONS = 40  # Telegram's default max_connections
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# After a failed delivery the same update is tried again after RETRY_FIRST seconds, doubling.
RETRY_FIRST = 0.1
RETRY_MAX = 2.0


def reachable(url: str) -> bool:
    """Whether the emulator can deliver to `url` (an address on this machine)."""
    return urlsplit(url).hostname in LOOPBACK


def start_pushing(emulator: TelegramEmulator) -> None:
    """(Re)start delivery to the emulator's webhook; stop it when there is none to reach."""
    stop_pushing(emulator)
    webhook = emulator.webhook
    if webhook is not None and reachable(str(webhook["url"])):
        emulator.pusher = asyncio.get_running_loop().create_task(
            _push(emulator, webhook), name="emulator webhook"
        )


def stop_pushing(emulator: TelegramEmulator) -> None:
    """Stop delivering; an update being delivered goes back to the front of the queue."""
    if emulator.pusher is not None:
        emulator.pusher.cancel()
        emulator.pusher = None


async def _push(emulator: TelegramEmulator, webhook: Json) -> None:
    connections = int(webhook.get("max_connections") or DEFAULT_CONNECTIONS)
    secret = webhook.get("secret_token")
    headers = {SECRET_HEADER: str(secret)} if secret else {}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as client:
        await asyncio.gather(*(_deliver(emulator, client, webhook) for _ in range(connections)))


async def _deliver(
    emulator: TelegramEmulator, client: aiohttp.ClientSession, webhook: Json
) -> None:
    """One connection's loop: take the next update, post it until the bot says 2xx."""
    while True:
        update = await emulator.next_update(webhook.get("allowed_updates"))
        emulator.delivering += 1
        answered = False
        try:
            delay = RETRY_FIRST
            while True:
                answered = await _post(emulator, client, webhook, update)
                await _one_way(emulator)  # the answer's way back; the slot stays taken
                if answered:
                    break
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
        except asyncio.CancelledError:
            if not answered:  # still pending, as Telegram keeps it; a 2xx is never sent again
                emulator.put_back(update)
            raise
        finally:
            emulator.delivering -= 1


async def _one_way(emulator: TelegramEmulator) -> None:
    if emulator.latency.enabled:
        await asyncio.sleep(emulator.latency.one_way())


async def _post(
    emulator: TelegramEmulator, client: aiohttp.ClientSession, webhook: Json, update: Json
) -> bool:
    await _one_way(emulator)  # on its way to the bot
    url = emulator.webhook_target(str(webhook["url"]))
    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
        async with client.post(url, json=update) as response:
            await response.read()
            return 200 <= response.status < 300
    return False
