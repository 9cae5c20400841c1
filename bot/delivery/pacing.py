"""Pacing of everything the bot sends: never more than `rate` messages arriving at Telegram in
any one-second window, one message a second to a private chat, twenty a minute to a group, and a
pause for all after a 429. Replies to a person go ahead of bulk sends.

Telegram counts a message when it *arrives*, half a round trip or so after it started; we only
see when it started and when its answer came back. What bounds the arrival is the answer:
whatever the split of the round trip, a message arrived at least the shortest way back before
its answer, and the next one arrives at least the shortest way out after its start. With
`min_rtt` the shortest round trip seen lately (both shortest ways together), a slot freed at
`answer + 1 s - min_rtt` can take a new send that cannot arrive within a second of the old one:

    arrival_old <= answer_old - shortest_back
    arrival_new >= start_new + shortest_out >= answer_old + 1 - min_rtt + shortest_out
                 = arrival_old + 1 + (shortest_back + shortest_out - min_rtt) >= arrival_old + 1

So a slot is held one second plus this send's own excess over the shortest round trip: the
jitter actually observed, send by send, and not the round trip itself (the first release held it
until `answer + 1 s`, losing the whole round trip from every slot: 78 % of the ceiling at
250 ms). `margin` covers `min_rtt` being judged on few samples. A send without an answer (a
timeout) keeps the old, blind rule: its slot is held until one second after we gave up.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

GROUP_INTERVAL = 3.0  # 20 a minute
# Replies may come in a short burst into one chat (a reply and its pin, a quick second ask), as
# Telegram allows; past it they are paced at the chat's rate, so that one fast typist never
# earns a 429 that pauses everyone. Telegram's own burst is larger; the default stays under it
# (DISPATCH_REPLY_BURST).
REPLY_BURST = 3
# A saturated event loop (a paid broadcast at hundreds a second) makes each send's round trip
# a mix of its own way out and another's way back: the shortest one then no longer bounds both
# floors (measured: 429s at 250 ms). After a timed wait woke this late, slots are held the
# blind way (answer + 1 s) for a while. A loop only busy (a 30/s broadcast beside other work)
# wakes a few milliseconds late and keeps the early release.
LAG_LIMIT = 0.050
LAG_MEMORY = 5.0
FREE_RATE = 30.0  # Telegram's broadcast limit without paying


class RoundTrips:
    """The shortest round trip of the recent past (a sliding minimum), trusted once `trusted`
    have been seen.

    The bound above needs `min_rtt` no longer than the shortest way out plus the shortest way
    back; the shortest single round trip approaches that sum as samples accumulate (each way
    has to be near its floor at once), so a handful of samples, such as a broadcast's opening
    burst through a busy event loop, is not trusted: until then nothing is taken off. A sample
    leaves the window only when it is both `kept` sends and `seconds` old: a quiet hour does not
    leave one odd sample in charge, and a second of a saturated paid broadcast (a thousand slow
    samples) does not push out the faster ones of the minute before. A path that got faster is
    learnt at once, one that got slower after the window (an older, lower minimum only holds
    slots longer).
    """

    def __init__(self, kept: int = 1000, trusted: int = 100, seconds: float = 60.0) -> None:
        self.kept = kept
        self.trusted = trusted
        self.seconds = seconds
        self.seen = 0
        # (sample number, when, rtt), rtt increasing
        self._candidates: deque[tuple[int, float, float]] = deque()

    def observe(self, rtt: float, now: float = 0.0) -> None:
        self.seen += 1
        while self._candidates and self._candidates[-1][2] >= rtt:
            self._candidates.pop()
        self._candidates.append((self.seen, now, rtt))
        while (
            self._candidates[0][0] <= self.seen - self.kept
            and self._candidates[0][1] < now - self.seconds
        ):
            self._candidates.popleft()

    def minimum(self) -> float:
        """The shortest recent round trip; 0 while too few have been seen to trust one."""
        if self.seen < self.trusted:
            return 0.0
        return self._candidates[0][2]


@dataclass(frozen=True)
class Turn:
    """One send's permission: give it back with `Pacer.done` however the send ended."""

    chat_id: int
    started: float
    urgent: bool
    # Beyond Telegram's free rate: the send must carry allow_paid_broadcast (paid mode only).
    paid: bool


