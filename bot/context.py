"""What every handler receives: the update's context, with the office's services on it."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from bot.db.engine import Database
from bot.i18n import Catalogs, Gettext

if TYPE_CHECKING:
    from bot.delivery.dispatcher import Dispatcher
    from bot.handlers.languages import ReaderLanguages
    from bot.handlers.throttle import PressThrottle


class Services:
    """Long-lived dependencies, set once by build_application (PTB creates this empty)."""

    settings: Settings
    db: Database
    catalogs: Catalogs
    throttle: PressThrottle
    languages: ReaderLanguages
    dispatcher: Dispatcher
    webhook: bool


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]):
    """The context of one update: services, and the reader's language once known."""

    def __init__(
        self, application: RekamApp, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.language: str = application.bot_data.settings.default_language
        self.reader_known = False  # see bot.handlers.languages.read_language

    def reader_speaks(self, language: str | None) -> None:
        """The reader's language is known now (None: they have no account yet)."""
        if language:
            self.language = language
        self.reader_known = True

    @property
    def services(self) -> Services:
        return self.bot_data

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A database unit of work, committed when the block ends."""
        return self.bot_data.db.session()

    @property
    def gettext(self) -> Gettext:
        """`_` in the reader's language."""
        return self.bot_data.catalogs.gettext(self.language)


RekamApp = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], Services, JobQueue[BotContext]
]
CONTEXT_TYPES = ContextTypes(context=BotContext, bot_data=Services)
