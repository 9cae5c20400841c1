"""The public listener's ASGI app: WhatsApp's webhook at /whatsapp, the SMS gateway's at /sms
and, in webhook mode, Telegram's at /telegram, apart from the dashboard (which stays on the
office network)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from bot.inbound import sms, telegram, whatsapp
from bot.inbound.heard import Inbound
from bot.inbound.telegram import TELEGRAM_PATH, TelegramHook

WHATSAPP_PATH = "/whatsapp"
SMS_PATH = "/sms"


def inbound_app(inbound: Inbound, hook: TelegramHook | None = None) -> Starlette:
    """The public app; /telegram only with `hook` (`rekam run --webhook`)."""
    routes = [
        Route(WHATSAPP_PATH, whatsapp.subscribe, methods=["GET"]),
        Route(WHATSAPP_PATH, whatsapp.receive, methods=["POST"]),
        Route(SMS_PATH, sms.receive, methods=["POST"]),
    ]
    if hook is not None:
        routes.append(Route(TELEGRAM_PATH, telegram.receive, methods=["POST"]))
    app = Starlette(routes=routes)
    app.state.inbound = inbound
    app.state.telegram = hook
    return app
