"""Telegram's webhook on the public listener: POST /telegram, each update carrying the secret
given to setWebhook in X-Telegram-Bot-Api-Secret-Token (anything else is refused with 403). An
update is handed to the application's queue and answered at once; the handlers run behind it,
as with long polling.

Where Telegram posts: PUBLIC_BASE_URL + /telegram; WEBHOOK_URL, the older name, is a full
address taken as it is, and only counts without PUBLIC_BASE_URL."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from telegram import Bot, Update
from telegram.ext import ExtBot

from bot.config import Settings, SettingsError
from bot.i18n import N_

log = logging.getLogger(__name__)
TELEGRAM_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MOST_BODY = 1024 * 1024  # an update is a few kilobytes; a long message with entities, tens


@dataclass(frozen=True)
class TelegramHook:
    """What the route needs: the bot (to read an update), its queue, and the secret."""

    bot: Bot
    queue: asyncio.Queue[object]
    secret: str


def webhook_url(settings: Settings) -> str | None:
    """Where Telegram is told to post updates; None when neither address is set."""
    if settings.public_base_url is not None:
        return str(settings.public_base_url).rstrip("/") + TELEGRAM_PATH
    return str(settings.webhook_url) if settings.webhook_url is not None else None


def require_webhook(settings: Settings) -> tuple[str, str]:
    """The webhook's address and secret for `rekam run --webhook`; SettingsError naming the
    missing one. Without the secret anyone who finds the address posts forged updates (a
    staff command among them)."""
    url = webhook_url(settings)
    if url is None:
        raise SettingsError("PUBLIC_BASE_URL", N_("wajib diisi untuk --webhook"))
    if settings.webhook_secret is None:
        raise SettingsError("WEBHOOK_SECRET", N_("wajib diisi untuk --webhook"))
    return url, settings.webhook_secret.get_secret_value()


async def receive(request: Request) -> Response:
    """POST: one update from Telegram."""
    hook: TelegramHook = request.app.state.telegram
    given = request.headers.get(SECRET_HEADER)
    if given is None or not hmac.compare_digest(given.encode(), hook.secret.encode()):
        log.debug("a Telegram webhook POST without the right secret was refused")
        return PlainTextResponse("forbidden", status_code=403)
    body = await request.body()
    if len(body) > MOST_BODY:
        return PlainTextResponse("too large", status_code=413)
    try:
        data = json.loads(body)
        # An update has an integer update_id; PTB would take a string one as it is.
        is_update = isinstance(data, dict) and type(data.get("update_id")) is int
        update = Update.de_json(data, hook.bot) if is_update else None
    except (ValueError, TypeError, KeyError, AttributeError):  # PTB reading a malformed part
        update = None
    if update is None:
        return PlainTextResponse("bad request", status_code=400)
    if isinstance(hook.bot, ExtBot):  # as PTB's own webhook does (arbitrary callback data)
        hook.bot.insert_callback_data(update)
    await hook.queue.put(update)
    return PlainTextResponse("ok")
