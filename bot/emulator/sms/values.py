"""The emulated gateway's values: a message and its recipients, the phone's pace, a fault,
the statistics a benchmark reads, and the app's time format."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

Json = dict[str, Any]
WIB = timezone(timedelta(hours=7), "WIB")  # the phone's clock; the app writes times in it
PER_MINUTE, PER_30_MINUTES, PER_HOUR, PER_DAY = 60.0, 1800.0, 3600.0, 86400.0


def iso(at: datetime) -> str:
    """A time as the app's Gson writes it: milliseconds and the phone's offset."""
    return at.astimezone(WIB).isoformat(timespec="milliseconds")


class ApiError(Exception):
    """An answer other than 2xx, with the app's `{"message": ...}` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Pace:
    """How fast the phone sends: `limit` messages per `period` seconds (0: no limit), a pause
    drawn from `interval` (min, max seconds) between messages, and the app's extra `slack`."""

    limit: int = 0
    period: float = PER_MINUTE
    interval: tuple[float, float] = (0.0, 0.0)
    slack: float = 1.0


@dataclass
class Fault:
    """The next `count` API calls on `route` ("messages", "webhooks" or "*") answer `status`,
    or are held `delay` seconds first (a timeout for a client with a shorter one)."""

    route: str = "*"
    count: int = 1
    status: int | None = 502
    delay: float = 0.0


@dataclass
class Recipient:
    phone: str
    state: str = "Pending"
    error: str | None = None


@dataclass
class OutgoingSms:
    id: str
    text: str
    recipients: list[Recipient]
    with_delivery_report: bool
    valid_until: datetime | None
    sim_number: int | None
    segments: int
    state: str = "Pending"
    states: dict[str, datetime] = field(default_factory=dict)

    def as_json(self, device_id: str) -> Json:
        return {
            "id": self.id,
            "deviceId": device_id,
            "state": self.state,
            "isHashed": False,
            "isEncrypted": False,
            "recipients": [
                {"phoneNumber": r.phone, "state": r.state, "error": r.error}
                for r in self.recipients
            ],
            "states": {state: iso(at) for state, at in self.states.items()},
        }


@dataclass
class Stats:
    """What the phone sent, for benchmarks and an SMS bill: API messages, SMS (one per
    recipient), segments (what the operator charges), the busiest minute, counts per number."""

    messages: int = 0
    sms: int = 0
    segments: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    peak_per_minute: int = 0
    per_recipient: Counter[str] = field(default_factory=Counter)
    _minute: deque[float] = field(default_factory=deque)

    def count_sent(self, phone: str, segments: int, at: float) -> None:
        self.sent += 1
        self.segments += segments
        self.per_recipient[phone] += 1
        self._minute.append(at)
        while self._minute and self._minute[0] <= at - 60:
            self._minute.popleft()
        self.peak_per_minute = max(self.peak_per_minute, len(self._minute))

    def as_dict(self) -> Json:
        return {
            "messages": self.messages,
            "sms": self.sms,
            "segments": self.segments,
            "sent": self.sent,
            "delivered": self.delivered,
            "failed": self.failed,
            "peak_per_minute": self.peak_per_minute,
            "per_recipient": dict(self.per_recipient),
        }
