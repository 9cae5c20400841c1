"""Why a session cannot be created, moved or resized, in the same words in Telegram (/sesi),
on the dashboard (Jadwal) and on the command line: one text per refusal of
bot/services/schedule.py."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, Gettext, format_day, format_number
from bot.services.schedule import MOST_SEATS, Change

REFUSALS = {
    Change.PAST: N_("Jam itu sudah lewat: jadwal harus di masa depan."),
    Change.AFTER_ELECTION: N_(
        "Jadwal harus sebelum hari pemungutan suara ({day}): perekaman untuk pemilu ini "
        "selesai sebelum hari itu."
    ),
    Change.ENDS_FIRST: N_("Jam selesai harus sesudah jam mulai."),
    Change.NO_SEATS: N_("Jumlah tempat harus lebih dari 0."),
    Change.TOO_MANY_SEATS: N_("Paling banyak {most} tempat untuk satu jadwal."),
    Change.FEWER: N_("Tidak bisa kurang dari jumlah remaja yang sudah dipanggil ke jadwal ini."),
    Change.GONE: N_("Jadwal ini sudah tidak ada atau sudah dibatalkan."),
}


def refusal(change: Change, _: Gettext, language: str, deadline: datetime, zone: ZoneInfo) -> str:
    """Why the schedule service refused, naming election day where that is the reason."""
    return str(_(REFUSALS[change])).format(
        day=format_day(deadline.astimezone(zone).date(), language),
        most=format_number(MOST_SEATS, language),
    )
