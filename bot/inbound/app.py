"""The public listener's ASGI app: WhatsApp's webhook at /whatsapp and the SMS gateway's at
/sms, apart from the dashboard (which stays on the office network)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route

from bot.inbound import sms, whatsapp
from bot.inbound.heard import Inbound

WHATSAPP_PATH = "/whatsapp"
SMS_PATH = "/sms"


def inbound_app(inbound: Inbound) -> Starlette:
    app = Starlette(
        routes=[
            Route(WHATSAPP_PATH, whatsapp.subscribe, methods=["GET"]),
            Route(WHATSAPP_PATH, whatsapp.receive, methods=["POST"]),
            Route(SMS_PATH, sms.receive, methods=["POST"]),
        ]
    )
    app.state.inbound = inbound
    return app
