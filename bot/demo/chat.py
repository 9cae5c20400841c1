"""The terminal chat of `rekam demo`: a person plays a teen, a parent or staff."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.app import build_application
from bot.clock import Clock
from bot.config import load_settings
from bot.db.migrate import upgrade
from bot.db.vault import new_key
from bot.demo.seed import REGION_CODES, DemoHint, seed
from bot.emulator import ReceivedMessage, TelegramEmulator, UserClient
from bot.emulator.transport import IN_PROCESS_BASE_URL, emulator_request
from bot.i18n import N_, Catalogs, Gettext
from bot.runtime import running

PERSONAS = {"teen": N_("remaja"), "parent": N_("orang tua"), "staff": N_("petugas")}


class TerminalChat:
    """Prints what the bot sends to the current persona and turns typed lines into actions."""

    def __init__(self, people: dict[str, UserClient], out: TextIO, _: Gettext) -> None:
        self.people = people
        self.persona = "teen"
        self.out = out
        self._ = _
        self.last_buttons: ReceivedMessage | None = None

    @property
    def client(self) -> UserClient:
        return self.people[self.persona]

    @property
    def prompt(self) -> str:
        return f"[{self._(PERSONAS[self.persona])}] > "

    def show(self, kind: str, message: ReceivedMessage) -> None:
        mark = "🤖 ✎ " if kind == "edit" else "🤖 "
        lines = message.text.splitlines() or [""]
        print(mark + lines[0], *("   " + line for line in lines[1:]), sep="\n", file=self.out)
        if message.venue:
            location = message.venue["location"]
            print(f"   📍 {location['latitude']:.5f}, {location['longitude']:.5f}", file=self.out)
        if message.file:
            print(f"   📎 {message.file.name} ({len(message.file.content)} B)", file=self.out)
        for number, button in enumerate(message.buttons, start=1):
            print(f"   [{number}] {button.label}", file=self.out)
        if message.buttons:
            self.last_buttons = message
        elif self.last_buttons and self.last_buttons.message_id == message.message_id:
            self.last_buttons = None  # an edit took the buttons away

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        _ = self._
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line in (":q", ":quit", ":keluar"):
            return False
        if line.startswith(":"):
            persona = line[1:]
            if persona in self.people:
                self.persona = persona
                self.last_buttons = None
                print(
                    _("— Sekarang Anda berperan sebagai {persona}. —").format(
                        persona=_(PERSONAS[persona])
                    ),
                    file=self.out,
                )
            else:
                print(_("Perintah demo: :teen, :parent, :staff, :quit"), file=self.out)
            return True
        if line.isdigit() and self.last_buttons is not None:
            index = int(line) - 1
            if 0 <= index < len(self.last_buttons.buttons):
                self.client.press(
                    data=self.last_buttons.buttons[index].data or "", message=self.last_buttons
                )
            else:
                print(_("Tidak ada tombol nomor {number}.").format(number=line), file=self.out)
                return True
        else:
            self.client.send(line)
        for kind, message in await self.client.changes(quiet=0.4, timeout=8.0):
            self.show(kind, message)
        if self.client.keyboard:
            print("   ⌨ " + " | ".join(self.client.keyboard), file=self.out)
        return True


def _banner(_: Gettext, office: str, hint: DemoHint) -> str:
    example = _(
        "Coba undangan by-name: ketik /start {code}, lalu tanggal lahir {born}. Atau daftar "
        "sendiri dengan /daftar (NIK contoh: {nik})."
    ).format(code=hint.invite_code, born=hint.birth_date.strftime("%d-%m-%Y"), nik=hint.spare_nik)
    return (
        _(
            "Rekam — demo tanpa jaringan\n"
            "Rekam adalah bot Telegram {office} yang memanggil pemilih pemula (16–17 tahun) dengan "
            "nama ke jadwal perekaman KTP-el, mengingatkan mereka dan orang tuanya, dan mencatat "
            "kehadiran.\n"
            "Di sini Telegram ditiru di komputer ini, dengan kantor contoh (tempat, jadwal, daftar "
            "sasaran buatan).\n"
            "Ketik seperti di Telegram (mulai dengan /start); ketik nomor untuk menekan tombol; "
            ":teen, :parent, :staff untuk berganti peran; :quit untuk keluar."
        ).format(office=office)
        + "\n"
        + example
    )


async def run_demo(*, lines: Iterable[str] | None, out: TextIO, language: str = "id") -> None:
    """The whole demo; `lines` plays a script, None reads the keyboard."""
    emulator = TelegramEmulator()
    with tempfile.TemporaryDirectory(prefix="rekam-demo-") as folder:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'demo.db'}",
            bot_token=emulator.token,
            telegram_api_base_url=IN_PROCESS_BASE_URL,
            office_name="Dinas Dukcapil Kota Contoh",
            office_region_codes=REGION_CODES,
            default_language=language,
            data_key=new_key(),  # a fresh key for a database that lives as long as the demo
        )
        clock = Clock(settings.zone)
        today = clock.today()
        settings = settings.model_copy(update={"election_date": today + timedelta(days=45)})
        people = {
            "teen": UserClient.create(emulator, "Rina", language_code=language),
            "parent": UserClient.create(emulator, "Ibu Wulan", language_code=language),
            "staff": UserClient.create(emulator, "Petugas Andi", language_code=language),
        }
        app = build_application(
            settings,
            request=emulator_request(emulator),
            get_updates_request=emulator_request(emulator, read_timeout=15),
            clock=clock,
        )
        services = app.bot_data
        await upgrade(services.db)
        async with services.db.session() as session:
            hint = await seed(
                session,
                clock=clock,
                election=settings.election_date,
                staff_ids=(people["staff"].id,),
            )
        _ = Catalogs(default_language=language).gettext(language)
        chat = TerminalChat(people, out, _)
        async with running(app, poll_timeout=1):
            print(_banner(_, settings.office_name, hint), "", sep="\n", file=out)
            if lines is not None:
                for line in lines:
                    print(chat.prompt + line.rstrip("\n"), file=out)
                    if not await chat.handle(line):
                        break
                return
            while True:
                try:
                    line = await asyncio.to_thread(input, chat.prompt)
                except EOFError:
                    print(file=out)
                    break
                if not await chat.handle(line):
                    break
