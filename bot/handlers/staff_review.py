"""Staff reviewing /daftar registrations in Telegram: what was typed beside what the office's
record says, then approve (the account is linked) or reject; the teen is told either way."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.kinds import Channel
from bot.handlers.access import Member, guarded
from bot.i18n import Gettext
from bot.presentation import buttons
from bot.presentation.review import decision_text, pending_text
from bot.services import review
from bot.services.review import Decision, Pending

SHOWN = 20


def _verdict_buttons(item: Pending, _: Gettext) -> list[InlineKeyboardButton]:
    """✅ only where staff may approve (review.Pending.approvable); ❌ closes it either way."""
    close = InlineKeyboardButton(
        _("❌ Tolak") if item.approvable else _("↩️ Tutup: arahkan ke surat/meja"),
        callback_data=buttons.REVIEW.encode(buttons.DecideReview("no", item.id)),
    )
    if not item.approvable:
        return [close]
    return [
        InlineKeyboardButton(
            _("✅ Setujui"),
            callback_data=buttons.REVIEW.encode(buttons.DecideReview("ok", item.id)),
        ),
        close,
    ]


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
            pending_text(item, _, context.language, context.office.zone),
            reply_markup=InlineKeyboardMarkup([_verdict_buttons(item, _)]),
        )


@guarded("review")
async def decide(update: Update, context: BotContext, member: Member) -> None:
    """✅ or ❌ under a registration."""
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    pressed = buttons.REVIEW.read(query.data, buttons.DecideReview)
    verdict = pressed.verdict
    async with context.session() as session:
        decision = await review.decide(
            session,
            pressed.item_id,
            approve=verdict == "ok",
            by=str(member.telegram_id),
            channel=Channel.TELEGRAM,
            now=context.clock.now(),
            policy=context.office.policy,
        )
    await query.answer()
    if decision not in (Decision.TAKEN, Decision.LISTED):  # else the buttons still apply
        await query.edit_message_reply_markup(None)
    assert update.effective_chat
    await update.effective_chat.send_message(decision_text(decision, _))
