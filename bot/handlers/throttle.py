"""A flood of button presses from one person is slowed down without slowing anyone else."""

from __future__ import annotations

import time
from collections import deque

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, CallbackQueryHandler

from bot.context import BotContext
from bot.handlers.languages import read_language

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


async def slow_down(update: Update, context: BotContext) -> None:
    """Answer an excess press at once and let no other handler see it."""
    query = update.callback_query
    assert query and update.effective_user
    if context.services.throttle.allow(update.effective_user.id):
        return
    await read_language(context, update.effective_user.id)
    await query.answer(context.gettext("⏳ Sebentar, tombol Anda sedang diproses."))
    raise ApplicationHandlerStop


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(slow_down), group=-1)
