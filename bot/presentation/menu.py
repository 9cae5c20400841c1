"""The bot's commands: one table feeds both Telegram's command menu and /bantuan."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from telegram import BotCommand, MenuButtonCommands
from telegram.ext import ExtBot

from bot.i18n import LANGUAGES, N_, Catalogs


@dataclass(frozen=True)
class Command:
    name: str
    description: str


# Order is the order people see in the menu.
COMMANDS: tuple[Command, ...] = (
    Command("start", N_("Mulai: pilih bahasa dan peran Anda")),
    Command("daftar", N_("Daftar untuk perekaman KTP-el")),
    Command("jadwal", N_("Jadwal perekaman saya")),
    Command("ganti", N_("Pilih jadwal lain")),
    Command("kode", N_("Kode dan QR kehadiran saya")),
    Command("ortu", N_("Orang tua/wali: hubungkan anak, atau lihat siapa yang terhubung")),
    Command("bahasa", N_("Ganti bahasa")),
    Command("hapus", N_("Hapus data saya")),
    Command("batal", N_("Batalkan langkah yang sedang berjalan")),
    Command("bantuan", N_("Bantuan dan daftar perintah")),
)


# Staff's own, shown in their /bantuan (not in Telegram's menu: that is everyone's).
STAFF_COMMANDS: tuple[Command, ...] = (
    Command("staf", N_("Menu petugas")),
    Command("hadir", N_("Catat kehadiran dengan kode (atau pindai QR anak)")),
    Command("meja", N_("Meja layanan: cari orang, catat hasil perekaman")),
    Command("statistik", N_("Angka capaian per kelurahan, sekolah, jadwal")),
    Command("sesi", N_("Jadwal: lihat, pindah, batalkan, buat baru, tambah tempat")),
    Command("panggil", N_("Panggil sasaran ke jadwal yang masih ada tempat")),
    Command("siaran", N_("Kirim pengumuman ke sekelompok orang")),
    Command("tinjau", N_("Periksa pendaftaran mandiri dan permintaan orang tua")),
    Command("kunjungan", N_("Permintaan kunjungan ke rumah")),
    Command("buka_kunci", N_("Buka kunci percobaan sebuah kode atau NIK")),
    Command("dasbor", N_("Tautan masuk dasbor web (sekali pakai)")),
    Command("petugas", N_("Daftar petugas (admin: /petugas_tambah, /petugas_hapus)")),
)
# Words people type instead of a command, and the command they are after.
_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("jadwal", "kapan", "jam berapa", "dimana", "di mana", "tempat"), "jadwal"),
    (("ganti", "pindah", "tukar", "tidak bisa", "gak bisa", "nggak bisa"), "ganti"),
    (("kode", "qr", "barcode"), "kode"),
    (("daftar", "registrasi", "mendaftar", "register"), "daftar"),
    (("orang tua", "ortu", "wali", "anak saya"), "ortu"),
    (("bahasa", "language", "basa"), "bahasa"),
    (("hapus", "berhenti"), "hapus"),
)


# Greetings and calls for help, in each language: words that ask "what can you do?". Matched as
# whole words; the language they are in is the reader's guess until they choose one.
_GREETINGS: dict[str, tuple[str, ...]] = {
    "jv": (
        "sugeng enjing",
        "sugeng siang",
        "sugeng sonten",
        "sugeng dalu",
        "kulo nuwun",
        "kula nuwun",
        "nyuwun tulung",
        "kulo",
        "kula",
        "badhe",
        "nyuwun",
        "monggo",
        "mangga",
    ),
    "en": (
        "hello",
        "hi",
        "hey",
        "good morning",
        "good afternoon",
        "good evening",
        "help",
        "please",
        "register",
    ),
    "id": (
        "halo",
        "hai",
        "selamat pagi",
        "selamat siang",
        "selamat sore",
        "selamat malam",
        "permisi",
        "tolong",
        "bantuan",
        "assalamualaikum",
    ),
}


def _words(text: str) -> str:
    return " " + " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) + " "


def greeting_language(text: str) -> str | None:
    """The language of a greeting or a call for help ("sugeng enjing" → "jv", "hello" → "en"),
    or None when the text is neither."""
    words = _words(text)
    for language, greetings in _GREETINGS.items():
        if any(f" {greeting} " in words for greeting in greetings):
            return language
    return None


def command_lines(catalogs: Catalogs, language: str, *, staff: bool = False) -> str:
    """'/start — ...' lines for the help text, in the reader's language; staff's own after."""
    _ = catalogs.gettext(language)
    lines = [f"/{command.name} — {_(command.description)}" for command in COMMANDS]
    if staff:
        lines += ["", _("Untuk petugas:")]
        lines += [f"/{command.name} — {_(command.description)}" for command in STAFF_COMMANDS]
    return "\n".join(lines)


def command_like(typed: str) -> str | None:
    """The everyone's command a mistyped one was probably meant to be ("/jadwl" → "jadwal")."""
    name = typed.lstrip("/").split("@", 1)[0].split(maxsplit=1)[0].lower() if typed else ""
    found = difflib.get_close_matches(name, [c.name for c in COMMANDS], n=1, cutoff=0.7)
    return found[0] if found else None


def command_for(text: str) -> str | None:
    """The command a typed question is after ("kapan jadwal saya" → "jadwal"), if any."""
    lowered = " ".join(text.lower().split())
    for words, command in _HINTS:
        if any(word in lowered for word in words):
            return command
    return None


async def publish_commands(bot: ExtBot[None], catalogs: Catalogs, default_language: str) -> None:
    """setMyCommands once per language; the office's default language is Telegram's default."""
    for language in LANGUAGES:
        _ = catalogs.gettext(language)
        commands = [BotCommand(c.name, _(c.description)) for c in COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
        if language == default_language:
            await bot.set_my_commands(commands)
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
