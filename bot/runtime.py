"""Running the bot: the same start and stop for `rekam run`, `rekam demo` and the tests."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update

from bot.context import BotContext, RekamApp
from bot.db.migrate import upgrade
from bot.delivery.planner import INTERVAL, Planner
from bot.inbound.heard import Inbound
from bot.inbound.server import serving as serving_inbound
from bot.inbound.telegram import TelegramHook, require_webhook
from bot.presentation.menu import publish_commands
from bot.web.context import WebServices
from bot.web.server import serving

log = logging.getLogger(__name__)
# A pause between getUpdates calls: under load each call brings several updates instead of one
# or two (about 1 ms of CPU less per button press at 300/s); at most 20 ms more latency.
POLL_INTERVAL = 0.02  # seconds


async def prepare(app: RekamApp) -> None:
    """Bring the schema up to date and publish the command menu."""
    services = app.bot_data
    await upgrade(services.db)
    await publish_commands(app.bot, services.catalogs, services.settings.default_language)


async def _plan(context: BotContext) -> None:
    """One planning round (the lease decides whether this process does it)."""
    planner = context.job.data if context.job else None
    assert isinstance(planner, Planner)
    try:
        await planner.round()
    except SQLAlchemyError as error:
        log.warning("planner: database unavailable (%s); next round later", type(error).__name__)


def web_services(app: RekamApp) -> WebServices:
    """The dashboard's view of the bot's services (the same database handle and clock)."""
    services = app.bot_data
    return WebServices(services.settings, services.db, services.catalogs, services.clock)


@asynccontextmanager
async def running(
    app: RekamApp,
    *,
    poll_timeout: int = 10,
    webhook: bool = False,
    receive: bool = True,
    web: bool = False,
) -> AsyncIterator[RekamApp]:
    """The bot receiving updates (long polling, or a webhook) and dispatching the outbox until
    the block ends. With `receive` False only the dispatcher runs: an extra worker process,
    since Telegram lets one process at a time poll a bot. With `web` the dashboard is served
    too (WEB_LISTEN:WEB_PORT). The public listener (PUBLIC_LISTEN:PUBLIC_PORT) serves the
    webhooks: WhatsApp's and the SMS gateway's once they are on, Telegram's in webhook mode,
    where PTB's updater is left unused and updates reach the application's queue from there."""
    services = app.bot_data
    services.webhook = webhook
    settings = services.settings
    hook = None
    if receive and webhook:
        secret = require_webhook(settings)[1]  # refused before anything starts
        hook = TelegramHook(app.bot, app.update_queue, secret)
    async with app, AsyncExitStack() as extras:
        await prepare(app)
        if web:
            services.web = web_services(app)
            await extras.enter_async_context(serving(services.web))
        if receive and (settings.phones or hook is not None):
            inbound = Inbound(services.db, settings, services.catalogs, services.clock)
            phones = services.dispatcher.phones
            await extras.enter_async_context(serving_inbound(inbound, phones, hook))
        await app.start()
        updater = app.updater
        assert updater is not None
        if receive and not webhook:
            await updater.start_polling(
                timeout=poll_timeout, poll_interval=POLL_INTERVAL, allowed_updates=Update.ALL_TYPES
            )
        stop = asyncio.Event()
        dispatching = asyncio.create_task(services.dispatcher.run(stop), name="dispatcher")
        planner = Planner(services.db, services.settings, services.clock)
        assert app.job_queue is not None
        app.job_queue.run_repeating(
            _plan, interval=INTERVAL, first=5.0, data=planner, name="planner"
        )
        log.info(
            "bot @%s is running (%s)",
            app.bot.username,
            "webhook" if webhook else "polling" if receive else "dispatch only",
        )
        try:
            yield app
        finally:
            await extras.aclose()  # the dashboard stops before the database it reads
            stop.set()
            await dispatching
            await services.dispatcher.phones.aclose()  # the WhatsApp and SMS clients
            if updater.running:
                await updater.stop()
            await app.stop()
            await services.db.dispose()
