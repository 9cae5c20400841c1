"""Typed answers: routed by the step stored on the account, so a restart loses nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.context import BotContext
from bot.db.models import Account
from bot.handlers import (
    common,
    parents,
    registration,
    staff,
    staff_broadcast,
    staff_sessions,
    summons,
)
from bot.services import accounts

Step = Callable[[Update, BotContext, Account], Awaitable[None]]


def _checked_again(handler: Callable[[Update, BotContext], Awaitable[None]]) -> Step:
    """A staff step: the guarded handler reads the role itself, so the account is not needed."""

    async def step(update: Update, context: BotContext, account: Account) -> None:
        await handler(update, context)

    return step


STEPS: dict[str, Step] = {
    "invite_date": registration.answer_invitation,
    "nik": registration.answer_nik,
    "birth_date": registration.answer_birth_date,
    "name": registration.answer_name,
    "phone": registration.skip_phone,
    "home_visit": summons.answer_home_visit,
    "parent_code_date": parents.answer_child_date,
    "parent_nik": parents.answer_child_nik,
    "parent_nik_date": parents.answer_child_nik_date,
    # Staff steps check the role again when the text arrives.
    "staff_code": _checked_again(staff.answer_code),
    "broadcast_text": _checked_again(staff_broadcast.preview),
    "session_move": _checked_again(staff_sessions.confirm_move),
}
# Steps answered with buttons: typing instead gets pointed back at them.
BUTTON_STEPS = frozenset({"preference", "broadcast_confirm", "session_move_confirm"})


async def route_text(update: Update, context: BotContext) -> None:
    """Hand a typed message to the step waiting for it, or answer that nothing is."""
    assert update.effective_user and update.effective_message
    async with context.session() as session:
        account = await accounts.find(session, update.effective_user.id)
    step = accounts.step_of(account) if account else None
    if account is not None and step in STEPS:
        await STEPS[step](update, context, account)
    elif step in BUTTON_STEPS:
        await update.effective_message.reply_text(
            context.gettext("Silakan pilih salah satu tombol di pesan sebelumnya.")
        )
    else:
        await common.unknown_text(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE, route_text)
    )
