"""Texts several features say alike: why a typed NIK or date was not taken, a stale button,
a lock on guessing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain import nik as nik_rules
from bot.domain.dates import DateProblem
from bot.i18n import N_, Gettext, format_when

STALE = N_("Tombol ini sudah tidak berlaku. Ketik /jadwal untuk jadwal terbaru.")
STALE_BUTTON = N_("Tombol ini sudah tidak berlaku.")

NIK_PROBLEMS = {
    nik_rules.NikProblem.NOT_DIGITS: N_("NIK hanya berisi angka. Coba tulis lagi."),
    nik_rules.NikProblem.WRONG_LENGTH: N_(
        "NIK harus 16 angka; yang Anda tulis {count} angka. Coba tulis lagi."
    ),
    nik_rules.NikProblem.BAD_DATE: N_(
        "NIK itu tidak berisi tanggal lahir yang benar. Periksa "
        "lagi di Kartu Keluarga, lalu tulis lagi."
    ),
    nik_rules.NikProblem.BAD_SERIAL: N_(
        "NIK itu tidak benar: empat angka terakhirnya tidak mungkin 0000. Periksa lagi di "
        "Kartu Keluarga, lalu tulis lagi."
    ),
    nik_rules.NikProblem.OUTSIDE_REGION: N_(
        "NIK itu terdaftar di luar wilayah kantor ini. "
        "Silakan mendaftar di Dukcapil daerah asal NIK Anda."
    ),
}
DATE_PROBLEMS = {
    DateProblem.UNREADABLE: N_("Tanggal itu tidak terbaca. Contoh: 12-03-2008 atau 12 Maret 2008."),
    DateProblem.IMPOSSIBLE: N_("Tanggal itu tidak ada di kalender. Periksa lagi, lalu tulis lagi."),
    DateProblem.FUTURE: N_(
        "Tanggal lahir tidak bisa di masa depan. Periksa lagi, lalu tulis lagi."
    ),
}


def nik_problem(error: nik_rules.NikError, typed: str, _: Gettext) -> str:
    """Why a typed NIK was not taken."""
    digits = sum(c.isdigit() for c in typed)
    return str(_(NIK_PROBLEMS[error.problem]).format(count=digits))


def locked(until: datetime, _: Gettext, language: str, zone: ZoneInfo) -> str:
    """Guessing is locked (bot/services/lockout.py): until when, and where to get help."""
    return str(
        _(
            "Untuk keamanan, percobaan ditunda sampai {until}. Bila perlu bantuan, datang ke "
            "kantor Dukcapil dengan membawa Kartu Keluarga."
        ).format(until=format_when(until, language, zone))
    )


WAY_OUT = N_("Ketik /batal untuk keluar.")


def with_way_out(text: str, _: Gettext) -> str:
    """A step's question (or a retry of it), with how to leave the step instead of answering."""
    return f"{text}\n\n{_(WAY_OUT)}"


LAST_TRY = N_("⚠️ Tinggal 1 kali percobaan. Jika salah lagi, percobaan dikunci untuk sementara.")


def warned(text: str, tries_left: int, _: Gettext) -> str:
    """A refusal, with the warning when the next wrong try locks."""
    return f"{text}\n\n{_(LAST_TRY)}" if tries_left == 1 else text


def shorten(text: str, limit: int = 60) -> str:
    """Fit a button: cut at a word boundary with "…", never mid-word ("Kantor Dinas Dukcapi")."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ·,-") + "…"
