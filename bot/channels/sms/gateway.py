"""Sending through SMS Gateway for Android (https://sms-gate.app) with its own async client.

One Android phone with the app sends each SMS from its SIM. The same 3rd-party API is served by
the phone itself on the office network (local mode, `http://<phone>:8080`) or relayed by the
project's server (cloud mode, `https://api.sms-gate.app/3rdparty/v1`): only `SMS_GATEWAY_URL`
differs. The client (`android-sms-gateway`) does the HTTP calls, here over one httpx client this
module owns, so the timeout is ours and tests can hand in the emulator's transport.

The outbox key becomes the message `id`: the gateway answers 409 to an id it already has, so a
send repeated after a timeout (the first may have arrived) finds the first instead of sending a
second SMS.
"""

from __future__ import annotations

import hashlib
import re
from types import TracebackType

import httpx
from android_sms_gateway import client as asg  # type: ignore[import-untyped]
from android_sms_gateway import domain, enums, errors
from android_sms_gateway.ahttp import HttpxAsyncHttpClient  # type: ignore[import-untyped]

from bot.channels.sms.segments import count
from bot.channels.sms.sender import DeliveryState, Refusal, RefusalKind, Sent
from bot.domain.phones import PhoneError, normalise

# The events the bot hears about; a webhook for each, named so registering again replaces it.
EVENTS = ("sms:received", "sms:sent", "sms:delivered", "sms:failed")
MAX_ID = 36  # the cloud server refuses a longer message id
_PLAIN_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


def message_id(key: str) -> str:
    """The gateway's message id for an outbox key: the key itself when the gateway takes it,
    else a digest of it (the same key always gives the same id)."""
    if len(key) <= MAX_ID and _PLAIN_ID.match(key):
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def webhook_id(event: str) -> str:
    return "rekam-" + event.replace(":", "-")


def _state(value: str) -> DeliveryState:
    """The gateway's state; a message cancelled on the phone (the bot never cancels) will not
    arrive, which is what FAILED says."""
    if value in ("Cancelling", "Cancelled"):
        return DeliveryState.FAILED
    return DeliveryState(value)


def _refusal(error: Exception) -> Refusal:
    """A failed call as the dispatcher needs to know it."""
    if isinstance(error, errors.APIError):
        status = error.status_code or 0
        if status in (401, 403):
            return Refusal(RefusalKind.AUTH, f"gateway answered {status}")
        if status == 429 or status >= 500 or status == 0:
            return Refusal(RefusalKind.RETRYABLE, f"gateway answered {status}")
        return Refusal(RefusalKind.REJECTED, f"gateway answered {status}: {error.response}")
    if isinstance(error, httpx.TimeoutException):
        return Refusal(RefusalKind.RETRYABLE, "gateway did not answer in time")
    return Refusal(RefusalKind.RETRYABLE, f"gateway unreachable: {type(error).__name__}")


class SmsGateway:
    """A `Sender` over one SMS Gateway for Android account (local or cloud)."""

    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        ttl: int | None = None,
        with_delivery_report: bool = True,
    ) -> None:
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout)
        self._client = asg.AsyncAPIClient(
            login, password, base_url=base_url, http_client=HttpxAsyncHttpClient(self._http)
        )
        self._ttl = ttl  # seconds an SMS may wait in the phone's queue before it fails
        self._with_delivery_report = with_delivery_report

    async def __aenter__(self) -> SmsGateway:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, to_e164: str, text: str, *, key: str) -> Sent | Refusal:
        try:
            phone = normalise(to_e164)
        except PhoneError as error:
            return Refusal(RefusalKind.REJECTED, f"no mobile number: {error.problem.value}")
        if not text:
            return Refusal(RefusalKind.REJECTED, "empty text")
        message = domain.Message(
            id=message_id(key),
            phone_numbers=[phone],
            text_message=domain.TextMessage(text=text),
            with_delivery_report=self._with_delivery_report,
            ttl=self._ttl,
        )
        try:
            answer = await self._client.send(message)
        except errors.APIError as error:
            if error.status_code == 409:  # sent before under this key: that one stands
                return await self._earlier(message.id, text)
            return _refusal(error)
        except (httpx.HTTPError, ValueError) as error:
            return _refusal(error)
        return Sent(str(answer.id), count(text), _state(answer.state.value))

    async def _earlier(self, sms_id: str, text: str) -> Sent | Refusal:
        state = await self.state(sms_id)
        if isinstance(state, Refusal):
            return state
        return Sent(sms_id, count(text), state)

    async def state(self, sms_id: str) -> DeliveryState | Refusal:
        """Where an SMS sent earlier is now (when a webhook may have been missed)."""
        try:
            answer = await self._client.get_state(sms_id)
        except (errors.APIError, httpx.HTTPError, ValueError) as error:
            return _refusal(error)
        return _state(answer.state.value)

    async def register_webhooks(self, url: str) -> list[str] | Refusal:
        """Point every event the bot hears about at `url`, once each: the ids are fixed, and
        the gateway replaces a webhook posted again with the same id, so a restart registers
        nothing new. A webhook for the same url and event under another id (registered by
        hand) is removed, or the bot would get each event twice."""
        try:
            existing = await self._client.get_webhooks()
            wanted = {webhook_id(event): event for event in EVENTS}
            for hook in existing:
                if hook.url == url and hook.event.value in EVENTS and hook.id not in wanted:
                    await self._client.delete_webhook(hook.id)
            for hook_id, event in wanted.items():
                await self._client.create_webhook(
                    domain.Webhook(id=hook_id, url=url, event=enums.WebhookEvent(event))
                )
        except (errors.APIError, httpx.HTTPError, ValueError) as error:
            return _refusal(error)
        return list(wanted)
