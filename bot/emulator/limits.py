"""Telegram's sending limits, as the emulator enforces them."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Sending limits; Telegram's published defaults.

    Overall and group limits are strict sliding windows. A private chat is a token bucket:
    Telegram says "avoid more than one message per second" there but lets short bursts through,
    so a reply followed by a venue pin is fine while a steady stream above 1/s is refused.
    """

    enabled: bool = True
    overall_per_second: int = 30
    paid_per_second: int = 1000
    chat_per_second: float = 1.0
    chat_burst: int = 5
    group_per_minute: int = 20


ARRIVALS_KEPT = 100_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class SendStats:
    """What the emulator let through and refused, for tests and benchmarks."""

    accepted: int = 0
    refused: int = 0
    paid: int = 0  # accepted with allow_paid_broadcast
    peak_one_second: int = 0
    # Attempts (accepted or refused) in the busiest one-second window: how hard a sender pushed.
    peak_attempts_one_second: int = 0
    started: float | None = None
    last: float | None = None
    per_chat_peak: int = 0
    # When each accepted message arrived (the latest ARRIVALS_KEPT), for steady-rate figures.
    arrivals: deque[float] = field(default_factory=lambda: deque(maxlen=ARRIVALS_KEPT), repr=False)
    _per_chat_windows: dict[int, deque[float]] = field(default_factory=dict, repr=False)
    _attempts: deque[float] = field(default_factory=deque, repr=False)

    def attempt(self, now: float) -> None:
        self._attempts.append(now)
        while self._attempts and self._attempts[0] <= now - 1.0:
            self._attempts.popleft()
        self.peak_attempts_one_second = max(self.peak_attempts_one_second, len(self._attempts))

    def steady_rate(self, skip: int) -> float:
        """Messages a second between the `skip`-th arrival and the last: the rate a sender
        holds once its opening burst (a full window's worth at once) is behind it."""
        times = list(self.arrivals)[skip:]
        if len(times) < 2 or times[-1] <= times[0]:
            return float("nan")
        return (len(times) - 1) / (times[-1] - times[0])

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "accepted": self.accepted,
            "refused": self.refused,
            "paid": self.paid,
            "peak_one_second": self.peak_one_second,
            "peak_attempts_one_second": self.peak_attempts_one_second,
            "per_chat_peak_one_second": self.per_chat_peak,
            "first_at": self.started,
            "last_at": self.last,
        }


class RateLimiter:
    """Decides whether one more message may be sent now; answers how long to wait if not."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self.stats = SendStats()
        self._overall: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}
        self._chats: dict[int, _Bucket] = {}

    @staticmethod
    def _expire(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def acquire(self, chat_id: int, *, paid: bool = False) -> int | None:
        """Record a send to `chat_id` and return None, or refuse with seconds to wait."""
        now = self.clock()
        self.stats.attempt(now)
        retry = self._refusal(chat_id, now, paid) if self.limits.enabled else None
        if retry is not None:
            self.stats.refused += 1
            return retry
        self._record(chat_id, now)
        self.stats.paid += paid
        return None

    def _refusal(self, chat_id: int, now: float, paid: bool) -> int | None:
        limits = self.limits
        self._expire(self._overall, now, 1.0)
        overall_cap = limits.paid_per_second if paid else limits.overall_per_second
        if len(self._overall) >= overall_cap:
            return max(1, math.ceil(self._overall[0] + 1.0 - now))
        if chat_id < 0:
            window = self._groups.setdefault(chat_id, deque())
            self._expire(window, now, 60.0)
            if len(window) >= limits.group_per_minute:
                return max(1, math.ceil(window[0] + 60.0 - now))
            return None
        bucket = self._chats.get(chat_id)
        if bucket is not None:
            tokens = min(
                limits.chat_burst, bucket.tokens + (now - bucket.updated) * limits.chat_per_second
            )
            if tokens < 1.0:
                return max(1, math.ceil((1.0 - tokens) / limits.chat_per_second))
        return None

    def _record(self, chat_id: int, now: float) -> None:
        limits = self.limits
        self._overall.append(now)
        self._expire(self._overall, now, 1.0)
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)
        else:
            bucket = self._chats.get(chat_id) or _Bucket(float(limits.chat_burst), now)
            refilled = bucket.tokens + (now - bucket.updated) * limits.chat_per_second
            bucket.tokens = min(float(limits.chat_burst), refilled) - 1.0
            bucket.updated = now
            self._chats[chat_id] = bucket
        stats = self.stats
        stats.accepted += 1
        stats.arrivals.append(now)
        stats.started = now if stats.started is None else stats.started
        stats.last = now
        stats.peak_one_second = max(stats.peak_one_second, len(self._overall))
        chat_window = stats._per_chat_windows.setdefault(chat_id, deque())
        chat_window.append(now)
        self._expire(chat_window, now, 1.0)
        stats.per_chat_peak = max(stats.per_chat_peak, len(chat_window))
