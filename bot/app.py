"""The only place that wires the bot together."""

from __future__ import annotations

from telegram import LinkPreviewOptions
from telegram.ext import ApplicationBuilder, Defaults
from telegram.request import BaseRequest

from bot import handlers
from bot.clock import Clock
from bot.config import MissingTokenError, Settings, require_data_key
from bot.context import CONTEXT_TYPES, RekamApp
from bot.db.engine import Database
from bot.delivery.budget import SendBudget
from bot.delivery.dispatcher import Dispatcher
from bot.delivery.phones import Phones, phones_of
from bot.handlers.ordering import PerPersonUpdates
from bot.i18n import Catalogs
from bot.readers import ReaderLanguages
from bot.telegram_request import AiohttpRequest
from bot.throttle import PressThrottle

__all__ = ["MissingTokenError", "build_application"]


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    database: Database | None = None,
    catalogs: Catalogs | None = None,
    clock: Clock | None = None,
    phones: Phones | None = None,
) -> RekamApp:
    """The bot: Telegram connection, services on the context, handlers in order."""
    if settings.bot_token is None:
        raise MissingTokenError("BOT_TOKEN")
    budget = SendBudget.of(settings)
    builder = (
        ApplicationBuilder()
        .token(settings.bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                tzinfo=settings.zone, link_preview_options=LinkPreviewOptions(is_disabled=True)
            )
        )
        # Updates from one person are handled in order; different people run concurrently.
        .concurrent_updates(PerPersonUpdates())
        # One send budget for replies and the outbox alike (the dispatcher's sends are bulk).
        .rate_limiter(budget)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(get_updates_request or request)
    else:  # long polling keeps PTB's own httpx request; everything else goes through aiohttp
        # Enough connections for a second of sends in flight at the budget's rate: a round
        # trip of up to a second then never holds the rate back.
        builder = builder.request(AiohttpRequest(connections=max(64, int(budget.rate))))
    app: RekamApp = builder.build()  # type: ignore[assignment]
    services = app.bot_data
    services.settings = settings
    services.clock = clock or Clock(settings.zone)
    services.db = database or Database(
        settings.database_url, data_key=require_data_key(settings), phones=settings.phones
    )
    services.catalogs = catalogs or Catalogs(default_language=settings.default_language)
    services.throttle = PressThrottle()
    services.languages = ReaderLanguages()
    services.dispatcher = Dispatcher(
        app.bot,
        services.db,
        services.catalogs,
        settings,
        services.clock,
        phones=phones or phones_of(settings),
    )
    services.webhook = False
    services.web = None
    handlers.register(app)
    return app
