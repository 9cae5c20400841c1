"""The reader's language: read before anything is said to them, and remembered for a minute
(reading it from the database each time cost a unit of work per update)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.db.engine import Database
from bot.services import accounts

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

    def forget_all(self) -> None:
        """Read everyone's language from the database again."""
        self._known.clear()

    def remember(self, user_id: int, language: str | None) -> None:
        if len(self._known) >= MAX_ENTRIES:
            self.forget_all()  # simpler than LRU; refilled from the database within a minute
        self._known[user_id] = (language, self.clock() + self.ttl)

    async def language_of(self, db: Database, user_id: int) -> str | None:
        """The user's language: from this process's memory, else from the database (read-only).
        Nobody without an account is remembered: their first /start creates one.

        The read also learns whether they were marked unreachable (they had blocked the bot):
        writing to us proves they unblocked it, so the mark is cleared. (Within a minute of an
        earlier update the read is skipped; the next one after that clears it.)"""
        known, language = self.get(user_id)
        if known:
            return language
        async with db.reading() as session:
            language, unreachable = await accounts.reader(session, user_id)
        if unreachable:
            async with db.session() as session:
                await accounts.reachable_again(session, user_id)
        if language is not None:
            self.remember(user_id, language)
        return language
