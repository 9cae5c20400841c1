"""The emulated SMS Gateway for Android: one phone, its SIM's queue, its webhooks, the numbers.

What the phone does with an accepted message, as the app does it (MessagesService): the message
waits `Pending` in a queue; the phone takes them one at a time, first in first out, and sends
each to its recipients (`Processed`, then `Sent` or `Failed` per number, `Delivered` when the
delivery report comes back and one was asked for). The sending limit (Settings → Messages:
at most `limit` messages per minute, 30 minutes, hour or day) makes the phone wait, never refuse:
when the last `period` already holds `limit` processed messages it sleeps until `period` after
the last one plus a second (`slack`). An SMS still queued past its `ttl`/`validUntil` fails with
"TTL expired". Every event goes to the webhooks registered for it (`webhook.py`).
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from bot.channels.sms.segments import count as segment_count
from bot.domain.phones import PhoneError, normalise
from bot.emulator.latency import NO_LATENCY, Latency
from bot.emulator.sms.values import (
    ApiError,
    Fault,
    Json,
    OutgoingSms,
    Pace,
    Recipient,
    Stats,
    iso,
)
from bot.emulator.sms.webhook import MAX_ATTEMPTS, Courier

EVENTS = ("sms:received", "sms:sent", "sms:delivered", "sms:failed", "system:ping")
UNREACHABLE = "RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)"
MAX_ID = 36
_ORDER = ("Pending", "Processed", "Sent", "Delivered")


def _phone(written: Any) -> str:
    try:
        return normalise(str(written))
    except PhoneError as error:
        raise ApiError(400, f"Invalid phone number: {error.problem.value}") from None


class SmsGatewayEmulator:
    """The state behind the emulated 3rd-party API for one account (login and password).

    Act as a phone's owner from Python: `receive_sms` (someone texts the office), `set_failing`
    (a number the network cannot reach), `messages_to`, `stats`, `inject`. Must be used inside a
    running event loop; `aclose()` stops the phone and the webhooks.
    """

    def __init__(
        self,
        login: str = "rekam",
        password: str = "emulator-password",
        *,
        signing_key: str = "emulator-signing-key",
        office_number: str = "+6281100000000",
        device_id: str = "emulator-phone",
        pace: Pace | None = None,
        latency: Latency = NO_LATENCY,
        delivery_delay: float = 0.0,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        webhook_attempts: int = MAX_ATTEMPTS,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        seed: int | None = None,
    ) -> None:
        self.login, self.password = login, password
        self.office_number = office_number
        self.device_id = device_id
        self.pace = pace or Pace()
        self.latency = latency  # each API call travels it both ways, as does each webhook
        self.delivery_delay = delivery_delay  # seconds from sent to the delivery report
        self.now = now
        self.messages: dict[str, OutgoingSms] = {}
        self.webhooks: dict[str, Json] = {}
        self.failing: dict[str, str] = {}
        self.faults: list[Fault] = []
        self.stats = Stats()
        self.courier = Courier(
            signing_key,
            latency=latency,
            now=now,
            transport=webhook_transport,
            max_attempts=webhook_attempts,
        )
        self._random = random.Random(seed)
        self._ids = itertools.count(1)
        self._queue: asyncio.Queue[OutgoingSms] = asyncio.Queue()
        self._processed: deque[float] = deque()  # when the phone took each message
        self._phone: asyncio.Task[None] | None = None
        self._reports: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()

    # --- the API's side ------------------------------------------------------------------

    def authorised(self, login: str, password: str) -> bool:
        return (login, password) == (self.login, self.password)

    def take_fault(self, route: str) -> Fault | None:
        for fault in self.faults:
            if fault.route in ("*", route):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def inject(self, fault: Fault) -> None:
        self.faults.append(fault)

    def enqueue(self, body: Json) -> OutgoingSms:
        """Accept a POST /message body (the app's PostMessageRequest rules) into the queue."""
        kinds = [k for k in ("textMessage", "dataMessage", "message") if body.get(k) is not None]
        if len(kinds) != 1:
            raise ApiError(400, "Must specify exactly one of: textMessage, dataMessage, or message")
        if kinds[0] == "dataMessage":
            raise ApiError(400, "data messages are not modelled by the emulator")
        text = body[kinds[0]]
        if kinds[0] == "textMessage":
            text = text.get("text") if isinstance(text, dict) else None
        if not isinstance(text, str) or not text:
            raise ApiError(400, "Text message is empty")
        numbers = body.get("phoneNumbers")
        if not isinstance(numbers, list) or not numbers:
            raise ApiError(400, "phoneNumbers is empty")
        sms_id = str(body.get("id") or f"emu{next(self._ids):018d}")
        if len(sms_id) > MAX_ID:
            raise ApiError(400, "id is longer than 36 characters")
        if sms_id in self.messages:
            raise ApiError(409, f"Message with id {sms_id} already exists")
        sms = OutgoingSms(
            id=sms_id,
            text=text,
            recipients=[Recipient(_phone(number)) for number in numbers],
            with_delivery_report=body.get("withDeliveryReport") is not False,
            valid_until=self._valid_until(body),
            sim_number=body.get("simNumber"),
            segments=segment_count(text),
        )
        sms.states["Pending"] = self.now()
        self.messages[sms_id] = sms
        self.stats.messages += 1
        self.stats.sms += len(sms.recipients)
        self._queue.put_nowait(sms)
        if self._phone is None or self._phone.done():
            self._phone = asyncio.get_running_loop().create_task(self._send_queued())
        return sms

    def _valid_until(self, body: Json) -> datetime | None:
        ttl, until = body.get("ttl"), body.get("validUntil")
        if ttl is not None and until is not None:
            raise ApiError(400, "fields conflict: ttl and validUntil")
        try:
            moment = (
                self.now() + timedelta(seconds=float(ttl))
                if ttl is not None
                else datetime.fromisoformat(str(until))
                if until is not None
                else None
            )
        except ValueError:
            raise ApiError(400, "ttl or validUntil unreadable") from None
        if moment is not None and moment.tzinfo is None:
            raise ApiError(400, "validUntil has no zone")
        if moment is not None and moment < self.now():
            raise ApiError(400, "message already expired")
        return moment

    def put_webhook(self, body: Json) -> Json:
        """Create or replace (same id) a webhook, with the app's url and event rules."""
        url, event = str(body.get("url", "")), body.get("event")
        parts = urlsplit(url)
        if not (
            parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == "127.0.0.1")
        ):
            raise ApiError(400, "url must start with https:// or http://127.0.0.1")
        if event not in EVENTS:
            raise ApiError(400, "Unsupported event")
        hook_id = str(body.get("id") or f"wh{next(self._ids):012d}")
        self.webhooks[hook_id] = {"id": hook_id, "url": url, "event": event, "deviceId": None}
        return self.webhooks[hook_id]

    def delete_webhook(self, hook_id: str) -> None:
        self.webhooks.pop(hook_id, None)

    # --- acting as the phone's world ----------------------------------------------------

    def receive_sms(self, sender: str, text: str) -> str:
        """Someone texts the office's number; the sms:received event's message id."""
        sms_id = f"in{next(self._ids):018d}"
        at = iso(self.now())
        self._emit(
            "sms:received",
            {
                "messageId": sms_id,
                "message": text,
                "phoneNumber": sender,
                "sender": sender,
                "recipient": self.office_number,
                "simNumber": 1,
                "receivedAt": at,
            },
        )
        return sms_id

    def set_failing(self, phone: str, reason: str | None = UNREACHABLE) -> None:
        """SMS to `phone` fail with `reason` from now on (None: it is reachable again)."""
        e164 = _phone(phone)
        if reason is None:
            self.failing.pop(e164, None)
        else:
            self.failing[e164] = reason

    @property
    def changed(self) -> asyncio.Event:
        """Set at every change (a message accepted or sent, a status): clear it, look, then
        wait on it, and no change is missed."""
        return self._changed

    def messages_to(self, phone: str) -> list[Json]:
        e164 = _phone(phone)
        return [
            {**sms.as_json(self.device_id), "text": sms.text, "segments": sms.segments}
            for sms in self.messages.values()
            if any(r.phone == e164 for r in sms.recipients)
        ]

    async def until_final(self, sms_id: str) -> OutgoingSms:
        """Wait until every recipient of `sms_id` is Delivered or Failed (or Sent, without a
        delivery report)."""
        while True:
            sms = self.messages[sms_id]
            last = "Delivered" if sms.with_delivery_report else "Sent"
            if all(r.state in (last, "Failed") for r in sms.recipients):
                return sms
            self._changed.clear()
            await self._changed.wait()

    async def aclose(self) -> None:
        for task in [self._phone, *self._reports]:
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self.courier.aclose()

    # --- the phone ----------------------------------------------------------------------

    def _emit(self, event: str, payload: Json) -> None:
        for hook in self.webhooks.values():
            if hook["event"] == event:
                envelope = {
                    "deviceId": self.device_id,
                    "event": event,
                    "id": f"ev{next(self._ids):018d}",
                    "payload": payload,
                    "webhookId": hook["id"],
                }
                self.courier.post(str(hook["url"]), envelope)

    def _set(self, sms: OutgoingSms, recipient: Recipient, state: str, error: str | None) -> None:
        recipient.state, recipient.error = state, error
        live = [r.state for r in sms.recipients if r.state != "Failed"]
        sms.state = min(live, key=_ORDER.index) if live else "Failed"
        sms.states.setdefault(sms.state, self.now())
        self._changed.set()

    def _event(self, sms: OutgoingSms, recipient: Recipient, **fields: Any) -> Json:
        return {
            "messageId": sms.id,
            "phoneNumber": recipient.phone,
            "recipient": recipient.phone,
            "sender": self.office_number,
            "simNumber": sms.sim_number,
            **fields,
        }

    async def _send_queued(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            sms = await self._queue.get()
            await self._keep_pace(loop.time())
            if sms.valid_until is not None and self.now() > sms.valid_until:
                for recipient in sms.recipients:
                    self._fail(sms, recipient, "TTL expired")
                continue
            self._processed.append(loop.time())
            for recipient in sms.recipients:
                self._set(sms, recipient, "Processed", None)
            for recipient in sms.recipients:
                reason = self.failing.get(recipient.phone)
                if reason is not None:
                    self._fail(sms, recipient, reason)
                    continue
                self._set(sms, recipient, "Sent", None)
                self.stats.count_sent(recipient.phone, sms.segments, loop.time())
                at = iso(self.now())
                self._emit(
                    "sms:sent", self._event(sms, recipient, partsCount=sms.segments, sentAt=at)
                )
                if sms.with_delivery_report:
                    self._report(sms, recipient)
            low, high = self.pace.interval
            if high > 0:
                await asyncio.sleep(self._random.uniform(low, high))

    async def _keep_pace(self, now: float) -> None:
        pace = self.pace
        if pace.limit <= 0:
            return
        while self._processed and self._processed[0] < now - pace.period:
            self._processed.popleft()
        if len(self._processed) >= pace.limit:
            await asyncio.sleep(pace.period - (now - self._processed[-1]) + pace.slack)

    def _fail(self, sms: OutgoingSms, recipient: Recipient, reason: str) -> None:
        self._set(sms, recipient, "Failed", reason)
        self.stats.failed += 1
        at = iso(self.now())
        self._emit("sms:failed", self._event(sms, recipient, failedAt=at, reason=reason))

    def _report(self, sms: OutgoingSms, recipient: Recipient) -> None:
        """The delivery report: at once, or `delivery_delay` later while the phone goes on."""

        async def later() -> None:
            await asyncio.sleep(self.delivery_delay)
            self._delivered(sms, recipient)

        if self.delivery_delay <= 0:
            self._delivered(sms, recipient)
            return
        task = asyncio.get_running_loop().create_task(later())
        self._reports.add(task)
        task.add_done_callback(self._reports.discard)

    def _delivered(self, sms: OutgoingSms, recipient: Recipient) -> None:
        self._set(sms, recipient, "Delivered", None)
        self.stats.delivered += 1
        self._emit("sms:delivered", self._event(sms, recipient, deliveredAt=iso(self.now())))
