"""Buttons several features show alike."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Gettext


def confirm(_: Gettext, yes: str, yes_data: str, no_data: str) -> InlineKeyboardMarkup:
    """A question's two answers: `yes` (already translated) and "Batal"."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(yes, callback_data=yes_data)],
            [InlineKeyboardButton(_("Batal"), callback_data=no_data)],
        ]
    )
