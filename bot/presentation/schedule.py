"""Why a session cannot be created, moved or resized, in the same words in Telegram (/sesi),
on the dashboard (Jadwal) and on the command line: one text per refusal of
bot/services/schedule.py."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, Gettext, format_day, format_number
from bot.services.outbox import Reach
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


def reached(reach: Reach, _: Gettext, language: str) -> str:
    """Who a move, a cancellation or a home visit was sent to, as the service counted it: a
    teen with neither Telegram nor a linked parent is named as not told, never as told."""
    if not reach.teens:
        return _("Tidak ada remaja yang dipanggil ke jadwal ini, jadi tidak ada yang dikabari.")
    said = (
        _(
            "Dikabari: {told} dari {teens} remaja ({own} di Telegram sendiri, {phone} lewat "
            "WhatsApp atau SMS ke nomornya, {guardians} orang tua/wali)."
        )
        if reach.by_phone
        else _(
            "Dikabari lewat Telegram: {told} dari {teens} remaja "
            "({own} di Telegram sendiri, {guardians} orang tua/wali)."
        )
    )
    lines = [
        said.format(
            told=format_number(reach.told, language),
            teens=format_number(reach.teens, language),
            own=format_number(reach.own_chat, language),
            phone=format_number(reach.by_phone, language),
            guardians=format_number(reach.guardians, language),
        )
    ]
    if reach.untold:
        lines.append(untold(reach.untold, _, language))
    return "\n".join(lines)


def untold(count: int, _: Gettext, language: str) -> str:
    """The teens a change was not told to, for staff to reach another way."""
    return _(
        "⚠️ {count} remaja tidak punya Telegram maupun orang tua/wali yang terhubung, "
        "jadi belum dikabari: hubungi mereka dengan cara lain."
    ).format(count=format_number(count, language))


def ahead(reach: Reach, _: Gettext, language: str) -> str:
    """Before a move or a cancellation: who it will tell, and who nobody can tell."""
    if not reach.teens:
        return _("Tidak ada remaja yang dipanggil ke jadwal ini.")
    said = (
        _(
            "{told} dari {teens} remaja yang dipanggil ke jadwal ini akan dikabari lewat "
            "Telegram, WhatsApp atau SMS (sendiri atau lewat orang tua/wali)."
        )
        if reach.by_phone
        else _(
            "{told} dari {teens} remaja yang dipanggil ke jadwal ini akan dikabari lewat "
            "Telegram (sendiri atau lewat orang tua/wali)."
        )
    )
    lines = [
        said.format(
            told=format_number(reach.told, language), teens=format_number(reach.teens, language)
        )
    ]
    if reach.untold:
        lines.append(
            _(
                "⚠️ {count} remaja tidak punya Telegram maupun orang tua/wali yang terhubung, "
                "jadi tidak akan dikabari: hubungi mereka dengan cara lain."
            ).format(count=format_number(reach.untold, language))
        )
    return "\n".join(lines)
