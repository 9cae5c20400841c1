"""The Cloud API's sending limits, as the emulator enforces them, and what it let through.

Three limits fail in three ways, as Meta's do:

- throughput: about 80 messages a second per business phone number, a strict sliding window;
  past it the send is refused at once (130429).
- pair rate: about one message every 6 seconds to one user, a token bucket that lets a short
  burst through (a reply followed by a menu); past it the send is refused at once (131056).
- messaging limit ("tier"): how many unique users the number may *start* conversations with
  in a rolling 24 hours (250, 2000, 10000, 100000). Meta documents no code of its own for it:
  the send is accepted and a message to one more new user fails afterwards. The emulator
  reports that failure on the status webhook with 131048 (see docs/whatsapp.md). Users whose
  customer-service window is open do not count: answering someone who wrote is never limited.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

TIERS = (250, 2000, 10_000, 100_000)
DAY = 24 * 3600.0


@dataclass(frozen=True)
class Limits:
    """Sending limits; Meta's published defaults (tier 1 is 250 new users a day)."""

    enabled: bool = True
    per_second: int = 80
    pair_per_second: float = 1 / 6
    pair_burst: int = 5
    tier: int = TIERS[0]


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class SendStats:
    """What the emulator let through, refused and would bill, for tests and benchmarks."""

    accepted: int = 0
    refused: int = 0
    failed: int = 0  # accepted, then a failed status (not a user, window closed, tier)
    peak_one_second: int = 0
    per_recipient_peak: int = 0
    # Template messages sent while the user's window was closed open a paid conversation;
    # anything sent inside the window is free (service, or utility in the window).
    billed: dict[str, int] = field(default_factory=dict)
    _recipient_windows: dict[str, deque[float]] = field(default_factory=dict, repr=False)

    def as_dict(self, unique_recipients_24h: int) -> dict[str, object]:
        return {
            "accepted": self.accepted,
            "refused": self.refused,
            "failed": self.failed,
            "peak_one_second": self.peak_one_second,
            "per_recipient_peak_one_second": self.per_recipient_peak,
            "unique_recipients_24h": unique_recipients_24h,
            "billed": dict(self.billed),
        }


class RateLimiter:
    """Throughput and pair rate on arrival; the rolling 24-hour set of users reached."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self.clock = clock
        self.stats = SendStats()
        self._window: deque[float] = deque()
        self._pairs: dict[str, _Bucket] = {}
        # Users a conversation was started with (business-initiated), by when: the tier.
        self._started: dict[str, float] = {}

    @staticmethod
    def _expire(window: deque[float], now: float, span: float) -> None:
        while window and window[0] <= now - span:
            window.popleft()

    def acquire(self, wa_id: str) -> tuple[int, float] | None:
        """Record a send to `wa_id` and return None, or refuse with (code, seconds to wait)."""
        now = self.clock()
        refusal = self._refusal(wa_id, now) if self.limits.enabled else None
        if refusal is not None:
            self.stats.refused += 1
            return refusal
        self._record(wa_id, now)
        return None

    def _refusal(self, wa_id: str, now: float) -> tuple[int, float] | None:
        limits = self.limits
        self._expire(self._window, now, 1.0)
        if len(self._window) >= limits.per_second:
            return 130429, max(0.0, self._window[0] + 1.0 - now)
        bucket = self._pairs.get(wa_id)
        if bucket is not None:
            tokens = self._refilled(bucket, now)
            if tokens < 1.0:
                return 131056, (1.0 - tokens) / limits.pair_per_second
        return None

    def _refilled(self, bucket: _Bucket, now: float) -> float:
        limits = self.limits
        return min(
            float(limits.pair_burst),
            bucket.tokens + (now - bucket.updated) * limits.pair_per_second,
        )

    def _record(self, wa_id: str, now: float) -> None:
        self._window.append(now)
        bucket = self._pairs.get(wa_id) or _Bucket(float(self.limits.pair_burst), now)
        bucket.tokens = self._refilled(bucket, now) - 1.0
        bucket.updated = now
        self._pairs[wa_id] = bucket
        stats = self.stats
        stats.accepted += 1
        stats.peak_one_second = max(stats.peak_one_second, len(self._window))
        mine = stats._recipient_windows.setdefault(wa_id, deque())
        mine.append(now)
        self._expire(mine, now, 1.0)
        stats.per_recipient_peak = max(stats.per_recipient_peak, len(mine))

    # --- the messaging limit ----------------------------------------------------------------

    def _forget_old_conversations(self, now: float) -> None:
        for wa_id in [w for w, at in self._started.items() if at <= now - DAY]:
            del self._started[wa_id]

    def may_start(self, wa_id: str) -> bool:
        """Whether a business-initiated message to `wa_id` fits the tier (a user already
        reached in the last 24 hours always does)."""
        now = self.clock()
        self._forget_old_conversations(now)
        if wa_id in self._started or not self.limits.enabled:
            return True
        return len(self._started) < self.limits.tier

    def started(self, wa_id: str) -> None:
        """A business-initiated message reached `wa_id`: one of the tier's users for 24 h."""
        self._started.setdefault(wa_id, self.clock())

    @property
    def unique_recipients_24h(self) -> int:
        self._forget_old_conversations(self.clock())
        return len(self._started)

    def bill(self, category: str) -> None:
        self.stats.billed[category] = self.stats.billed.get(category, 0) + 1


def retry_seconds(wait: float) -> int:
    """Whole seconds to tell a sender, never zero."""
    return max(1, math.ceil(wait))
