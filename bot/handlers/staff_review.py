"""Staff reviewing /daftar registrations in Telegram: what was typed beside what the office's
record says, then approve (the account is linked) or reject; the teen is told either way."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.kinds import Channel
from bot.handlers.access import Member, guarded
from bot.presentation.review import pending_text
from bot.services import notices, review
from bot.services.review import Decision

DECIDE = r"^rv:(ok|no):\d{1,9}$"
SHOWN = 20


@guarded("review")
async def show_queue(update: Update, context: BotContext, member: Member) -> None:
    """The oldest registrations waiting, one message each with its two buttons."""
    assert update.effective_chat
    _ = context.gettext
    if update.callback_query:
        await update.callback_query.answer()
    async with context.session() as session:
        waiting = await review.pending(session, limit=SHOWN)
    if not waiting:
        await update.effective_chat.send_message(_("Tidak ada pendaftaran yang menunggu."))
        return
    for item in waiting:
        await update.effective_chat.send_message(
            pending_text(item, _, context.language, context.settings.zone),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(_("✅ Setujui"), callback_data=f"rv:ok:{item.id}"),
                        InlineKeyboardButton(_("❌ Tolak"), callback_data=f"rv:no:{item.id}"),
                    ]
                ]
            ),
        )


@guarded("review")
async def decide(update: Update, context: BotContext, member: Member) -> None:
    """✅ or ❌ under a registration."""
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    _prefix, verdict, number = query.data.split(":")
    async with context.session() as session:
        decision = await review.decide(
            session,
            int(number),
            approve=verdict == "ok",
            by=str(member.telegram_id),
            channel=Channel.TELEGRAM,
            now=context.clock.now(),
            policy=notices.Policy.of(context.settings),
        )
    await query.answer()
    texts = {
        Decision.APPROVED: _("✅ Disetujui. Akun remaja terhubung, dan ia dikabari."),
        Decision.REJECTED: _("❌ Ditolak. Pendaftar dikabari."),
        Decision.GONE: _("Pendaftaran ini sudah diputuskan atau pendaftarnya sudah tidak ada."),
        Decision.TAKEN: _(
            "Tidak bisa disetujui: data ini sudah terhubung dengan akun Telegram lain. Tolak, "
            "atau minta pemilik akun itu datang ke kantor."
        ),
    }
    await query.edit_message_reply_markup(None)
    assert update.effective_chat
    await update.effective_chat.send_message(texts[decision])
