"""What every handler receives: the update's context, with the office's services on it."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from functools import cached_property
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.delivery.dispatcher import Dispatcher
from bot.i18n import Catalogs, Gettext
from bot.readers import ReaderLanguages
from bot.services.office import Office
from bot.throttle import PressThrottle
from bot.web.context import WebServices


class Services:
    """Long-lived dependencies, set once by build_application (PTB creates this empty)."""

    settings: Settings
    clock: Clock
    db: Database
    catalogs: Catalogs
    throttle: PressThrottle
    languages: ReaderLanguages
    dispatcher: Dispatcher
    webhook: bool
    web: WebServices | None  # the dashboard this process serves, if any


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], Services]):
    """The context of one update: services, and the reader's language.

    `language` starts as the office's and is set once per update, before any feature handler
    runs, by bot.handlers.readers (the error handler, which PTB gives a context of its own,
    calls the same function); only a reader who switches language changes it afterwards.
    """

    def __init__(
        self, application: RekamApp, chat_id: int | None = None, user_id: int | None = None
    ) -> None:
        super().__init__(application, chat_id=chat_id, user_id=user_id)
        self.language: str = application.bot_data.settings.default_language

    @property
    def services(self) -> Services:
        return self.bot_data

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @cached_property
    def office(self) -> Office:
        """The office's policy, deadline, zone and language: built once per update, when first
        asked."""
        return Office.of(self.bot_data.settings)

    @property
    def clock(self) -> Clock:
        return self.bot_data.clock

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
