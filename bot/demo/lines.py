"""What one typed (or scripted) line of the demo means: text, a button, a change of role."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import Gettext

QUIT = (":q", ":quit", ":keluar")
_PRESS = re.compile(r"#(\d+)")


@dataclass(frozen=True)
class Say:
    """Send this text to the bot."""

    text: str


@dataclass(frozen=True)
class Press:
    """Press the button with this number (1 is the first) on the newest message with buttons."""

    number: int


@dataclass(frozen=True)
class Become:
    """Play someone else from now on (or, when `persona` is unknown, say who one can be)."""

    persona: str


@dataclass(frozen=True)
class Quit:
    """Leave the demo."""


@dataclass(frozen=True)
class Nothing:
    """An empty line or a comment."""


Action = Say | Press | Become | Quit | Nothing


def read_line(line: str, buttons: int) -> Action:
    """What `line` asks for when the newest message with buttons has `buttons` of them.

    A bare number presses a button only when there is a button with that number: a NIK, a
    date typed as digits or a `0` is text. `#3` always means button 3; any other line starting
    with `#` is a comment.
    """
    line = line.strip()
    if line in QUIT:
        return Quit()
    if line.startswith(":"):
        return Become(line[1:])
    if explicit := _PRESS.fullmatch(line):
        return Press(int(explicit[1]))
    if not line or line.startswith("#"):
        return Nothing()
    if line.isdigit() and 1 <= int(line) <= buttons:
        return Press(int(line))
    return Say(line)


def fill(line: str, values: Mapping[str, str]) -> str:
    """Put the sample office's values in place of `{name}`; other braces stay as typed."""
    for name, value in values.items():
        line = line.replace("{" + name + "}", value)
    return line


def script_format(_: Gettext) -> str:
    """How a `--script` file is written, for `rekam demo --help`."""
    return _(
        "Berkas --script: satu ketikan per baris, dijalankan seperti diketik di demo; setiap\n"
        "baris menunggu bot selesai menjawab sebelum baris berikutnya.\n"
        "  teks atau /perintah   dikirim ke bot\n"
        "  3                     menekan tombol nomor 3 bila ada; angka lain (NIK) jadi teks\n"
        "  #3                    selalu menekan tombol nomor 3\n"
        "  # catatan             diabaikan, begitu juga baris kosong\n"
        "  :teen :parent :staff  berganti peran; :quit berhenti\n"
        "  :wa :sms              Sekar (hanya WhatsApp) dan ayahnya (hanya SMS)\n"
        "  {undangan} {lahir}    kode undangan Rina dan tanggal lahirnya\n"
        "  {nik_anak}            NIK Rina (untuk orang tuanya)\n"
        "  {nik} {lahir_nik}     NIK contoh yang tidak ada di daftar dan tanggal lahirnya\n"
        "  {hadir}               kode hadir untuk meja"
    )
