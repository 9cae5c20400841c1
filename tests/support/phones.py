"""An office on three channels for end-to-end tests: the real bot on the Telegram emulator, its
dispatcher sending through the WhatsApp Cloud API and SMS gateway emulators, and those
emulators' signed webhooks delivered to the real public listener (bot/inbound), all in this
process. People with only a phone act through the emulators, as their phones would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.channels.sms.gateway import SmsGateway
from bot.channels.whatsapp.client import WhatsAppClient
from bot.clock import Clock
from bot.db.models import Summons
from bot.delivery.phones import Phones
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.emulator.sms import IN_PROCESS_BASE_URL as SMS_URL
from bot.emulator.sms import SmsGatewayEmulator, in_process_transport
from bot.emulator.whatsapp import WebhookConfig, WhatsAppEmulator, in_process_client
from bot.emulator.whatsapp.server import IN_PROCESS_API_URL
from bot.emulator.whatsapp.webhook import subscribe
from bot.i18n import Catalogs
from bot.inbound.app import SMS_PATH, WHATSAPP_PATH, inbound_app
from bot.inbound.heard import Inbound
from bot.presentation.outbox.phone import TEMPLATES, template_definition
from bot.services import contacts
from tests.support import factories
from tests.support.harness import BotHarness, free_port, make_settings, running_bot, until

WA_TOKEN = "EAA-test-whatsapp-token"
WA_SECRET = "test-app-secret"
WA_VERIFY = "test-verify-token"
SMS_LOGIN, SMS_PASSWORD, SMS_KEY = "kantor", "sandi-uji", "kunci-tanda-uji"
PUBLIC = "http://127.0.0.1:8443"


@dataclass
class PhoneOffice:
    bot: BotHarness
    whatsapp: WhatsAppEmulator
    sms: SmsGatewayEmulator
    inbound: Inbound
    others: tuple[BotHarness, ...] = ()  # more bot processes on the same database


def _phones(
    whatsapp: WhatsAppEmulator, sms: SmsGatewayEmulator, per_minute: float, language: str
) -> Phones:
    """One process's clients of the two emulators (in the office's language, as phones_of)."""
    return Phones(
        whatsapp=WhatsAppClient(
            IN_PROCESS_API_URL,
            "106540352242922",
            WA_TOKEN,
            waba_id="102290129340398",
            http=in_process_client(whatsapp),
        ),
        sms=SmsGateway(SMS_URL, SMS_LOGIN, SMS_PASSWORD, transport=in_process_transport(sms)),
        sms_per_minute=per_minute,
        language=language,
    )


@asynccontextmanager
async def phone_office(
    database_url: str, *, clock: Clock | None = None, processes: int = 1, **overrides: Any
) -> AsyncIterator[PhoneOffice]:
    """The bot with WhatsApp and SMS set up, every template approved in Indonesian; with
    `processes`, that many bots (each its own dispatcher) on the one database."""
    settings = make_settings(
        database_url,
        whatsapp_api_url=IN_PROCESS_API_URL,
        whatsapp_phone_id="106540352242922",
        whatsapp_waba_id="102290129340398",
        whatsapp_token=WA_TOKEN,
        whatsapp_app_secret=WA_SECRET,
        whatsapp_verify_token=WA_VERIFY,
        sms_gateway_url=SMS_URL,
        sms_gateway_login=SMS_LOGIN,
        sms_gateway_password=SMS_PASSWORD,
        sms_webhook_key=SMS_KEY,
        sms_rate=600,  # ten a second: tests do not wait on a phone's pace
        **overrides,
    )
    whatsapp = WhatsAppEmulator(WA_TOKEN)
    catalogs = Catalogs(default_language=settings.default_language)
    _ = catalogs.gettext("id")
    for kind in TEMPLATES:
        assert whatsapp.templates.submit(template_definition(kind, _, "id")).status == "APPROVED"
    async with _webhooks(settings, catalogs, clock) as (inbound, transport):
        sms = SmsGatewayEmulator(
            SMS_LOGIN, SMS_PASSWORD, signing_key=SMS_KEY, webhook_transport=transport
        )
        for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
            sms.put_webhook({"id": event, "url": PUBLIC + SMS_PATH, "event": event})
        hooks = httpx.AsyncClient(transport=transport)
        subscribe(whatsapp, WebhookConfig(PUBLIC + WHATSAPP_PATH, WA_SECRET, WA_VERIFY), hooks)
        try:
            async with AsyncExitStack() as stack:
                bots = [
                    await stack.enter_async_context(
                        running_bot(
                            # each process its own public listener, on a port nobody uses
                            settings.model_copy(update={"public_port": free_port()}),
                            clock=clock,
                            phones=_phones(
                                whatsapp, sms, settings.sms_rate, settings.default_language
                            ),
                        )
                    )
                    for _process in range(processes)
                ]
                yield PhoneOffice(bots[0], whatsapp, sms, inbound, tuple(bots[1:]))
        finally:
            await hooks.aclose()


@asynccontextmanager
async def _webhooks(
    settings: Any, catalogs: Catalogs, clock: Clock | None
) -> AsyncIterator[tuple[Inbound, httpx.AsyncBaseTransport]]:
    from tests.support.harness import database

    db = database(settings.database_url, settings.phones)
    inbound = Inbound(db, settings, catalogs, clock or Clock(settings.zone))
    try:
        yield inbound, httpx.ASGITransport(app=inbound_app(inbound))
    finally:
        await db.dispose()


async def put_number(
    office: PhoneOffice,
    target_id: int,
    number: str,
    *,
    whose: ContactOf = ContactOf.TEEN,
    whatsapp: bool = False,
) -> None:
    """A number on the record, as the list puts it (izin_wa `ya` with `whatsapp`)."""
    async with office.bot.db.session() as session:
        await contacts.put(
            session,
            target_id,
            whose,
            number,
            source=ContactSource.LIST,
            actor=Actor.STAFF,
            channel=Channel.CLI,
            now=datetime.now(UTC),
            whatsapp_consent=whatsapp,
        )


TEEN = "+6281211110001"
PARENT = "+6281322220001"


def sms_texts(office: PhoneOffice, number: str) -> list[str]:
    return [str(m["text"]) for m in office.sms.messages_to(number)]


def whatsapp_bodies(office: PhoneOffice, number: str) -> list[dict[str, Any]]:
    return [m.body for m in office.whatsapp.chats.get(number.lstrip("+"), ())]


async def sms_count(office: PhoneOffice, number: str, count: int) -> list[str]:
    async def arrived() -> bool:
        return len(sms_texts(office, number)) >= count

    await until(arrived, what=f"{count} SMS to {number}")
    return sms_texts(office, number)


async def whatsapp_count(office: PhoneOffice, number: str, count: int) -> list[dict[str, Any]]:
    async def arrived() -> bool:
        return len(whatsapp_bodies(office, number)) >= count

    await until(arrived, what=f"{count} WhatsApp messages to {number}")
    return whatsapp_bodies(office, number)


async def summoned_by_phone(
    office: PhoneOffice, *, whatsapp: bool = False, parent_on_whatsapp: bool = False
) -> Summons:
    bot = office.bot
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
    await put_number(office, rina.id, TEEN, whatsapp=whatsapp)
    if parent_on_whatsapp:
        await put_number(office, rina.id, PARENT, whose=ContactOf.GUARDIAN, whatsapp=True)
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=5)
    return await factories.summon(bot.db, bot.settings, rina, soon)
