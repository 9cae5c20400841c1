"""Serving the public listener with uvicorn inside `rekam run`, beside the dashboard: WhatsApp's,
the SMS gateway's and (in webhook mode) Telegram's webhooks on PUBLIC_LISTEN:PUBLIC_PORT. At
start, once it listens, each sender is told where its events go: the SMS gateway
PUBLIC_BASE_URL + /sms (the same webhooks replaced, never doubled), Telegram (setWebhook)
PUBLIC_BASE_URL + /telegram with the secret."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import Update

from bot.channels.sms.gateway import SmsGateway
from bot.channels.sms.sender import Refusal
from bot.delivery.phones import Phones
from bot.i18n import N_
from bot.inbound.app import SMS_PATH, inbound_app
from bot.inbound.heard import Inbound
from bot.inbound.telegram import TelegramHook, require_webhook
from bot.web.server import listening

log = logging.getLogger(__name__)


@asynccontextmanager
async def serving(
    inbound: Inbound, phones: Phones, telegram: TelegramHook | None = None
) -> AsyncIterator[None]:
    """The public listener until the block ends; with `telegram`, Telegram's webhook too."""
    settings = inbound.settings
    server, task = await listening(
        inbound_app(inbound, telegram),
        settings.public_listen,
        settings.public_port,
        name="public listener",
        variable="PUBLIC_PORT",
        refusal=N_("alamat {host}:{port} sudah dipakai program lain; pilih port lain"),
    )
    try:
        if settings.public_base_url is not None and isinstance(phones.sms, SmsGateway):
            url = str(settings.public_base_url).rstrip("/") + SMS_PATH
            registered = await phones.sms.register_webhooks(url)
            if isinstance(registered, Refusal):
                log.warning("the SMS gateway refused its webhooks: %s", registered.detail)
        if telegram is not None:
            url, secret = require_webhook(settings)
            if settings.webhook_url is not None and str(settings.webhook_url) != url:
                log.warning(
                    "WEBHOOK_URL is ignored beside PUBLIC_BASE_URL; Telegram posts to %s", url
                )
            # Updates Telegram holds while the bot was down stay pending and arrive here.
            await telegram.bot.set_webhook(
                url,
                secret_token=secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
            log.info("Telegram posts updates to %s", url)
        log.info("public listener on %s:%d", settings.public_listen, settings.public_port)
        yield
    finally:
        server.should_exit = True
        await task
