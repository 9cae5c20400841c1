"""The terminal chat of `rekam demo`: a person plays a teen, a parent or staff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import tempfile
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from bot.app import build_application
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.context import RekamApp
from bot.db.migrate import upgrade
from bot.db.vault import new_key
from bot.demo.keyboard import Keyboard
from bot.demo.lines import Become, Nothing, Press, Quit, Say, fill, read_line
from bot.demo.phones import DemoPhones, Phone, phone_settings
from bot.demo.seed import PHONE_PARENT, PHONE_TEEN, PHONE_TEEN_NAME, REGION_CODES, DemoHint, seed
from bot.demo.transcript import PERSONAS, Transcript
from bot.emulator import TelegramEmulator, UserClient
from bot.emulator.transport import IN_PROCESS_BASE_URL, emulator_request
from bot.i18n import Catalogs, Gettext
from bot.logs import setup_logging
from bot.runtime import running
from bot.services import outbox, web_access
from bot.web.server import free_port

# A bot still busy after this long is reported, and the demo goes on.
REPLY_WAIT = 60  # seconds
# Queued messages (to the other people, mostly) are waited for this long at most: a chat that
# refuses them is retried later, and the demo need not wait for that.
QUEUED_WAIT = 10.0  # seconds
LOG_NAME = "rekam.log"
FILES_NAME = "berkas"


class TerminalChat:
    """Turns typed lines into what a person does in Telegram, then waits for the bot's answer."""

    def __init__(
        self,
        app: RekamApp,
        emulator: TelegramEmulator,
        people: dict[str, UserClient],
        transcript: Transcript,
        _: Gettext,
        phones: DemoPhones | None = None,
    ) -> None:
        self.app = app
        self.emulator = emulator
        self.people = people
        self.transcript = transcript
        self._ = _
        self.phones = phones

    def _phone(self, persona: str) -> Phone | None:
        return self.phones.people.get(persona) if self.phones is not None else None

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        _, shown = self._, self.transcript
        phone = self._phone(shown.persona)
        with_buttons = shown.buttons()
        if phone is not None:
            count = len(phone.buttons())
        else:
            count = len(with_buttons.buttons) if with_buttons else 0
        action = read_line(line, count)
        match action:
            case Quit():
                return False
            case Nothing():
                return True
            case Become(persona) if persona in self.people or self._phone(persona):
                shown.persona = persona
                text = _("— Sekarang Anda berperan sebagai {persona}. —")
                print(text.format(persona=_(PERSONAS[persona])), file=shown.out)
                return True
            case Become():
                print(_("Perintah demo: :teen, :parent, :staff, :wa, :sms, :quit"), file=shown.out)
                return True
            case Press(number) if phone is not None:
                if not phone.press(number):
                    print(
                        _("Tidak ada tombol nomor {number}.").format(number=number), file=shown.out
                    )
                    return True
            case Press(number):
                if with_buttons is None or not 1 <= number <= len(with_buttons.buttons):
                    print(
                        _("Tidak ada tombol nomor {number}.").format(number=number), file=shown.out
                    )
                    return True
                button = with_buttons.buttons[number - 1]
                self.people[shown.persona].press(data=button.data or "", message=with_buttons)
            case Say(text) if phone is not None:
                phone.say(text)
            case Say(text):
                self.people[shown.persona].send(text)
        await self.answered()
        return True

    async def answered(self) -> None:
        """Until the bot has handled everything sent so far, its replies printed."""
        if self.phones is not None:
            # A phone's message reaches the public listener, which queues the answer.
            await self.phones.settled()
        try:
            async with asyncio.timeout(REPLY_WAIT):
                # Confirmed updates are in the Application's queue; join() waits until each
                # one's handler has finished, its replies sent.
                await self.emulator.until_confirmed()
                await self.app.update_queue.join()
        except TimeoutError:
            late = self._("(Bot belum selesai menjawab setelah {seconds} detik.)")
            print(late.format(seconds=REPLY_WAIT), file=self.transcript.out)
        await self._queued_sent()
        if self.phones is not None:
            await self.phones.settled()  # the SMS handed to the phone have left it
        self.transcript.flush()

    async def _queued_sent(self) -> None:
        """Until the outbox has sent what the last action queued and is due now (a summons to
        a parent, a broadcast, a notice to staff), so that it prints before the next line."""
        services = self.app.bot_data
        changes = [person.chat.changed for person in self.people.values()]
        if self.phones is not None:
            changes += [phone.changed for phone in self.phones.people.values()]
        deadline = asyncio.get_running_loop().time() + QUEUED_WAIT
        while asyncio.get_running_loop().time() < deadline:
            async with services.db.session() as session:
                if not await outbox.due_now(session, services.clock.now()):
                    return
            # Woken by the next send to anyone; a row that failed changes no chat: look again.
            waits = [asyncio.ensure_future(changed.wait()) for changed in changes]
            await asyncio.wait(waits, timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
            for wait in waits:
                wait.cancel()


async def play(chat: TerminalChat, lines: Iterable[str] | None, values: dict[str, str]) -> None:
    """Play a script (`lines`), or the keyboard when it is None, until the end or :quit."""
    shown = chat.transcript
    await chat.answered()  # what is due at start (Sekar's summons) prints before the first line
    if lines is not None:
        for line in lines:
            line = fill(line.rstrip("\n"), values)
            print(shown.prompt + line, file=shown.out, flush=True)
            if not await chat.handle(line):
                return
        return
    keyboard = Keyboard()
    while True:
        shown.prompt_shown = shown.prompt
        print(shown.prompt, end="", file=shown.out, flush=True)
        typed = await keyboard.readline()
        shown.prompt_shown = None
        if typed is None:  # Ctrl-D, or the end of piped input
            print(file=shown.out)
            return
        if not await chat.handle(fill(typed, values)):
            return


def _banner(_: Gettext, office: str, hint: DemoHint, folder: Path, dashboard: str) -> str:
    example = _(
        "Coba surat undangan Rina: ketik /start {code}, lalu tanggal lahir {born}. Atau daftar "
        "sendiri dengan /daftar (NIK contoh: {nik}, lahir {nik_born}; tidak ada di daftar)."
    ).format(
        code=hint.invite_code,
        born=hint.birth_date.strftime("%d-%m-%Y"),
        nik=hint.spare_nik,
        nik_born=hint.spare_birth_date.strftime("%d-%m-%Y"),
    )
    staff = _(
        "Sebagai petugas (:staff): /staf, /statistik, /siaran, dan meja perekaman /meja (kode "
        "hadir contoh: {code})."
    ).format(code=hint.desk_code)
    phones = _(
        "Tanpa Telegram: :wa adalah {teen}, yang hanya punya WhatsApp ({teen_number}); :sms "
        "ayahnya, yang hanya punya SMS ({parent_number}). Panggilannya tiba di sana; balas ya, "
        "tidak atau ganti (di WhatsApp juga id tombol seperti [ya], atau nomornya), atau "
        "BERHENTI lewat SMS."
    ).format(teen=PHONE_TEEN_NAME, teen_number=PHONE_TEEN, parent_number=PHONE_PARENT)
    where = _("Berkas yang dikirim bot disimpan di {files}; log bot ada di {log}.").format(
        files=folder / FILES_NAME, log=folder / LOG_NAME
    )
    web = _(
        "Dasbor web kantor, untuk petugas Andi (tautan sekali pakai, 10 menit): {link}\n"
        "Tautan baru: sebagai :staff ketik /dasbor."
    ).format(link=dashboard)
    intro = _(
        "Rekam — demo tanpa jaringan\n"
        "Rekam adalah bot Telegram {office} yang memanggil pemilih pemula (16–17 tahun) dengan "
        "nama ke jadwal perekaman KTP-el, mengingatkan mereka dan orang tuanya, dan mencatat "
        "kehadiran.\n"
        "Di sini Telegram ditiru di komputer ini, dengan kantor contoh (tempat, jadwal, daftar "
        "sasaran buatan).\n"
        "Ketik seperti di Telegram (mulai dengan /start). Untuk menekan tombol, ketik nomornya, "
        "atau #3 untuk tombol 3; angka yang bukan nomor tombol (NIK, tanggal) dikirim sebagai "
        "teks. :teen, :parent, :staff untuk berganti peran; pesan untuk orang lain muncul saat "
        "tiba, ditandai [nama, peran]. :quit, Ctrl-D atau Ctrl-C untuk keluar."
    ).format(office=office)
    return "\n".join((intro, example, staff, phones, web, where))


@contextlib.contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    """Log to a file for the demo's length: a traceback in the transcript helps nobody."""
    root = logging.getLogger()
    before = root.handlers[:], root.level
    setup_logging(logging.INFO)  # redaction and quiet libraries, as everywhere
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(root.handlers[0].formatter)
    root.handlers[:] = [handler]
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.handlers[:], level = before
        root.setLevel(level)
        handler.close()


async def run_demo(
    *,
    lines: Iterable[str] | None,
    out: TextIO,
    language: str = "id",
    folder: Path | None = None,
) -> None:
    """The whole demo; `lines` plays a script, None reads the keyboard. Its database, log and
    the files the bot sends stay in `folder` (a new temporary one by default)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="rekam-demo-"))
    _ = Catalogs(default_language=language).gettext(language)
    with _logging_to(folder / LOG_NAME), _interruptible() as interrupted:
        await _run(lines, out, _, language, folder, interrupted)
    goodbye = _("Sampai jumpa! Berkas dan log demo tetap ada di {folder}.")
    print(goodbye.format(folder=folder), file=out, flush=True)


class _Interrupted:
    """Ctrl-C (or SIGTERM): cancels the chat when it is under way, else stops it starting."""

    def __init__(self) -> None:
        self.asked = False
        self.chat: asyncio.Task[None] | None = None

    def __call__(self) -> None:
        self.asked = True
        if self.chat is not None:
            self.chat.cancel()


@contextlib.contextmanager
def _interruptible() -> Iterator[_Interrupted]:
    loop = asyncio.get_running_loop()
    interrupted = _Interrupted()
    caught = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, interrupted)
            caught.append(sig)
    try:
        yield interrupted
    finally:
        for sig in caught:
            loop.remove_signal_handler(sig)


def demo_settings(emulator: TelegramEmulator, folder: Path, language: str) -> Settings:
    """The sample office's settings: its database in `folder`, the emulator for Telegram, an
    election 45 days ahead."""
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'demo.db'}",
        bot_token=emulator.token,
        telegram_api_base_url=IN_PROCESS_BASE_URL,
        office_name="Dinas Dukcapil Kota Contoh",
        office_region_codes=REGION_CODES,
        default_language=language,
        data_key=new_key(),  # a fresh key for a database that lives as long as the demo
        web_port=free_port("127.0.0.1"),
        # The letters' links (the dashboard's "Unduh surat") name the bot.
        bot_username=emulator.bot_user["username"],
        quiet_hours="",  # a newcomer tries it at any hour
        # WhatsApp and SMS on, pointed at the emulators; the public listener on a free port.
        **phone_settings(),
    )
    today = Clock(settings.zone).today()
    return settings.model_copy(update={"election_date": today + timedelta(days=45)})


def script_values(hint: DemoHint) -> dict[str, str]:
    """What `{name}` stands for in a script (README's, or `--script FILE`)."""
    return {
        "undangan": hint.invite_code,
        "lahir": hint.birth_date.strftime("%d-%m-%Y"),
        "nik_anak": hint.teen_nik,
        "nik": hint.spare_nik,
        "lahir_nik": hint.spare_birth_date.strftime("%d-%m-%Y"),
        "hadir": hint.desk_code,
    }


async def _run(
    lines: Iterable[str] | None,
    out: TextIO,
    _: Gettext,
    language: str,
    folder: Path,
    interrupted: _Interrupted,
) -> None:
    emulator = TelegramEmulator()
    phones = DemoPhones()
    settings = demo_settings(emulator, folder, language)
    clock = Clock(settings.zone)
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
        phones=phones.phones(settings),
    )
    services = app.bot_data
    await upgrade(services.db)
    await phones.submit_templates(settings, services.catalogs)
    async with services.db.session() as session:
        hint = await seed(
            session,
            clock=clock,
            election=settings.election_date,
            staff_ids=(people["staff"].id,),
        )
        token = await web_access.issue_link(session, people["staff"].id, now=clock.now())
    dashboard = f"{settings.dashboard_url}/masuk/{token}"
    transcript = Transcript(people, out, _, folder / FILES_NAME, phones.people)
    chat = TerminalChat(app, emulator, people, transcript, _, phones)
    values = script_values(hint)
    try:
        async with running(app, poll_timeout=1, web=True):
            await phones.listen(settings)
            await _chat(
                chat,
                lines,
                values,
                interrupted,
                _banner(_, settings.office_name, hint, folder, dashboard),
            )
    finally:
        await phones.aclose()


async def _chat(
    chat: TerminalChat,
    lines: Iterable[str] | None,
    values: dict[str, str],
    interrupted: _Interrupted,
    banner: str,
) -> None:
    """The banner, then the chat until it ends, what arrives printed meanwhile."""
    transcript, out = chat.transcript, chat.transcript.out
    print(banner, "", sep="\n", file=out)
    if interrupted.asked:
        return
    watching = asyncio.create_task(transcript.watch(), name="demo-transcript")
    interrupted.chat = asyncio.create_task(play(chat, lines, values), name="demo-chat")
    await asyncio.wait([interrupted.chat])
    watching.cancel()
    await asyncio.gather(watching, return_exceptions=True)
    transcript.flush()
    if interrupted.chat.cancelled():
        print(file=out)  # below the ^C the terminal echoed
    else:
        interrupted.chat.result()
