"""Thin Telegram adapters, one module per audience."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, TypeHandler

from bot.handlers import (
    common,
    conversation,
    errors,
    guards,
    parents,
    privacy,
    readers,
    registration,
    staff,
    staff_broadcast,
    staff_sessions,
    summons,
    waiting,
)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order that matters: features first, catch-alls last."""
    app.add_handler(TypeHandler(Update, guards.skip_seen_update), group=-3)
    app.add_handler(TypeHandler(Update, readers.speak_readers_language), group=-2)
    app.add_handler(CallbackQueryHandler(guards.slow_down), group=-1)
    # Order matters: a staff QR scan (/start hadir_...), a parent's link (/start ortu_...) and
    # an invitation (/start CODE) must win over plain /start.
    staff.register(app)
    parents.register(app)
    registration.register(app)
    common.register(app)
    summons.register(app)
    waiting.register(app)
    staff_broadcast.register(app)
    staff_sessions.register(app)
    privacy.register(app)
    conversation.register(app)
    common.register_fallbacks(app)
    app.add_error_handler(errors.apologise)
