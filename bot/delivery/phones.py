"""Sending an outbox row on WhatsApp or SMS: the clients, their pacing, and what each answer
means for the row (sent, try again later, or down the ladder).

WhatsApp: about 80 messages a second from the number and one every 6 seconds to one person
(`Pacer` with a 6-second chat interval, keyed by the number's contact id). Outside the 24-hour
window only an approved template goes; inside it, text with reply buttons (GANTI's sessions
as a list to pick from). A refusal that can pass (a rate limit, the tier, Meta's side) is
tried again; one that cannot (not a WhatsApp user, no such template, a closed window, a bad
token) sends the message down the ladder, never the same way again.

SMS: the phone sends SMS_RATE a minute; Rekam hands it no faster, so a change can still reach
what waits (and the phone's own queue stays short). The outbox row's id is the SMS's key, so a
send retried after a timeout reaches the phone once.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from bot.channels.sms.gateway import SmsGateway
from bot.channels.sms.sender import DeliveryState, Sender
from bot.channels.sms.sender import Refusal as SmsRefusal
from bot.channels.sms.sender import Sent as SmsSent
from bot.channels.whatsapp.client import Row, Section, WhatsAppClient
from bot.channels.whatsapp.client import Sent as WhatsAppSent
from bot.channels.whatsapp.problems import Refusal as WhatsAppRefusal
from bot.channels.whatsapp.problems import WhatsAppProblem
from bot.config import Settings
from bot.db.models import OutboxMessage
from bot.delivery.attempts import MAX_ATTEMPTS, Result, backoff
from bot.delivery.pacing import Pacer
from bot.domain.kinds import Channel, OutboxState
from bot.domain.outbox_kinds import Kind
from bot.presentation.outbox.phone import Said, template_language

WHATSAPP_RATE = 80.0  # messages a second from one business number
WHATSAPP_PAIR_INTERVAL = 6.0  # seconds between two messages to one person


@dataclass(frozen=True)
class Number:
    """Where a phone row goes: the number, until when WhatsApp's window is open, and whether
    each channel may still write to it (its BERHENTI, its WhatsApp yes)."""

    e164: str
    window_until: datetime | None
    sms_stopped: bool = False
    whatsapp_consent: bool = True


class Spacing:
    """One send every `interval` seconds, in the order asked."""

    def __init__(self, per_minute: float) -> None:
        self.interval = 60.0 / per_minute
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def turn(self) -> None:
        async with self._lock:
            wait = self._next - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._next = max(self._next, time.monotonic()) + self.interval


class Phones:
    """The office's WhatsApp client and SMS sender (either may be None: not set up)."""

    def __init__(
        self,
        *,
        whatsapp: WhatsAppClient | None = None,
        sms: Sender | None = None,
        sms_per_minute: float = 20.0,
        language: str = "id",
        retry_base: float = 1.0,
    ) -> None:
        self.whatsapp = whatsapp
        self.sms = sms
        self.whatsapp_pacer = Pacer(WHATSAPP_RATE, chat_interval=WHATSAPP_PAIR_INTERVAL)
        self.sms_spacing = Spacing(sms_per_minute)
        self.sms_per_minute = sms_per_minute
        self.language = language
        self.retry_base = retry_base

    def on(self, channel: Channel) -> bool:
        return (channel == Channel.WHATSAPP and self.whatsapp is not None) or (
            channel == Channel.SMS and self.sms is not None
        )

    def batch(self, channel: Channel, lease_seconds: float) -> int:
        """Rows of `channel` to claim at once: what its pace sends within half a lease."""
        per_second = WHATSAPP_RATE if channel == Channel.WHATSAPP else self.sms_per_minute / 60
        return max(1, min(int(per_second), int(per_second * lease_seconds / 2)))

    async def aclose(self) -> None:
        if self.whatsapp is not None:
            await self.whatsapp.aclose()
        closing: Any = getattr(self.sms, "aclose", None)
        if closing is not None:
            await closing()

    async def send(self, row: OutboxMessage, said: Said, number: Number, now: datetime) -> Result:
        # The answer to BERHENTI itself still goes; nothing else to a number that said it.
        answer = said.kind == Kind.PHONE_REPLY
        if row.channel == Channel.SMS and number.sms_stopped and not answer:
            return _fall(row, "sms stopped (BERHENTI)")
        if row.channel == Channel.WHATSAPP and not number.whatsapp_consent and not answer:
            return _fall(row, "no WhatsApp consent")
        if row.channel == Channel.WHATSAPP and self.whatsapp is not None:
            return await self._whatsapp(row, said, number, now)
        if row.channel == Channel.SMS and self.sms is not None:
            return await self._sms(row, said, number)
        return _fall(row, f"{row.channel} is not set up")

    async def _whatsapp(
        self, row: OutboxMessage, said: Said, number: Number, now: datetime
    ) -> Result:
        assert self.whatsapp is not None and row.contact_id is not None
        window = number.window_until is not None and number.window_until > now
        turn = await self.whatsapp_pacer.turn(row.contact_id)
        answered = True
        try:
            if window and said.rows:
                rows = [Row(i, title, description or None) for i, title, description in said.rows]
                sent = await self.whatsapp.send_list(
                    number.e164, said.text, said.menu, [Section(said.menu, rows)]
                )
            elif window and said.buttons:
                sent = await self.whatsapp.send_buttons(number.e164, said.text, said.buttons)
            elif window:
                sent = await self.whatsapp.send_text(number.e164, said.text)
            else:
                language = template_language(row.language or self.language)
                sent = await self.whatsapp.send_template(
                    number.e164, said.template, language, said.values
                )
        finally:
            self.whatsapp_pacer.done(turn, answered=answered)
        if isinstance(sent, WhatsAppSent):
            return Result(row.id, row.attempts, OutboxState.SENT, external_id=sent.message_id)
        return self._whatsapp_refused(row, sent)

    def _whatsapp_refused(self, row: OutboxMessage, refusal: WhatsAppRefusal) -> Result:
        why = f"whatsapp {refusal.problem.value} ({refusal.code}): {refusal.detail}"[:200]
        if refusal.retryable and row.attempts < MAX_ATTEMPTS:
            wait = refusal.retry_after or backoff(row.attempts, self.retry_base).total_seconds()
            return Result(row.id, row.attempts, OutboxState.PENDING, why, retry_in=wait)
        if refusal.problem == WhatsAppProblem.OUTSIDE_WINDOW and row.attempts < MAX_ATTEMPTS:
            # The window closed between reading it and sending: forgotten, and the template
            # goes at once.
            return Result(
                row.id, row.attempts, OutboxState.PENDING, why, retry_in=0.0, closed_window=True
            )
        return _fall(row, why, not_a_user=refusal.problem == WhatsAppProblem.NOT_A_USER)

    async def _sms(self, row: OutboxMessage, said: Said, number: Number) -> Result:
        assert self.sms is not None
        await self.sms_spacing.turn()
        resent = int((row.params or {}).get("resent", 0))
        key = f"rekam-outbox-{row.id}-{resent}"
        sent = await self.sms.send(number.e164, said.sms(), key=key)
        if isinstance(sent, SmsSent) and sent.state == DeliveryState.FAILED:
            return _fall(row, "sms failed (the gateway had it already)")
        if isinstance(sent, SmsRefusal):
            why = f"sms {sent.kind.value}: {sent.detail}"[:200]
            if sent.retryable and row.attempts < MAX_ATTEMPTS:
                wait = backoff(row.attempts, self.retry_base).total_seconds()
                return Result(row.id, row.attempts, OutboxState.PENDING, why, retry_in=wait)
            return _fall(row, why)
        return Result(row.id, row.attempts, OutboxState.SENT, external_id=sent.message_id)


