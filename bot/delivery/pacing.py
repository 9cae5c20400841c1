"""Pacing of outgoing messages: never more than `rate` sends in any one-second window, one
message per second to a private chat, twenty a minute to a group, and a pause for all after a
429.

Telegram counts a message when it arrives, somewhere between the moment the send started and
the moment its answer came back; a busy event loop can hold a started send back for tens of
milliseconds. So a send occupies its slot in the window from its start until one second after
its answer: with fewer than `rate` sends in flight or answered within the last second, a new
send cannot make any one-second window of arrivals exceed `rate`, however late each arrives.
A chat likewise waits its interval from the answer of its last message, not from its start."""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable

GROUP_INTERVAL = 3.0  # 20 a minute


class Pacer:
    """Shared by every send task of one dispatcher; tasks wait for their turn here.

    A task waiting for its chat (sent to a second ago) does not hold up other chats: it sleeps
    outside the lock. The lock only orders tasks competing for the overall rate.
    """

    def __init__(
        self,
        rate: float,
        *,
        chat_interval: float = 1.0,
        margin: float = 0.03,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        # Sends are timed when they start; Telegram counts them when they arrive. A little
        # slack on the one-second window keeps network jitter from squeezing one too many in.
        self.span = 1.0 + margin
        self.chat_interval = chat_interval
        self.clock = clock
        self._window: deque[float] = deque()  # when answered sends were answered
        self._in_flight = 0
        self._answered = asyncio.Event()
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        """Change the overall rate (several processes share the office's budget)."""
        self.rate = rate

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def _interval(self, chat_id: int) -> float:
        return GROUP_INTERVAL if chat_id < 0 else self.chat_interval

    def _overall_wait(self, now: float) -> float | None:
        """Seconds until a send may start; None: wait for an answer in flight."""
        while self._window and self._window[0] <= now - self.span:
            self._window.popleft()
        wait = self._paused_until - now
        if len(self._window) + self._in_flight >= max(1, int(self.rate)):
            if not self._window:
                return None
            wait = max(wait, self._window[0] + self.span - now)
        return wait

    async def _until_free(self) -> None:
        # Sleeping until a computed instant is the point here (a window slot frees up at a
        # known time); otherwise the next answer frees one.
        while True:
            wait = self._overall_wait(self.clock())
            if wait is None:
                self._answered.clear()
                await self._answered.wait()
            elif wait > 0:
                await asyncio.sleep(wait)
            else:
                return

    async def turn(self, chat_id: int) -> None:
        """Return when a message to `chat_id` may start now; records that it does. Every
        turn must be followed by `answered(chat_id)` once the send is over, however it ended."""
        while True:
            ready = self._chat_next.get(chat_id, 0.0)
            if ready == math.inf:  # a send to this chat is in flight: wait for its answer
                self._answered.clear()
                await self._answered.wait()
                continue
            if ready > self.clock():
                await asyncio.sleep(ready - self.clock())
                continue
            async with self._lock:
                await self._until_free()
                if self._chat_next.get(chat_id, 0.0) > self.clock():
                    continue  # another task of this chat went first while we waited
                self._in_flight += 1
                self._chat_next[chat_id] = math.inf
                return

    def answered(self, chat_id: int) -> None:
        """The send that last took a turn for `chat_id` is over: its slot in the overall
        window stays taken for one more second, and its chat waits one interval from now
        (not from the start, for the same reason: the message may have arrived late)."""
        self._in_flight -= 1
        now = self.clock()
        self._window.append(now)
        self._chat_next[chat_id] = now + self._interval(chat_id)
        self._answered.set()

    def forget_idle_chats(self) -> None:
        """Drop per-chat state that no longer restricts anything (bounded memory)."""
        now = self.clock()
        for chat_id in [c for c, ready in self._chat_next.items() if ready <= now]:
            del self._chat_next[chat_id]
