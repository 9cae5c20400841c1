"""Webhook mode: Telegram may deliver an update twice (a slow answer, a retry); handle it once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.context import BotContext
from bot.db.models import ProcessedUpdate
from bot.db.queries import insert_or_ignore


async def skip_seen_update(update: Update, context: BotContext) -> None:
    """Record the update id; if another process or an earlier delivery had it, stop here."""
    if not context.services.webhook:
        return  # long polling confirms updates by offset: no duplicates to catch
    async with context.session() as session:
        row = {"update_id": update.update_id}
        inserted = await session.execute(
            insert_or_ignore(session, ProcessedUpdate, [row], "update_id")
        )
    if not inserted.rowcount:  # type: ignore[attr-defined]
        raise ApplicationHandlerStop


def register(app: Application) -> None:  # type: ignore[type-arg]
    # The lowest group: before the reader's language (-2) and the press throttle (-1).
    app.add_handler(TypeHandler(Update, skip_seen_update), group=-3)
