"""What runs before any feature sees an update, lowest group first: drop a webhook update seen
before, learn the reader's language, slow down a flood of presses, leave a step on a command."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from bot.services import conversations, updates


async def skip_seen_update(update: Update, context: BotContext) -> None:
    """Webhook mode: Telegram may deliver an update twice (a slow answer, a retry); handle it
    once, whichever process got it first."""
    if not context.services.webhook:
        return  # long polling confirms updates by offset: no duplicates to catch
    async with context.session() as session:
        first = await updates.first_delivery(session, update.update_id)
    if not first:
        raise ApplicationHandlerStop


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


async def slow_down(update: Update, context: BotContext) -> None:
    """Answer an excess press at once and let no other handler see it."""
    query = update.callback_query
    assert query and update.effective_user
    if context.services.throttle.allow(update.effective_user.id):
        return
    await query.answer(context.gettext("⏳ Sebentar, tombol Anda sedang diproses."))
    raise ApplicationHandlerStop


async def ignore_edit(update: Update, context: BotContext) -> None:
    """An edited message is not a new answer (it would re-run a step, or a command, with old
    words): say so once, and let nothing else see it."""
    if update.edited_message is not None and update.edited_message.chat.type == "private":
        await update.edited_message.reply_text(
            context.gettext("Pesan yang diubah tidak saya baca lagi. Kirim pesan baru bila perlu.")
        )
    raise ApplicationHandlerStop


async def leave_step(update: Update, context: BotContext) -> None:
    """A command starts afresh: whatever step the person was at ends before the command runs,
    so nothing typed after it is read as that step's answer (a teen who left /daftar for her
    letter's code is not told "NIK hanya berisi angka"). /batal leaves by itself, to say so."""
    assert update.effective_user
    async with context.session() as session:
        await conversations.leave(session, update.effective_user.id)
