"""The gateway's webhooks as the phone sends them: one signed POST per event and webhook.

Each attempt is signed afresh, as the app's `PayloadSingingPlugin` does: `X-Timestamp` is the
Unix second of the attempt and `X-Signature` the hex HMAC-SHA256 of the body followed by that
timestamp, keyed with the signing key. A failed attempt (no 2xx, no answer) is tried again,
after RETRY_FIRST seconds doubling to RETRY_MAX, up to `max_attempts` times in all (the app:
15 tries, 5 s apart and more); first attempts go out in the order the events happened, retries
whenever they are due, so a receiver may see "delivered" before a retried "sent", as it may from
the real phone.

Offline like the Telegram emulator, it posts only to this machine (bot/emulator/webhook.py's
`reachable`); a webhook elsewhere is recorded and never called.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from bot.emulator.latency import Latency
from bot.emulator.webhook import RETRY_FIRST, RETRY_MAX, reachable

MAX_ATTEMPTS = 15  # the app's default retry count
TIMEOUT = 5.0


def sign(signing_key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """One event for one webhook: its body, and what each attempt got back (None: no answer)."""

    url: str
    event: str
    event_id: str
    body: bytes
    answers: list[int | None] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # the last attempt's
    delivered: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "event": self.event,
            "id": self.event_id,
            "attempts": len(self.answers),
            "answers": self.answers,
            "delivered": self.delivered,
        }


class Courier:
    """Posts deliveries in order, retries the failed ones, keeps them all for a look back."""

    def __init__(
        self,
        signing_key: str,
        *,
        latency: Latency,
        now: Callable[[], datetime],
        transport: httpx.AsyncBaseTransport | None = None,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        self.signing_key = signing_key
        self.latency = latency
        self.max_attempts = max_attempts
        self.deliveries: list[Delivery] = []
        self._now = now
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pusher: asyncio.Task[None] | None = None

    def post(self, url: str, envelope: dict[str, Any]) -> Delivery:
        """Record one delivery and queue it (when its address is on this machine)."""
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        delivery = Delivery(url, str(envelope["event"]), str(envelope["id"]), body)
        self.deliveries.append(delivery)
        if reachable(url):
            self._queue.put_nowait(delivery)
            if self._pusher is None or self._pusher.done():
                self._pusher = self._spawn(self._push())
        return delivery

    async def replay_last(self) -> int | None:
        """Post the last attempted delivery again, byte for byte with its old timestamp and
        signature: what an eavesdropper replaying it would send. The receiver's answer."""
        sent = [d for d in self.deliveries if d.headers]
        if not sent:
            return None
        last = sent[-1]
        return await self._send(last.url, last.body, last.headers)

    async def aclose(self) -> None:
        for task in [*self._tasks]:
            task.cancel()
        for task in [*self._tasks]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _spawn(self, work: Any) -> asyncio.Task[None]:
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _push(self) -> None:
        while True:
            delivery = await self._queue.get()
            if not await self._attempt(delivery):
                self._spawn(self._retry(delivery))

    async def _retry(self, delivery: Delivery) -> None:
        delay = RETRY_FIRST
        while len(delivery.answers) < self.max_attempts:
            await asyncio.sleep(delay)
            if await self._attempt(delivery):
                return
            delay = min(delay * 2, RETRY_MAX)

    async def _attempt(self, delivery: Delivery) -> bool:
        timestamp = str(int(self._now().timestamp()))
        delivery.headers = {
            "Content-Type": "application/json",
            "X-Timestamp": timestamp,
            "X-Signature": sign(self.signing_key, delivery.body, timestamp),
        }
        status = await self._send(delivery.url, delivery.body, delivery.headers)
        delivery.answers.append(status)
        delivery.delivered = status is not None and 200 <= status < 300
        return delivery.delivered

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> int | None:
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT)
        if self.latency.enabled:  # on its way to the bot
            await asyncio.sleep(self.latency.one_way())
        try:
            response = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError:
            return None
        if self.latency.enabled:  # and the answer's way back
            await asyncio.sleep(self.latency.one_way())
        return response.status_code
