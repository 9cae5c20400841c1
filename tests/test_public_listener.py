"""The public listener `rekam run` serves when WhatsApp or SMS is set up: on its own port,
apart from the dashboard, answering Meta's handshake; and at start it tells the SMS gateway
where its events go, replacing its webhooks rather than adding more each restart."""

from __future__ import annotations

import httpx

from bot.channels.sms.gateway import SmsGateway
from bot.clock import Clock
from bot.delivery.phones import Phones
from bot.emulator.sms import IN_PROCESS_BASE_URL, SmsGatewayEmulator, in_process_transport
from bot.i18n import Catalogs
from bot.inbound.heard import Inbound
from bot.inbound.server import serving
from tests.support.harness import database, free_port, make_settings


async def test_the_listener_answers_meta_and_registers_the_gateway_s_webhooks_once(
    sqlite_url: str,
) -> None:
    port = free_port()
    settings = make_settings(
        sqlite_url,
        public_port=port,
        public_base_url="https://kantor.example",
        whatsapp_verify_token="rahasia-uji",
        sms_gateway_url=IN_PROCESS_BASE_URL,
    )
    gateway = SmsGatewayEmulator("kantor", "sandi")
    db = database(sqlite_url, settings.phones)
    inbound = Inbound(db, settings, Catalogs(), Clock(settings.zone))
    for _restart in range(2):
        sms = SmsGateway(
            IN_PROCESS_BASE_URL, "kantor", "sandi", transport=in_process_transport(gateway)
        )
        outside = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}")
        async with serving(inbound, Phones(sms=sms)), outside:
            handshake = await outside.get(
                "/whatsapp",
                params={
                    "hub.mode": "subscribe",
                    "hub.verify_token": "rahasia-uji",
                    "hub.challenge": "1234",
                },
            )
            assert handshake.status_code == 200 and handshake.text == "1234"
            unsigned = await outside.post("/sms", content=b"{}")
            assert unsigned.status_code == 403
            # Telegram's webhook is served only in webhook mode (tests/test_webhook.py).
            assert (await outside.post("/telegram", content=b"{}")).status_code == 404
        await sms.aclose()
    await db.dispose()
    hooks = sorted((h["event"], h["url"]) for h in gateway.webhooks.values())
    assert hooks == [
        (event, "https://kantor.example/sms")
        for event in ("sms:delivered", "sms:failed", "sms:received", "sms:sent")
    ]
