"""Ending a guardian's link: the parent or the teen removes it (asked first), or the teen
says a guardian is not theirs."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.context import BotContext
from bot.presentation import buttons, texts
from bot.services import family, guardians


async def ask_remove(update: Update, context: BotContext) -> None:
    """Putuskan hubungan: one tap must not undo a link: say what it ends, and ask."""
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    link_id = buttons.GUARDIANS.read(query.data, buttons.AskRemove).link_id
    # The pressed button's label names who would be unlinked ("Putuskan hubungan dengan Ibu Sri").
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    pressed = [
        button.text
        for row in (markup.inline_keyboard if markup is not None else ())
        for button in row
        if button.callback_data == query.data
    ]
    await query.answer()
    await query.edit_message_text(
        "\n\n".join(
            [
                *pressed[:1],
                _(
                    "Putuskan hubungan ini? Orang tua/wali itu tidak akan lagi menerima panggilan, "
                    "pengingat, atau bisa menjawab untuk anak. Hubungan bisa dibuat lagi dengan kode "
                    "dari /kode."
                ),
            ]
        ),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("Ya, putuskan"),
                        callback_data=buttons.GUARDIANS.encode(buttons.Remove(link_id)),
                    )
                ],
                [
                    InlineKeyboardButton(
                        _("Batal"), callback_data=buttons.GUARDIANS.encode(buttons.Keep())
                    )
                ],
            ]
        ),
    )


async def keep_link(update: Update, context: BotContext) -> None:
    """Keep: the question is withdrawn; nothing changed."""
    query = update.callback_query
    assert query
    await query.answer()
    await query.edit_message_text(context.gettext("Tidak jadi. Hubungan tetap seperti semula."))


async def remove_link(update: Update, context: BotContext) -> None:
    """Yes, remove: the parent or the child removes a link; anyone else changes nothing."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    link_id = buttons.GUARDIANS.read(query.data, buttons.Remove).link_id
    async with context.session() as session:
        done = await family.unlink_by(session, link_id, telegram_id=update.effective_user.id)
    if not done:
        await query.answer(_(texts.STALE_BUTTON))
        return
    await query.answer()
    await query.edit_message_text(
        _("Hubungan diputuskan. Ketik /ortu untuk melihat siapa yang masih terhubung.")
    )


async def disown(update: Update, context: BotContext) -> None:
    """Not my guardian: the teen says this guardian is not theirs; only the teen can."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        done = await guardians.disown(
            session,
            buttons.GUARDIANS.read(query.data, buttons.Disown).link_id,
            telegram_id=update.effective_user.id,
            now=context.clock.now(),
            office_language=context.office.language,
        )
    if not done:
        await query.answer(_(texts.STALE_BUTTON))
        return
    await query.answer()
    await query.edit_message_text(
        _(
            "Hubungan itu sudah diputuskan dan petugas sudah diberi tahu. Terima kasih telah "
            "memberi tahu kami."
        )
    )
