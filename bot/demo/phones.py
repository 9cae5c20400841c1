"""The demo's phones: the WhatsApp Cloud API and SMS gateway emulators in this process, the
office's settings pointed at them as an office points them at Meta and its Android phone
(`phones_of`, `rekam whatsapp templates --submit`), and their signed webhooks posted to the real
public listener on a loopback port. Sekar, who has only WhatsApp, and her father, who has only
SMS, act through the emulators as their phones would; what reaches them is read back here."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.channels.whatsapp.client import WhatsAppClient
from bot.config import Settings
from bot.delivery.phones import Phones, phones_of
from bot.demo.seed import PHONE_PARENT, PHONE_TEEN
from bot.emulator.sms import IN_PROCESS_BASE_URL as SMS_URL
from bot.emulator.sms import SmsGatewayEmulator, in_process_transport
from bot.emulator.whatsapp import WebhookConfig, WhatsAppEmulator, in_process_client
from bot.emulator.whatsapp.server import IN_PROCESS_API_URL
from bot.emulator.whatsapp.webhook import stop_pushing, subscribe, verify
from bot.i18n import Catalogs, Gettext
from bot.inbound.app import WHATSAPP_PATH
from bot.office_cli.whatsapp import submit_missing
from bot.web.server import free_port

log = logging.getLogger(__name__)

# Made-up credentials shared by the office's settings and the emulators, for one demo's length.
WA_TOKEN = "EAA-demo-whatsapp-token"
WA_PHONE_ID = "106540352242922"
WA_WABA_ID = "102290129340398"
WA_SECRET = "demo-app-secret"
WA_VERIFY = "demo-verify-token"
SMS_LOGIN, SMS_PASSWORD, SMS_KEY = "kantor-demo", "sandi-demo", "kunci-tanda-demo"
SMS_RATE = 600.0  # messages a minute: a newcomer does not wait on a real phone's pace
SETTLE_WAIT = 10.0  # seconds a webhook has to reach the listener before the demo goes on
_PARAM = re.compile(r"\{\{(\d+)\}\}")


def phone_settings() -> dict[str, Any]:
    """The settings that turn WhatsApp and SMS on, pointed at the emulators, and the public
    listener on a free loopback port (its address registered with the SMS gateway at start)."""
    port = free_port("127.0.0.1")
    return {
        "whatsapp_api_url": IN_PROCESS_API_URL,
        "whatsapp_phone_id": WA_PHONE_ID,
        "whatsapp_waba_id": WA_WABA_ID,
        "whatsapp_token": WA_TOKEN,
        "whatsapp_app_secret": WA_SECRET,
        "whatsapp_verify_token": WA_VERIFY,
        "sms_gateway_url": SMS_URL,
        "sms_gateway_login": SMS_LOGIN,
        "sms_gateway_password": SMS_PASSWORD,
        "sms_webhook_key": SMS_KEY,
        "sms_rate": SMS_RATE,
        "public_listen": "127.0.0.1",
        "public_port": port,
        "public_base_url": f"http://127.0.0.1:{port}",
    }


@dataclass(frozen=True)
class Arrived:
    """One message on a phone as the demo prints it: its text and its reply buttons (id,
    title); `template` names the WhatsApp template it came as."""

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    template: str | None = None


class WhatsAppPhone:
    """A person with only WhatsApp: writes, presses reply buttons, reads what came."""

    def __init__(self, emulator: WhatsAppEmulator, number: str, name: str) -> None:
        self.emulator = emulator
        self.number = number
        self.name = name
        self._shown: set[str] = set()
        self._buttons: tuple[str, tuple[tuple[str, str], ...]] | None = None

    @property
    def changed(self) -> asyncio.Event:
        return self.emulator.changed

    def buttons(self) -> tuple[tuple[str, str], ...]:
        """The reply buttons of the newest message that has some."""
        return self._buttons[1] if self._buttons is not None else ()

    def say(self, text: str) -> None:
        """Press the button whose id was typed (`ya`), else write the text."""
        typed = text.strip().casefold()
        if self._buttons is not None and typed in dict(self._buttons[1]):
            self.emulator.press(self.number, self._buttons[0], typed)
        else:
            self.emulator.user_text(self.number, text)

    def press(self, number: int) -> bool:
        """Press button `number` (1 is the first); False when there is none."""
        buttons = self.buttons()
        if self._buttons is None or not 1 <= number <= len(buttons):
            return False
        self.emulator.press(self.number, self._buttons[0], buttons[number - 1][0])
        return True

    def _reached(self) -> list[Any]:
        chat = self.emulator.chats.get(self.number.lstrip("+"), ())
        return [message for message in chat if message.error is None]

    def has_new(self) -> bool:
        return any(message.id not in self._shown for message in self._reached())

    def arrivals(self) -> list[Arrived]:
        """What reached the phone since last asked, oldest first."""
        new = []
        for message in self._reached():
            if message.id in self._shown:
                continue
            self._shown.add(message.id)
            arrived = self._read(message.body)
            if arrived.buttons:
                self._buttons = (message.id, arrived.buttons)
            new.append(arrived)
        return new

    def _read(self, body: dict[str, Any]) -> Arrived:
        if body.get("type") == "template":
            sent = body["template"]
            values = [
                str(parameter.get("text", ""))
                for component in sent.get("components", ())
                for parameter in component.get("parameters", ())
            ]
            found = self.emulator.templates.find(sent["name"], sent["language"]["code"])
            text = found.body if found is not None else ""
            text = _PARAM.sub(
                lambda m: values[int(m[1]) - 1] if int(m[1]) <= len(values) else "", text
            )
            return Arrived(text, template=str(sent["name"]))
        if body.get("type") == "interactive":
            interactive = body["interactive"]
            buttons = tuple(
                (str(b["reply"]["id"]), str(b["reply"]["title"]))
                for b in interactive.get("action", {}).get("buttons", ())
            )
            return Arrived(str(interactive.get("body", {}).get("text", "")), buttons)
        return Arrived(str(body.get("text", {}).get("body", "")))

    async def settled(self) -> None:
        """Until every event the emulator has (her message, statuses) reached the listener."""
        await _until(lambda: not self.emulator.pending_events)


class SmsPhone:
    """A person with only a phone: texts the office, reads the SMS that reached them."""

    def __init__(self, emulator: SmsGatewayEmulator, number: str, name: str) -> None:
        self.emulator = emulator
        self.number = number
        self.name = name
        self._shown: set[str] = set()

    @property
    def changed(self) -> asyncio.Event:
        return self.emulator.changed

    def buttons(self) -> tuple[tuple[str, str], ...]:
        return ()  # an SMS has none: a number typed is text (GANTI's choices are numbered)

    def say(self, text: str) -> None:
        self.emulator.receive_sms(self.number, text)

    def press(self, number: int) -> bool:
        return False

    def _reached(self) -> list[dict[str, Any]]:
        return [
            sms
            for sms in self.emulator.messages_to(self.number)
            if any(
                r["phoneNumber"] == self.number and r["state"] in ("Sent", "Delivered")
                for r in sms.get("recipients", ())
            )
        ]

    def has_new(self) -> bool:
        return any(sms["id"] not in self._shown for sms in self._reached())

    def arrivals(self) -> list[Arrived]:
        new = []
        for sms in self._reached():
            if sms["id"] not in self._shown:
                self._shown.add(sms["id"])
                new.append(Arrived(str(sms["text"])))
        return new

    async def settled(self) -> None:
        """Until what the phone received was posted to the listener and answered."""
        courier = self.emulator.courier
        await _until(
            lambda: all(
                d.delivered or len(d.answers) >= courier.max_attempts
                for d in courier.deliveries
                if d.event == "sms:received"
            )
        )


Phone = WhatsAppPhone | SmsPhone


async def _until(done: Callable[[], bool]) -> None:
    # The emulators' webhook senders signal nothing when a post is answered: a short poll.
    while not done():  # noqa: ASYNC110
        await asyncio.sleep(0.05)


class DemoPhones:
    """The two emulators and the demo's phone people on them."""

    def __init__(self) -> None:
        self.whatsapp = WhatsAppEmulator(WA_TOKEN, phone_number_id=WA_PHONE_ID, waba_id=WA_WABA_ID)
        self.sms = SmsGatewayEmulator(SMS_LOGIN, SMS_PASSWORD, signing_key=SMS_KEY)
        self.people: dict[str, Phone] = {
            "wa": WhatsAppPhone(self.whatsapp, PHONE_TEEN, "Sekar"),
            "sms": SmsPhone(self.sms, PHONE_PARENT, "Bapak Hadi"),
        }
        self.whatsapp.add_user(PHONE_TEEN, "Sekar")  # her father's number is on no WhatsApp

    def phones(self, settings: Settings) -> Phones:
        """The office's clients, as `rekam run` builds them, talking to the emulators."""
        return phones_of(
            settings,
            whatsapp_http=in_process_client(self.whatsapp),
            sms_transport=in_process_transport(self.sms),
        )

    async def submit_templates(self, settings: Settings, catalogs: Catalogs) -> None:
        """The templates, sent for review as `rekam whatsapp templates --submit` sends them
        (the emulator approves them at once): a summons outside the window needs one."""
        token = settings.whatsapp_token
        assert token is not None
        async with WhatsAppClient(
            settings.whatsapp_api_url,
            settings.whatsapp_phone_id,
            token.get_secret_value(),
            waba_id=settings.whatsapp_waba_id,
            http=in_process_client(self.whatsapp),
        ) as client:
            await submit_missing(client, catalogs)

    async def listen(self, settings: Settings) -> None:
        """Once the public listener is up: WhatsApp's handshake with it, then every event
        posted there, signed (the SMS gateway was told its address by the listener itself)."""
        assert settings.public_base_url is not None
        url = str(settings.public_base_url).rstrip("/") + WHATSAPP_PATH
        config = WebhookConfig(url, WA_SECRET, WA_VERIFY)
        if not await verify(self.whatsapp, config):
            log.warning("the public listener did not answer WhatsApp's handshake at %s", url)
        subscribe(self.whatsapp, config)

    async def settled(self) -> None:
        """Until what the phone people did has reached the bot (or the wait ran out)."""
        try:
            async with asyncio.timeout(SETTLE_WAIT):
                for person in self.people.values():
                    await person.settled()
                # What the office handed the phone has left it (sent, or failed).
                await _until(
                    lambda: all(
                        sms.state not in ("Pending", "Processed")
                        for sms in self.sms.messages.values()
                    )
                )
        except TimeoutError:
            log.warning("a phone's webhook was not answered within %s s", SETTLE_WAIT)

    async def aclose(self) -> None:
        stop_pushing(self.whatsapp)
        await self.sms.aclose()


def shown_lines(arrived: Arrived, _: Gettext) -> list[str]:
    """How a phone message prints: the text as it came, a template's name, the buttons."""
    lines = arrived.text.splitlines() or [""]
    if arrived.template is not None:
        lines.append(_("(templat WhatsApp {name})").format(name=arrived.template))
    lines.extend(f"[{button_id}] {title}" for button_id, title in arrived.buttons)
    return lines
