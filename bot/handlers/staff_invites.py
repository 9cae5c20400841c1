"""Becoming staff through an invitation link (bot/services/staff_invites.py): whoever opens
`/start staf-<token>` is told what happens next, every admin is asked with two buttons, and
the first admin's answer is told to the person who asked."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.kinds import Channel
from bot.handlers.access import Member, guarded
from bot.i18n import Gettext
from bot.presentation import staff_invites as views
from bot.presentation.buttons import STAFF_INVITES, DecideInvite
from bot.services import staff_invites
from bot.services.staff_invites import Decided

log = logging.getLogger(__name__)

PAYLOAD = staff_invites.PAYLOAD
DECIDE = STAFF_INVITES.pattern(DecideInvite)


def _buttons(invite_id: int, _: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Setujui"),
                    callback_data=STAFF_INVITES.encode(DecideInvite("ok", invite_id)),
                ),
                InlineKeyboardButton(
                    _("❌ Tolak"), callback_data=STAFF_INVITES.encode(DecideInvite("no", invite_id))
                ),
            ]
        ]
    )


async def open_staff_invite(update: Update, context: BotContext) -> None:
    """/start staf-<token>: ask the admins, or say why nothing happens."""
    assert update.effective_user and update.effective_message and context.args
    user = update.effective_user
    token = context.args[0].removeprefix(staff_invites.PREFIX)
    async with context.session() as session:
        opening = await staff_invites.open_invite(
            session, token, telegram_id=user.id, name=user.full_name, now=context.clock.now()
        )
    asked = 0
    # Admins read it in the office's language: the request is office business.
    office = context.services.catalogs.gettext(context.office.language)
    for admin in opening.ask:
        try:
            await context.bot.send_message(
                admin,
                views.admin_question(opening.name, user.id, opening.made_by, office),
                reply_markup=_buttons(opening.invite_id or 0, office),
            )
            asked += 1
        except TelegramError:
            log.warning("staff invite: admin %s could not be asked", admin, exc_info=True)
    _ = context.gettext
    await update.effective_message.reply_text(views.opened(opening, asked, _))


@guarded("staff_invite", admin=True)
async def decide_staff_invite(update: Update, context: BotContext, member: Member) -> None:
    """An admin's ✅ / ❌ on a request to become staff."""
    query = update.callback_query
    assert query and query.data
    pressed = STAFF_INVITES.read(query.data, DecideInvite)
    async with context.session() as session:
        decision = await staff_invites.decide(
            session,
            pressed.invite_id,
            confirm=pressed.verdict == "ok",
            admin_id=member.telegram_id,
            channel=Channel.TELEGRAM,
            now=context.clock.now(),
        )
    told = False
    if decision.outcome in (Decided.CONFIRMED, Decided.REFUSED) and decision.telegram_id:
        office = context.services.catalogs.gettext(context.office.language)
        try:
            await context.bot.send_message(
                decision.telegram_id, views.decided_for_person(decision, office)
            )
            told = True
        except TelegramError:
            log.warning("staff invite: the person could not be told", exc_info=True)
    await query.answer()
    await query.edit_message_text(views.decided_for_admin(decision, told, context.gettext))
