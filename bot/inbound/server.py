"""Serving the public listener with uvicorn inside `rekam run`, beside the dashboard: WhatsApp's
and the SMS gateway's webhooks on PUBLIC_LISTEN:PUBLIC_PORT; at start, the SMS gateway is told
where its events go (PUBLIC_BASE_URL + /sms), the same webhooks replaced, never doubled."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.channels.sms.gateway import SmsGateway
from bot.channels.sms.sender import Refusal
from bot.delivery.phones import Phones
from bot.i18n import N_
from bot.inbound.app import SMS_PATH, inbound_app
from bot.inbound.heard import Inbound
from bot.web.server import listening

log = logging.getLogger(__name__)


@asynccontextmanager
async def serving(inbound: Inbound, phones: Phones) -> AsyncIterator[None]:
    settings = inbound.settings
    server, task = await listening(
        inbound_app(inbound),
        settings.public_listen,
        settings.public_port,
        name="public listener",
        variable="PUBLIC_PORT",
        refusal=N_("alamat {host}:{port} sudah dipakai program lain; pilih port lain"),
    )
    if settings.public_base_url is not None and isinstance(phones.sms, SmsGateway):
        url = str(settings.public_base_url).rstrip("/") + SMS_PATH
        registered = await phones.sms.register_webhooks(url)
        if isinstance(registered, Refusal):
            log.warning("the SMS gateway refused its webhooks: %s", registered.detail)
    log.info("public listener on %s:%d", settings.public_listen, settings.public_port)
    try:
        yield
    finally:
        server.should_exit = True
        await task
