"""The emulated Cloud API's world: one business phone number, the people it writes to, their
windows, the messages and their statuses, and the webhook events waiting to be delivered.

The clock is injectable (epoch seconds, `time.time` by default) so a test can step past the
24-hour customer-service window or the rolling tier day without waiting.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.latency import NO_LATENCY, Latency
from bot.emulator.whatsapp.errors import GraphError, Json
from bot.emulator.whatsapp.events import OutMessage, envelope, status_item
from bot.emulator.whatsapp.limits import DAY, Limits, RateLimiter, retry_seconds
from bot.emulator.whatsapp.messages import Outgoing, check, wa_id
from bot.emulator.whatsapp.templates import TemplateStore


@dataclass
class Contact:
    """A phone number the emulator knows; `is_user` False: not on WhatsApp (131026)."""

    wa_id: str
    name: str
    is_user: bool = True
    last_inbound: float | None = None  # opens the customer-service window


@dataclass
class Fault:
    """The next `count` calls to `path` ("messages" or "message_templates") answer `status`
    (5xx), or are held `delay` seconds first (a timeout for a client with a shorter one)."""

    path: str
    count: int = 1
    status: int | None = 502
    delay: float = 0.0


@dataclass(frozen=True)
class WebhookConfig:
    """Where the app listens, and the secrets it shares with Meta."""

    url: str
    app_secret: str
    verify_token: str


class WhatsAppEmulator:
    """The state behind the emulated Cloud API for one phone number of one WABA."""

    def __init__(
        self,
        token: str = "EAAtest-emulator-token",
        *,
        phone_number_id: str = "106540352242922",
        display_phone_number: str = "6281100000000",
        waba_id: str = "102290129340398",
        limits: Limits | None = None,
        latency: Latency = NO_LATENCY,
        clock: Callable[[], float] = time.time,
        review_delay: float | None = 0.0,
        history: int = 500,
    ) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.display_phone_number = display_phone_number
        self.waba_id = waba_id
        self.clock = clock
        self.latency = latency
        self.history = history
        self.limiter = RateLimiter(limits or Limits(), clock)
        self.templates = TemplateStore(clock, review_delay)
        self.contacts: dict[str, Contact] = {}
        self.chats: dict[str, deque[OutMessage]] = {}
        self.messages: dict[str, OutMessage] = {}
        self.inbound: dict[str, list[Json]] = {}
        self.faults: list[Fault] = []
        self.webhook: WebhookConfig | None = None
        self.pusher: asyncio.Task[None] | None = None
        self.delivering = 0
        self._events: deque[Json] = deque()
        self._events_waiting = asyncio.Event()
        self._changed = asyncio.Event()
        self._seq = itertools.count(1)

    # --- people ---------------------------------------------------------------------------

    def add_user(self, number: str, name: str = "Pengguna", *, is_user: bool = True) -> Contact:
        """A phone number on WhatsApp (or, with `is_user` False, one that is not)."""
        contact = Contact(wa_id(number), name, is_user)
        self.contacts[contact.wa_id] = contact
        return contact

    def set_user(self, number: str, is_user: bool) -> None:
        self.contacts[wa_id(number)].is_user = is_user

    def window_open(self, number: str) -> bool:
        """Whether the user wrote in the last 24 hours (free-form messages allowed)."""
        contact = self.contacts.get(wa_id(number))
        last = None if contact is None else contact.last_inbound
        return last is not None and self.clock() - last < DAY

    # --- faults ---------------------------------------------------------------------------

    def inject(self, fault: Fault) -> None:
        self.faults.append(fault)

    def take_fault(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.path == path and fault.count > 0:
                fault.count -= 1
                return fault
        return None

    # --- the business sends ---------------------------------------------------------------

    def new_message_id(self, number: str) -> str:
        raw = f"{number}{next(self._seq):08d}".encode() + secrets.token_bytes(9)
        return "wamid." + base64.b64encode(raw).decode()

    def send(self, body: Json) -> Json:
        """Accept a `/messages` body (the Graph success answer) or raise the GraphError.

        Limits and validity are judged now; what happens after acceptance (not a user, window
        closed, tier reached, else sent and delivered) comes as status webhooks, as Meta does.
        """
        outgoing = check(body)
        recipient = wa_id(outgoing.to)
        if outgoing.template is not None:
            self._check_template(outgoing)
        refused = self.limiter.acquire(recipient)
        if refused is not None:
            code, wait = refused
            raise GraphError(code, f"Retry after {retry_seconds(wait)} seconds.")
        message = self._accepted(outgoing, recipient, body)
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": outgoing.to, "wa_id": recipient}],
            "messages": [{"id": message.id, "message_status": "accepted"}],
        }

    def _check_template(self, outgoing: Outgoing) -> None:
        template = self.templates.find(str(outgoing.template), str(outgoing.language))
        if template is None or template.status != "APPROVED":
            raise GraphError(
                132001, f"template name ({outgoing.template}) does not exist in {outgoing.language}"
            )
        if template.params != outgoing.params:
            raise GraphError(
                132000,
                f"body: number of localizable_params ({outgoing.params}) does not match the "
                f"expected number of params ({template.params})",
            )

    def _accepted(self, outgoing: Outgoing, recipient: str, body: Json) -> OutMessage:
        window = self.window_open(recipient)
        category = "service"
        if outgoing.template is not None:
            found = self.templates.find(str(outgoing.template), str(outgoing.language))
            category = found.category.lower() if found is not None else "utility"
        message = OutMessage(
            id=self.new_message_id(recipient),
            to=recipient,
            body=body,
            category=category,
            # Per-message pricing: a template is charged, but a utility one inside the window
            # is free; free-form messages (only possible inside it) are free service.
            billable=outgoing.template is not None and not (window and category == "utility"),
        )
        self.messages[message.id] = message
        chat = self.chats.setdefault(recipient, deque(maxlen=self.history))
        if len(chat) == chat.maxlen:
            self.messages.pop(chat[0].id, None)
        chat.append(message)
        contact = self.contacts.get(recipient)
        if contact is None or not contact.is_user:
            self._fail(message, 131026)
        elif outgoing.free_form and not window:
            self._fail(message, 131047)
        elif not window and not self.limiter.may_start(recipient):
            self._fail(message, 131048)
        else:
            if not window:
                self.limiter.started(recipient)
            if message.billable:
                self.limiter.bill(category)
            self._status(message, "sent")
            self._status(message, "delivered")
        return message

    def _fail(self, message: OutMessage, code: int) -> None:
        message.error = code
        message.billable = False  # a message that never arrived is never charged
        self.limiter.stats.failed += 1
        self._status(message, "failed")

    def _status(self, message: OutMessage, status: str) -> None:
        now = self.clock()
        message.statuses.append((status, now))
        self._queue({"statuses": [status_item(message, status, now)]})

    # --- the people act (the control surface and in-process tests) -------------------------

    def _contact(self, number: str) -> Contact:
        contact = self.contacts.get(wa_id(number))
        if contact is None or not contact.is_user:
            raise KeyError(f"{number} is not a WhatsApp user here")
        return contact

    def _inbound(self, number: str, kind: str, content: Json, context: str | None) -> Json:
        contact = self._contact(number)
        now = self.clock()
        contact.last_inbound = now
        message: Json = {
            "from": contact.wa_id,
            "id": self.new_message_id(contact.wa_id),
            "timestamp": str(int(now)),
            "type": kind,
            **content,
        }
        if context is not None:
            message["context"] = {"from": self.display_phone_number, "id": context}
        self.inbound.setdefault(contact.wa_id, []).append(message)
        self._queue(
            {
                "contacts": [{"profile": {"name": contact.name}, "wa_id": contact.wa_id}],
                "messages": [message],
            }
        )
        return message

    def user_text(self, number: str, text: str) -> Json:
        """The user writes to the business: opens (or renews) the 24-hour window."""
        return self._inbound(number, "text", {"text": {"body": text}}, None)

    def _interactive_of(self, number: str, message_id: str) -> Json:
        message = self.messages.get(message_id)
        if message is None or message.to != wa_id(number) or message.error is not None:
            raise KeyError(f"{message_id} never reached {number}")
        return message.body

    def press(self, number: str, message_id: str, button_id: str) -> Json:
        """The user presses a reply button of an interactive message."""
        body = self._interactive_of(number, message_id)
        buttons = body.get("interactive", {}).get("action", {}).get("buttons", [])
        titles = {b["reply"]["id"]: b["reply"]["title"] for b in buttons}
        if button_id not in titles:
            raise KeyError(f"no button {button_id} on {message_id}")
        reply = {
            "type": "button_reply",
            "button_reply": {"id": button_id, "title": titles[button_id]},
        }
        return self._inbound(number, "interactive", {"interactive": reply}, message_id)

    def pick(self, number: str, message_id: str, row_id: str) -> Json:
        """The user picks a row of a list message."""
        body = self._interactive_of(number, message_id)
        sections = body.get("interactive", {}).get("action", {}).get("sections", [])
        rows = {r["id"]: r for s in sections for r in s.get("rows", [])}
        if row_id not in rows:
            raise KeyError(f"no row {row_id} on {message_id}")
        row = rows[row_id]
        chosen: Json = {"id": row_id, "title": row["title"]}
        if row.get("description"):
            chosen["description"] = row["description"]
        reply = {"type": "list_reply", "list_reply": chosen}
        return self._inbound(number, "interactive", {"interactive": reply}, message_id)

    def quick_reply(self, number: str, message_id: str, payload: str, text: str) -> Json:
        """The user presses a quick-reply button of a template message."""
        self._interactive_of(number, message_id)
        content = {"button": {"payload": payload, "text": text}}
        return self._inbound(number, "button", content, message_id)

    def read(self, number: str) -> int:
        """The user opens the chat: every delivered, unread message becomes read."""
        count = 0
        for message in self.chats.get(wa_id(number), ()):
            seen = {status for status, _ in message.statuses}
            if "delivered" in seen and "read" not in seen:
                self._status(message, "read")
                count += 1
        return count

    # --- the webhook's queue ----------------------------------------------------------------

    def _queue(self, value: Json) -> None:
        """One webhook event, in the Cloud API's envelope."""
        event = envelope(self.waba_id, self.display_phone_number, self.phone_number_id, value)
        self._events.append(event)
        self._events_waiting.set()
        self._changed.set()

    def take_events(self) -> list[Json]:
        """Every event not yet delivered, oldest first (for tests with no webhook)."""
        events = list(self._events)
        self._events.clear()
        self._events_waiting.clear()
        return events

    async def next_event(self) -> Json:
        while not self._events:
            self._events_waiting.clear()
            await self._events_waiting.wait()
        return self._events.popleft()

    def put_back(self, event: Json) -> None:
        self._events.appendleft(event)
        self._events_waiting.set()

    @property
    def pending_events(self) -> int:
        return len(self._events) + self.delivering

    @property
    def changed(self) -> asyncio.Event:
        """Set at every change (a message accepted or sent, a status): clear it, look, then
        wait on it, and no change is missed."""
        return self._changed

    def statuses_of(self, message_id: str) -> list[str]:
        message = self.messages.get(message_id)
        return [] if message is None else [status for status, _ in message.statuses]

    async def until_status(self, message_id: str, status: str) -> None:
        """Return once the message has had `status` (statuses are recorded as they happen)."""
        while status not in self.statuses_of(message_id):
            self._changed.clear()
            await self._changed.wait()

    async def until_accepted(self, count: int) -> None:
        """Return once `count` messages were accepted in all (a call the client gave up on
        may still be accepted: the duplicate a retry after a timeout risks)."""
        while self.limiter.stats.accepted < count:
            self._changed.clear()
            await self._changed.wait()

    def stats(self) -> dict[str, Any]:
        return {
            **self.limiter.stats.as_dict(self.limiter.unique_recipients_24h),
            "pending_events": self.pending_events,
        }
