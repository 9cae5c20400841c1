"""The button under a freed place offered to a waiting teen (buttons.TakeOffer)."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.replies import send_summons
from bot.presentation import buttons
from bot.presentation.texts import STALE
from bot.services import conversations, summonses, waiting
from bot.services.summonses import Outcome


async def take_offer(update: Update, context: BotContext) -> None:
    """Take the place: checked against the offer, its expiry and the presser (the teen, or a
    parent linked to them)."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    offer = buttons.WAITING.read(query.data, buttons.TakeOffer)
    outcome, summons = Outcome.STALE, None
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is not None:
            outcome, summons_id = await waiting.take(
                session,
                entry_id=offer.entry_id,
                session_id=offer.session_id,
                account_id=convo.account_id,
                target_id=convo.target_id,
                now=context.clock.now(),
                office=context.office,
            )
            if summons_id is not None and outcome == Outcome.DONE:
                summons = await summonses.view(session, summons_id)
    if outcome == Outcome.STALE:
        await query.answer(_(STALE))
        return
    if outcome == Outcome.FULL or summons is None:
        await query.answer(
            _("Maaf, tempat itu baru saja diambil orang lain. Anda tetap di daftar tunggu."),
            show_alert=True,
        )
        await query.edit_message_reply_markup(None)
        return
    parent = convo is not None and summons.target_id != convo.target_id  # took it for a child
    if parent:
        await query.answer(_("Tempat ini sekarang milik {name}.").format(name=summons.name))
        await query.edit_message_text(
            _("Tempat ini sekarang milik {name}. Jadwalnya:").format(name=summons.name)
        )
    else:
        await query.answer(_("Tempat ini sekarang milik Anda."))
        await query.edit_message_text(_("Tempat ini sekarang milik Anda. Jadwal Anda:"))
    await send_summons(context, update.effective_user.id, summons, parent=parent)
