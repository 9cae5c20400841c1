"""Updates from one person are handled one at a time and in order; different people's updates
are handled concurrently (up to a bound), so one slow chat never holds up the office."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 64


class PerPersonUpdates(BaseUpdateProcessor):
    """PTB's update processor with one lock per person (user, else chat).

    A person's second press waits for their first to finish: their conversation step, their
    summons revision and their replies stay in order, exactly as with no concurrency at all.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    @staticmethod
    def _person(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_user is not None:
            return update.effective_user.id
        return update.effective_chat.id if update.effective_chat is not None else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        person = self._person(update)
        if person is None:
            await coroutine
            return
        lock = self._locks.setdefault(person, asyncio.Lock())
        self._holders[person] = self._holders.get(person, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._holders[person] -= 1
            if not self._holders[person]:  # nobody else waits: forget the lock
                del self._holders[person]
                del self._locks[person]

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on demand."""

    async def shutdown(self) -> None:
        """Nothing to free."""
