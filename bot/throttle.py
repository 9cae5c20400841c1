"""A flood of button presses from one person is slowed down without slowing anyone else."""

from __future__ import annotations

import time
from collections import deque

PRESSES = 5
WINDOW = 3.0


class PressThrottle:
    """At most PRESSES presses per person in any WINDOW seconds; in memory, as throttling is
    about this process's load, not state anyone needs after a restart."""

    def __init__(self, presses: int = PRESSES, window: float = WINDOW) -> None:
        self.presses = presses
        self.window = window
        self._recent: dict[int, deque[float]] = {}

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        recent = self._recent.setdefault(user_id, deque())
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) >= self.presses:
            return False
        recent.append(now)
        return True
