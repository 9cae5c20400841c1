"""What sending one SMS returns, whatever carries it: the Protocol every SMS sender meets.

SMS Gateway for Android (`gateway.py`) is the first sender; an SMPP aggregator would be one more
module with the same `send`. A sender never raises for a refusal: it returns one, typed, so the
dispatcher decides (retry later, stop the channel, drop the message) without knowing the carrier.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol


class DeliveryState(enum.StrEnum):
    """Where one SMS to one number is, in the gateway's words (its `state` strings)."""

    PENDING = "Pending"  # accepted, waiting in the phone's queue
    PROCESSED = "Processed"  # taken by the phone, handed to the radio
    SENT = "Sent"  # the network took it
    DELIVERED = "Delivered"  # the recipient's phone confirmed it (with a delivery report)
    FAILED = "Failed"  # it will not arrive; the reason says why

    @property
    def final(self) -> bool:
        return self in (DeliveryState.DELIVERED, DeliveryState.FAILED)


class RefusalKind(enum.StrEnum):
    AUTH = "auth"  # the gateway refused the credentials: nothing passes until they are fixed
    RETRYABLE = "retryable"  # 5xx, a timeout, no connection: the same send, same key, later
    REJECTED = "rejected"  # this message as it is (a number, an empty text): never again


@dataclass(frozen=True)
class Sent:
    """Accepted by the carrier: `message_id` names it in later state changes."""

    message_id: str
    segments: int
    state: DeliveryState = DeliveryState.PENDING


@dataclass(frozen=True)
class Refusal:
    kind: RefusalKind
    detail: str  # for the log, never shown to a person

    @property
    def retryable(self) -> bool:
        return self.kind is RefusalKind.RETRYABLE


class Sender(Protocol):
    async def send(self, to_e164: str, text: str, *, key: str) -> Sent | Refusal:
        """Send `text` to one number. `key` is stable for one outbox message: sending it
        again after a timeout must not reach the phone twice."""
        ...


# Android's SmsManager results a later attempt may get past (the radio, the network, the
# phone's own queue); every other failure stays a failure for this number.
_PASSING = (
    "RESULT_ERROR_RADIO_OFF",
    "RESULT_ERROR_NO_SERVICE",
    "RESULT_ERROR_LIMIT_EXCEEDED",
    "RESULT_NETWORK_ERROR",
    "RESULT_MODEM_ERROR",
    "RESULT_RIL_",
    "TTL expired",
)


def failure_retryable(reason: str | None) -> bool:
    """Whether an SMS failed for a reason that may pass (no signal, a full queue, expired in
    the queue) rather than for the number itself (unreachable, barred, generic failure)."""
    return reason is not None and reason.startswith(_PASSING)
