"""The bot's one send budget: python-telegram-bot's rate-limiter hook over the Pacer.

PTB passes every Bot API call of the application's bot through `process_request` (getUpdates
aside). Messages (`send…`, copies and forwards) take a turn of the process's one Pacer: the
outbox dispatcher's as bulk (it says so with `rate_limit_args=BULK`), everything else (a reply
to a command, a press, an error apology) as urgent, ahead of bulk. A 429 pauses everyone for
`retry_after`; a reply is then tried again, not lost, while a bulk send goes back to the outbox,
which keeps its place. Edits, answers to presses and the like are not counted by Telegram's
broadcast limits and pass straight through (a 429 on one is waited out and retried).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter
from telegram.ext import BaseRateLimiter

from bot.config import Settings
from bot.delivery.attempts import retry_after_seconds
from bot.delivery.pacing import Pacer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bulk:
    """An outbox send: behind every reply, and not sent at all once its claim has run out
    (`until`, on the pacer's clock): another process may have claimed the row again by then,
    and sending it here too would deliver it twice."""

    until: float


class ClaimExpired(Exception):
    """A bulk send's claim ran out while it waited for its turn: nothing was sent."""


_MESSAGES = ("send", "copyMessage", "forwardMessage")
# Outcomes that are Telegram's answer: the call arrived (a timeout or a broken connection may not).
_ANSWERS = (RetryAfter, BadRequest, Forbidden, ChatMigrated)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


def chat_key(chat_id: object) -> int:
    """The pacer's key for a chat: its id; a public @name counts as a group."""
    if isinstance(chat_id, int | str):
        try:
            return int(chat_id)
        except ValueError:
            pass
    return -1 - (hash(str(chat_id)) & 0x7FFFFFFF)


class SendBudget(BaseRateLimiter[Bulk]):
    """One per process; `share` splits the office's rates between its processes."""

    def __init__(
        self,
        rate: float,
        *,
        paid_broadcast: bool = False,
        paid_rate: float = 1000.0,
        reply_burst: int = 3,
        retries: int = 5,
        pacer: Pacer | None = None,
    ) -> None:
        self.free_rate = rate
        self.paid_broadcast = paid_broadcast
        self.rate = max(rate, paid_rate) if paid_broadcast else rate
        self.pacer = pacer or Pacer(self.rate, free_rate=self.free_rate, reply_burst=reply_burst)
        self.retries = retries

    @classmethod
    def of(cls, settings: Settings) -> SendBudget:
        return cls(
            settings.dispatch_rate,
            paid_broadcast=settings.dispatch_paid_broadcast,
            paid_rate=settings.dispatch_paid_rate,
            reply_burst=settings.dispatch_reply_burst,
        )

    def share(self, processes: int) -> None:
        """This process's part when `processes` send for the office together."""
        self.pacer.set_rate(self.rate / processes, self.free_rate / processes)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Bulk | None,
    ) -> JSONResult:
        bulk = rate_limit_args is not None
        counted = endpoint.startswith(_MESSAGES) and "chat_id" in data
        for attempt in range(self.retries + 1):
            try:
                if counted:
                    return await self._paced(callback, args, kwargs, data, rate_limit_args)
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if counted:
                    self.pacer.pause(wait)
                if bulk or attempt == self.retries:
                    raise
                log.warning("429 on %s; trying again in %gs", endpoint, wait)
                if not counted:
                    await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        data: dict[str, Any],
        bulk: Bulk | None,
    ) -> JSONResult:
        turn = await self.pacer.turn(chat_key(data["chat_id"]), urgent=bulk is None)
        if bulk is not None and self.pacer.clock() > bulk.until:
            self.pacer.give_back(turn)
            raise ClaimExpired
        if self.paid_broadcast and (bulk is not None or turn.paid):
            # `data` is what the call sends: PTB builds the request from it after this.
            data["allow_paid_broadcast"] = True
        answered = False
        try:
            result = await callback(*args, **kwargs)
            answered = True
            return result
        except _ANSWERS:
            answered = True
            raise
        finally:
            self.pacer.done(turn, answered=answered)
