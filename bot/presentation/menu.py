"""The bot's commands: one table feeds both Telegram's command menu and /bantuan."""

from __future__ import annotations

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
    Command("ortu", N_("Orang tua/wali: tautkan anak, atau lihat siapa yang tertaut")),
    Command("bahasa", N_("Ganti bahasa")),
    Command("hapus", N_("Hapus data saya")),
    Command("bantuan", N_("Bantuan dan daftar perintah")),
)


def command_lines(catalogs: Catalogs, language: str) -> str:
    """'/start — ...' lines for the help text, in the reader's language."""
    _ = catalogs.gettext(language)
    return "\n".join(f"/{command.name} — {_(command.description)}" for command in COMMANDS)


async def publish_commands(bot: ExtBot[None], catalogs: Catalogs, default_language: str) -> None:
    """setMyCommands once per language; the office's default language is Telegram's default."""
    for language in LANGUAGES:
        _ = catalogs.gettext(language)
        commands = [BotCommand(c.name, _(c.description)) for c in COMMANDS]
        await bot.set_my_commands(commands, language_code=language)
        if language == default_language:
            await bot.set_my_commands(commands)
    await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
