"""Staff decide a parent's request to be linked by their child's NIK."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers.access import Member, guarded
from bot.presentation import buttons
from bot.presentation.review import LINK_DECIDED
from bot.presentation.summons import guardian_label
from bot.services import guardians


@guarded("parent_links")
async def show_requests(update: Update, context: BotContext, member: Member) -> None:
    """Staff: NIK link requests waiting for a decision."""
    assert update.effective_chat
    _ = context.gettext
    if update.callback_query:
        await update.callback_query.answer()
    async with context.session() as session:
        requests = await guardians.pending(session)
    if not requests:
        await update.effective_chat.send_message(
            _("Tidak ada permintaan terhubung dari orang tua.")
        )
        return
    for request in requests[:20]:
        await update.effective_chat.send_message(
            _("Permintaan terhubung: {parent} dengan {child} (NIK {nik}).").format(
                parent=guardian_label(request.parent, _),
                child=request.child,
                nik=request.masked_nik,
            ),
            reply_markup=InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _("✅ Setujui"),
                            callback_data=buttons.LINK_REQUESTS.encode(
                                buttons.DecideLink("ok", request.id)
                            ),
                        ),
                        InlineKeyboardButton(
                            _("❌ Tolak"),
                            callback_data=buttons.LINK_REQUESTS.encode(
                                buttons.DecideLink("no", request.id)
                            ),
                        ),
                    ]
                ]
            ),
        )


@guarded("parent_links")
async def decide_request(update: Update, context: BotContext, member: Member) -> None:
    query = update.callback_query
    assert query and query.data
    _ = context.gettext
    decision = buttons.LINK_REQUESTS.read(query.data, buttons.DecideLink)
    verdict = decision.verdict
    async with context.session() as session:
        link = await guardians.decide(
            session,
            decision.request_id,
            approve=verdict == "ok",
            staff_id=member.telegram_id,
            now=context.clock.now(),
            policy=context.office.policy,
        )
    await query.answer()
    if link is None:
        await query.edit_message_text(_("Permintaan ini sudah diputuskan."))
    elif verdict == "ok":
        await query.edit_message_text(_(LINK_DECIDED[True]))
    else:
        await query.edit_message_text(_(LINK_DECIDED[False]))