def _fall(row: OutboxMessage, why: str, *, not_a_user: bool = False) -> Result:
    """This rung cannot take the message: FAILED here, and down the ladder when recorded."""
    return Result(row.id, row.attempts, OutboxState.FAILED, why, fall=True, not_a_user=not_a_user)


def phones_of(
    settings: Settings,
    *,
    whatsapp_http: httpx.AsyncClient | None = None,
    sms_transport: httpx.AsyncBaseTransport | None = None,
) -> Phones:
    """The office's phone channels, as its settings set them up (none: an empty `Phones`).
    `whatsapp_http` and `sms_transport` carry the calls another way than the network (the
    demo's emulators, in this process)."""
    whatsapp = None
    if "whatsapp" in settings.phones and settings.whatsapp_token is not None:
        whatsapp = WhatsAppClient(
            settings.whatsapp_api_url,
            settings.whatsapp_phone_id,
            settings.whatsapp_token.get_secret_value(),
            waba_id=settings.whatsapp_waba_id or None,
            http=whatsapp_http,
        )
    sms = None
    if "sms" in settings.phones:
        password = settings.sms_gateway_password
        sms = SmsGateway(
            settings.sms_gateway_url,
            settings.sms_gateway_login,
            password.get_secret_value() if password is not None else "",
            transport=sms_transport,
        )
    return Phones(
        whatsapp=whatsapp,
        sms=sms,
        sms_per_minute=settings.sms_rate,
        language=settings.default_language,
    )
