"""The reader's language: read before anything is said to them, and remembered for a minute
(reading it from the database each time cost a unit of work per update)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.services import accounts

if TYPE_CHECKING:
    from bot.context import BotContext

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


async def read_language(context: BotContext, user_id: int) -> None:
    """Make the context speak the reader's language, unless it already knows it: from this
    process's memory, else from the database. Nobody without an account is remembered (their
    first /start creates one) and is answered in the office's language."""
    if context.reader_known:
        return
    languages = context.services.languages
    known, language = languages.get(user_id)
    if not known:
        async with context.session() as session:
            language = await accounts.language_of(session, user_id)
        if language is not None:
            languages.remember(user_id, language)
    context.reader_speaks(language)
