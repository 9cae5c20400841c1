"""Who may do what: staff actions checked in the database at the moment they are taken, and
the answers for anyone else (the ordinary "unknown command", a stale button)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.presentation.menu import command_like
from bot.presentation.texts import STALE_BUTTON
from bot.services import staff
from bot.services.staff import Member

__all__ = ["Member", "guarded", "stale_button", "unknown_command"]

Action = Callable[[Update, BotContext, Member], Coroutine[Any, Any, None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


async def unknown_command(update: Update, context: BotContext) -> None:
    """Any command we do not offer (or that the sender may not use); a likely typo of one of
    everyone's commands is named."""
    assert update.effective_message
    _ = context.gettext
    meant = command_like(update.effective_message.text or "")
    if meant is not None:
        await update.effective_message.reply_text(
            _("Maksud Anda /{command}? Ketik /bantuan untuk daftar perintah.").format(command=meant)
        )
        return
    await update.effective_message.reply_text(
        _("Maaf, perintah itu tidak saya kenal. Ketik /bantuan untuk daftar perintah.")
    )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button whose data no handler recognises: forged or from an old message."""
    assert update.callback_query
    await update.callback_query.answer(context.gettext(STALE_BUTTON))


def guarded(what: str, *, admin: bool = False) -> Callable[[Action], Handler]:
    """Run `action` only for staff (admins when `admin`), checked in the database now; anyone
    else is answered as if the command did not exist, and the attempt is an event."""

    def decorate(action: Action) -> Handler:
        @wraps(action)
        async def run(update: Update, context: BotContext) -> None:
            assert update.effective_user
            async with context.session() as session:
                found = await staff.member(session, update.effective_user.id)
                allowed = found is not None and (found.is_admin or not admin)
                if not allowed:
                    await staff.refused(
                        session, update.effective_user.id, what, context.clock.now()
                    )
            if found is not None and allowed:
                await action(update, context, found)
            elif update.callback_query is not None:
                await stale_button(update, context)
            else:
                await unknown_command(update, context)

        return run

    return decorate
