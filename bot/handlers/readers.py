"""The reader's language, resolved once per update before any feature handler speaks."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext


async def speak_readers_language(update: object, context: BotContext) -> None:
    """Set context.language to the reader's (the office's for someone without an account).

    Every update goes through here, presses under a summons included: one mechanism, and the
    language comes from the process's cache when it can (see bot.readers). The error handler
    calls it too, as PTB gives error handlers a context of their own.
    """
    if not isinstance(update, Update) or update.effective_user is None:
        return
    services = context.services
    language = await services.languages.language_of(services.db, update.effective_user.id)
    if language is not None:
        context.language = language
