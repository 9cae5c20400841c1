"""The reader's language, remembered for a minute: every update needs it before any handler
answers, and reading it from the database each time cost a unit of work per button press."""

from __future__ import annotations

import time
from collections.abc import Callable

TTL = 60.0  # seconds: a change made through another bot process shows within this
MAX_ENTRIES = 100_000


class ReaderLanguages:
    """Telegram user id -> language, for TTL seconds; this process's own changes at once."""

    def __init__(self, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._known: dict[int, tuple[str | None, float]] = {}

    def get(self, user_id: int) -> tuple[bool, str | None]:
        """(known, language): language None means the user has no account yet."""
        found = self._known.get(user_id)
        if found is None or found[1] <= self.clock():
            return False, None
        return True, found[0]

    def remember(self, user_id: int, language: str | None) -> None:
        if len(self._known) >= MAX_ENTRIES:
            self._known.clear()  # simpler than LRU; refilled from the database within a minute
        self._known[user_id] = (language, self.clock() + self.ttl)
