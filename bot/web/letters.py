"""Summons letters downloaded from the dashboard (a school's on Impor / Ekspor, the unreached
teens' on Belum terjangkau): printing them hands out letter numbers for good, so each print is
an event naming who printed, and the PDF is laid out as `rekam letters` lays it out."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.kinds import Actor, Channel
from bot.i18n import N_
from bot.presentation import letters as letter_pages
from bot.services import events
from bot.services.letters import Letter
from bot.web.context import WebServices

NO_LETTERS = N_("Tidak ada surat untuk dicetak.")
NO_BOT_NAME = N_("Surat memerlukan nama pengguna bot (BOT_USERNAME) untuk tautan undangannya.")


def printed(session: AsyncSession, found: list[Letter], *, by: str, **which: Any) -> None:
    """The print as an event (`which`: whose letters, a school's or the unreached)."""
    events.record(
        session,
        "letters_printed",
        actor=Actor.STAFF,
        channel=Channel.WEB,
        by=by,
        letters=len(found),
        **which,
    )


def pdf(web: WebServices, found: list[Letter]) -> bytes:
    """The letters as one PDF, in the office's language (BOT_USERNAME set: the caller says
    NO_BOT_NAME otherwise)."""
    settings = web.settings
    document, _pages = letter_pages.pdf_of(
        found,
        head=letter_pages.Letterhead.of(settings),
        bot_username=(settings.bot_username or "").lstrip("@"),
        _=web.catalogs.gettext(settings.default_language),
        language=settings.default_language,
        zone=settings.zone,
        today=web.clock.today(),
    )
    return document
