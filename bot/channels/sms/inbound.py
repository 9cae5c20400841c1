"""The gateway's webhooks as the bot receives them: check the signature, then read the event.

SMS Gateway for Android signs each POST (`PayloadSigningPlugin` in its source):
`X-Signature` is the lowercase hex HMAC-SHA256, keyed with the signing key, of the raw body
followed by the `X-Timestamp` header (Unix seconds, as text), with nothing between them. The
timestamp is taken per attempt, so a retried event arrives with a new timestamp and signature
and the same envelope `id`: `verify` refuses a stale one (a replay outside the window) and the
caller refuses an `event_id` it has already handled (a replay or a retry inside the window).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.channels.sms.sender import DeliveryState
from bot.domain.phones import PhoneError, normalise

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
MAX_SKEW = 300.0  # seconds either side of now that a signed delivery may be dated

_STATES = {
    "sms:sent": DeliveryState.SENT,
    "sms:delivered": DeliveryState.DELIVERED,
    "sms:failed": DeliveryState.FAILED,
}
_AT = {"sms:sent": "sentAt", "sms:delivered": "deliveredAt", "sms:failed": "failedAt"}


def signature(signing_key: str, raw_body: bytes, timestamp: str) -> str:
    """The `X-Signature` the gateway puts on `raw_body` sent at `timestamp`."""
    mac = hmac.new(signing_key.encode(), raw_body + timestamp.encode(), hashlib.sha256)
    return mac.hexdigest()


def verify(
    signing_key: str,
    raw_body: bytes,
    signature_header: str | None,
    timestamp_header: str | None,
    now: datetime,
    max_skew: float = MAX_SKEW,
) -> bool:
    """Whether the body was signed with `signing_key` at a time within `max_skew` of `now`."""
    if not signing_key or not signature_header or not timestamp_header:
        return False
    stamp = timestamp_header.strip()
    if not stamp.isascii() or not stamp.isdigit():
        return False
    if abs(now.timestamp() - int(stamp)) > max_skew:
        return False
    expected = signature(signing_key, raw_body, stamp)
    return hmac.compare_digest(expected, signature_header.strip().lower())


class PayloadError(ValueError):
    """A signed body that is not an SMS event the bot registered for."""


@dataclass(frozen=True)
class Received:
    """Someone sent an SMS to the office's number. `phone` is E.164, or None for a sender
    that is no mobile number (an operator's short code, a name); `sender` as the phone got it."""

    event_id: str
    message_id: str
    phone: str | None
    sender: str
    text: str
    received_at: datetime


@dataclass(frozen=True)
class StateChanged:
    """An SMS the bot sent moved on: sent, delivered, or failed with the phone's reason."""

    event_id: str
    message_id: str
    phone: str | None
    state: DeliveryState
    reason: str | None
    at: datetime


SmsEvent = Received | StateChanged


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"{key} missing or not text")
    return value


def _phone(written: str) -> str | None:
    try:
        return normalise(written)
    except PhoneError:
        return None


def _moment(payload: Mapping[str, Any], key: str) -> datetime:
    try:
        moment = datetime.fromisoformat(_text(payload, key))
    except ValueError:
        raise PayloadError(f"{key} is no ISO 8601 time") from None
    if moment.tzinfo is None:
        raise PayloadError(f"{key} has no zone")
    return moment


def parse(envelope: Mapping[str, Any]) -> SmsEvent:
    """The event in a webhook body (already parsed from JSON), or PayloadError."""
    event = _text(envelope, "event")
    event_id = _text(envelope, "id")
    payload = envelope.get("payload")
    if not isinstance(payload, Mapping):
        raise PayloadError("payload missing")
    message_id = _text(payload, "messageId")
    if event == "sms:received":
        sender = payload.get("sender") or _text(payload, "phoneNumber")
        return Received(
            event_id=event_id,
            message_id=message_id,
            phone=_phone(str(sender)),
            sender=str(sender),
            text=_text(payload, "message"),
            received_at=_moment(payload, "receivedAt"),
        )
    state = _STATES.get(event)
    if state is None:
        raise PayloadError(f"unexpected event {event!r}")
    recipient = payload.get("recipient") or payload.get("phoneNumber")
    reason = payload.get("reason")
    return StateChanged(
        event_id=event_id,
        message_id=message_id,
        phone=_phone(recipient) if isinstance(recipient, str) else None,
        state=state,
        reason=reason if isinstance(reason, str) else None,
        at=_moment(payload, _AT[event]),
    )