class Pacer:
    """One per process, shared by the outbox dispatcher and every reply.

    Bulk sends wait for their chat outside the lock and queue on it for the overall rate (so a
    thousand waiting bulk sends do not all wake at each free slot); a reply skips that queue,
    and no bulk send takes a slot while a reply is waiting for one. A reply is not held to its
    chat's one-a-second (Telegram lets a short burst into a private chat: a reply and its
    venue pin) but to a burst of REPLY_BURST, and it counts there, so the next bulk message
    to that chat waits for it.
    """

    def __init__(
        self,
        rate: float,
        *,
        free_rate: float | None = None,
        chat_interval: float = 1.0,
        reply_burst: int = REPLY_BURST,
        margin: float = 0.003,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.free_rate = rate if free_rate is None else min(rate, free_rate)
        self.chat_interval = chat_interval
        self.reply_burst = float(reply_burst)
        self.margin = margin
        self.clock = clock
        self.trips = RoundTrips()
        self._window: list[float] = []  # when each answered send frees its slot (a heap)
        self._in_flight = 0
        self._chat_busy: dict[int, int] = {}
        self._chat_next: dict[int, float] = {}
        self._chat_tokens: dict[int, tuple[float, float]] = {}  # (tokens, when counted)
        self._paused_until = 0.0
        self._urgent_waiting = 0
        # Until a timed wait has shown the loop keeps time, hold slots the blind way.
        self._loop_busy_until = clock() + LAG_MEMORY
        self._changed = asyncio.Event()
        self._bulk = asyncio.Lock()

    # --- settings and news ---------------------------------------------------------------

    def set_rate(self, rate: float, free_rate: float | None = None) -> None:
        """Change the overall rate (several processes share the office's budget)."""
        self.rate = rate
        self.free_rate = rate if free_rate is None else min(rate, free_rate)
        self._notify()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _sleep(self, seconds: float | None) -> None:
        """Until `seconds` pass (None: indefinitely) or something changes."""
        changed = self._changed
        if seconds is None:
            await changed.wait()
            return
        due = self.clock() + seconds
        try:
            await asyncio.wait_for(changed.wait(), seconds)
        except TimeoutError:
            self._saw_lag(self.clock() - due)

    def _saw_lag(self, late: float) -> None:
        """A timed wait woke `late` seconds after it was due: the event loop is this busy."""
        if late > LAG_LIMIT:
            self._loop_busy_until = self.clock() + LAG_MEMORY

    def _trusted_early(self, now: float) -> float:
        """What may come off a slot: the shortest round trip (less the margin), unless the
        loop has lately been too busy to trust it (see the class docstring)."""
        if now < self._loop_busy_until:
            return 0.0
        return max(0.0, self.trips.minimum() - self.margin)

    # --- the overall window ---------------------------------------------------------------

    def _occupied(self, now: float) -> int:
        while self._window and self._window[0] <= now:
            heapq.heappop(self._window)
        return len(self._window) + self._in_flight

    def _slot_wait(self, now: float) -> float | None:
        """Seconds until a slot frees (≤ 0: one is free now); None: when an answer comes."""
        wait = self._paused_until - now
        if self._occupied(now) >= max(1, int(self.rate)):
            if not self._window:
                return None
            wait = max(wait, self._window[0] - now)
        return wait

    async def _take_slot(self, chat_id: int, *, urgent: bool) -> Turn | None:
        """A turn if a slot is free now and this send may have it; None after waiting."""
        now = self.clock()
        wait = self._slot_wait(now)
        if wait is not None and wait <= 0 and (urgent or not self._urgent_waiting):
            paid = self._occupied(now) >= self.free_rate
            self._in_flight += 1
            self._chat_busy[chat_id] = self._chat_busy.get(chat_id, 0) + 1
            self._chat_tokens[chat_id] = (self._tokens(chat_id, now) - 1.0, now)
            return Turn(chat_id, now, urgent, paid)
        await self._sleep(None if wait is None or wait <= 0 else wait)
        return None

    # --- turns ---------------------------------------------------------------------------

    def _interval(self, chat_id: int) -> float:
        return GROUP_INTERVAL if chat_id < 0 else self.chat_interval

    def _tokens(self, chat_id: int, now: float) -> float:
        """The chat's burst allowance now: REPLY_BURST, spent one a send, back one an interval."""
        tokens, counted = self._chat_tokens.get(chat_id, (float(REPLY_BURST), now))
        refill = (
            (now - counted) / self._interval(chat_id) if self._interval(chat_id) else REPLY_BURST
        )
        return min(float(REPLY_BURST), tokens + refill)

    def _burst_wait(self, chat_id: int, now: float) -> float:
        """Seconds until a reply to this chat fits its burst allowance (0: now)."""
        missing = 1.0 - self._tokens(chat_id, now)
        return max(0.0, missing * self._interval(chat_id))

    def _chat_wait(self, chat_id: int, now: float) -> float | None:
        """Seconds until a bulk send to this chat may start; None: one is in flight."""
        if self._chat_busy.get(chat_id, 0):
            return None
        return self._chat_next.get(chat_id, 0.0) - now

    def _chat_ready(self, chat_id: int) -> bool:
        wait = self._chat_wait(chat_id, self.clock())
        return wait is not None and wait <= 0

    async def turn(self, chat_id: int, *, urgent: bool = False) -> Turn:
        """Wait until a message to `chat_id` may start, and record that it does."""
        if urgent:
            # Sleeping until a computed instant: the chat's allowance comes back at a known time.
            while (burst := self._burst_wait(chat_id, self.clock())) > 0:  # noqa: ASYNC110
                await asyncio.sleep(burst)  # this chat only: nobody else waits for it
            self._urgent_waiting += 1
            try:
                while (taken := await self._take_slot(chat_id, urgent=True)) is None:
                    pass
                return taken
            finally:
                self._urgent_waiting -= 1
                self._notify()
        while True:
            wait = self._chat_wait(chat_id, self.clock())
            if wait is None or wait > 0:
                await self._sleep(wait)
                continue
            async with self._bulk:
                while self._chat_ready(chat_id):
                    if (taken := await self._take_slot(chat_id, urgent=False)) is not None:
                        return taken
                # A reply to this chat went first while we waited for a slot.

    def give_back(self, turn: Turn) -> None:
        """The turn was not used (nothing was sent): its slot and its chat are free again."""
        self._in_flight -= 1
        tokens, counted = self._chat_tokens.get(turn.chat_id, (0.0, turn.started))
        self._chat_tokens[turn.chat_id] = (tokens + 1.0, counted)
        self._release_chat(turn.chat_id)
        self._notify()

    def _release_chat(self, chat_id: int) -> None:
        busy = self._chat_busy[chat_id] - 1
        if busy:
            self._chat_busy[chat_id] = busy
        else:
            del self._chat_busy[chat_id]

    def done(self, turn: Turn, *, answered: bool) -> None:
        """The send of `turn` is over. `answered`: Telegram's answer came back (any status),
        so the message is known to have arrived before it; otherwise (a timeout, a broken
        connection) its slot is held a full second from now."""
        now = self.clock()
        early = 0.0
        if answered:
            self.trips.observe(now - turn.started, now)
            early = self._trusted_early(now)
        self._in_flight -= 1
        heapq.heappush(self._window, now + 1.0 - early)
        next_at = now + self._interval(turn.chat_id) - early
        self._chat_next[turn.chat_id] = max(self._chat_next.get(turn.chat_id, 0.0), next_at)
        self._release_chat(turn.chat_id)
        self._notify()

    def forget_idle_chats(self) -> None:
        """Drop per-chat state that no longer restricts anything (bounded memory)."""
        now = self.clock()
        for chat_id in [c for c, ready in self._chat_next.items() if ready <= now]:
            if not self._chat_busy.get(chat_id):
                del self._chat_next[chat_id]
        for chat_id in [c for c in self._chat_tokens if self._tokens(c, now) >= self.reply_burst]:
            del self._chat_tokens[chat_id]
