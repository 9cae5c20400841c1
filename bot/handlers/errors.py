"""The last resort: log what went wrong (redacted) and apologise instead of going silent."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import BotContext
from bot.handlers.guards import speak_readers_language

log = logging.getLogger(__name__)


async def apologise(update: object, context: BotContext) -> None:
    """Log the error with the update's id and the user's id only, then say sorry."""
    update_id = update.update_id if isinstance(update, Update) else None
    user_id = (
        update.effective_user.id if isinstance(update, Update) and update.effective_user else None
    )
    log.error("update %s from user %s failed", update_id, user_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(context.error, Forbidden):
        return  # the user blocked the bot: nobody to apologise to
    if update.effective_user is not None:  # PTB gives error handlers a context of their own
        try:
            await speak_readers_language(update, context)
        except (SQLAlchemyError, OSError):  # the database may be what failed: say it in ours
            log.warning("no language for the apology for update %s", update_id)
    try:
        await context.bot.send_message(
            update.effective_chat.id,
            context.gettext(
                "Maaf, terjadi kesalahan di pihak kami. Silakan coba lagi sebentar lagi; "
                "jika masih gagal, hubungi kantor Dukcapil."
            ),
        )
    except TelegramError:
        log.warning("could not send the apology for update %s", update_id)
