"""The phone number offered right after linking: kept only when shared with Telegram's
contact button (the sender's own number), never typed."""

from __future__ import annotations

from telegram import ReplyKeyboardRemove, Update

from bot.context import BotContext
from bot.services import accounts, contacts, conversations
from bot.services.conversations import Conversation


async def share_phone(update: Update, context: BotContext) -> None:
    """A contact from the phone-number button: kept only if it is the sender's own number."""
    message = update.effective_message
    assert message and message.contact and update.effective_user
    _ = context.gettext
    if message.contact.user_id != update.effective_user.id:
        await message.reply_text(
            _("Kirim nomor Anda sendiri lewat tombol 📱, bukan kontak orang lain.")
        )
        return
    async with context.session() as session:
        saved = await accounts.save_phone(
            session, update.effective_user.id, message.contact.phone_number, now=context.clock.now()
        )
    if isinstance(saved, contacts.Saved):
        await message.reply_text(
            _("Terima kasih, nomor Anda sudah disimpan."), reply_markup=ReplyKeyboardRemove()
        )
    elif isinstance(saved, contacts.Refused):
        await message.reply_text(
            _(
                "Nomor ini bukan nomor HP yang bisa menerima WhatsApp atau SMS, jadi tidak "
                "disimpan. Ketik /jadwal kapan saja untuk melihat jadwal Anda."
            ),
            reply_markup=ReplyKeyboardRemove(),
        )


async def skip_phone(update: Update, context: BotContext, convo: Conversation) -> None:
    """Any text while the phone button is offered: no number, keyboard away."""
    assert update.effective_message
    async with context.session() as session:
        await conversations.end(session, convo.account_id)
    await update.effective_message.reply_text(
        context.gettext("Baik. Ketik /jadwal kapan saja untuk melihat jadwal Anda."),
        reply_markup=ReplyKeyboardRemove(),
    )
