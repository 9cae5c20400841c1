"""Thin Telegram adapters, one module per audience."""

from __future__ import annotations

from telegram.ext import Application

from bot.handlers import (
    common,
    conversation,
    duplicates,
    errors,
    privacy,
    registration,
    summons,
    throttle,
    waiting,
)


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in the order that matters: features first, catch-alls last."""
    duplicates.register(app)
    throttle.register(app)
    # Order matters: /start with an invitation code must win over plain /start.
    registration.register(app)
    common.register(app)
    summons.register(app)
    waiting.register(app)
    privacy.register(app)
    conversation.register(app)
    common.register_fallbacks(app)
    app.add_error_handler(errors.apologise)
