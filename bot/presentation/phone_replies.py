"""The answer to what a number wrote (bot/services/phone_answers.py), in words short enough for
one SMS where they can be, with WhatsApp's reply buttons where a choice is asked."""

from __future__ import annotations

from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.domain.kinds import Channel
from bot.i18n import N_, Gettext, format_day, format_hours
from bot.presentation.outbox.phone import BUTTONS, REPLY_HINT
from bot.services.phone_answers import Heard, What
from bot.services.summonses import SummonsView

Buttons = tuple[tuple[str, str], ...]
Rows = tuple[tuple[str, str, str], ...]  # a WhatsApp list's rows: id, title, description
ROW_TITLE, ROW_DESCRIPTION = 24, 72  # WhatsApp's limits on a list row


class Words(NamedTuple):
    """A reply: its text, WhatsApp's reply buttons and, for GANTI, its list of sessions (each
    row's id is "sesi:<id>"; the numbers in the text work as well)."""

    text: str
    buttons: Buttons = ()
    rows: Rows = ()


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


_TEXTS = {
    What.NO_SUMMONS: N_("Belum ada panggilan perekaman KTP-el untuk nomor ini."),
    What.DECLINED: N_(
        "Tercatat: {name} tidak bisa datang. Balas GANTI untuk memilih jadwal lain, atau "
        "hubungi kantor Dukcapil."
    ),
    What.FULL: N_("Maaf, jadwal itu sudah penuh. Balas GANTI untuk memilih jadwal lain."),
    What.STALE: N_(
        "Jawaban itu tidak bisa dipakai lagi untuk panggilan {name}. Balas GANTI untuk melihat "
        "jadwal yang masih bisa dipilih."
    ),
    What.STOPPED: N_(
        "SMS dari kantor Dukcapil ke nomor ini dihentikan. Jadwal tetap bisa dilihat di kantor."
    ),
    What.STOPPED_WHATSAPP: N_(
        "Pesan WhatsApp dari kantor Dukcapil ke nomor ini dihentikan. Jadwal tetap bisa dilihat "
        "di kantor."
    ),
    What.HOME_VISIT: N_(
        "Tercatat: {name} minta petugas datang ke rumah. Petugas akan menghubungi."
    ),
}


def _when(summons: SummonsView, language: str, zone: ZoneInfo) -> tuple[str, str]:
    day = format_day(summons.starts_at.astimezone(zone).date(), language)
    return day, format_hours(summons.starts_at, summons.ends_at, language, zone)


def words(heard: Heard, _: Gettext, language: str, zone: ZoneInfo, channel: Channel) -> Words:
    """The reply's text and its buttons (none where nothing is asked), for a message that came
    on `channel` (BERHENTI stops that channel)."""
    summons = heard.summons
    name = summons.name if summons is not None else ""
    asked: Buttons = tuple((i, _(title)) for i, title in BUTTONS)
    if heard.what in (What.CONFIRMED, What.MOVED) and summons is not None:
        day, hours = _when(summons, language, zone)
        text = (
            _("Terima kasih. Tercatat: {name} akan datang {day}, {hours}, di {place}.")
            if heard.what == What.CONFIRMED
            else _("Jadwal baru {name}: {day}, {hours}, di {place}. Balas YA jika datang.")
        )
        return Words(text.format(name=name, day=day, hours=hours, place=summons.place))
    if heard.what == What.CHOICES:
        if not heard.choices:
            return Words(_("Belum ada jadwal lain. Petugas akan menambah jadwal dan mengabari."))
        lines = [_("Pilih jadwal lain, balas dengan angkanya:")]
        rows: list[tuple[str, str, str]] = []
        for number, option in enumerate(heard.choices, start=1):
            day = format_day(option.starts_at.astimezone(zone).date(), language)
            hours = format_hours(option.starts_at, option.ends_at, language, zone)
            lines.append(f"{number}. {day}, {hours}, {option.place}")
            title = _clip(f"{number}. {day}", ROW_TITLE)
            rows.append(
                (f"sesi:{option.id}", title, _clip(f"{hours}, {option.place}", ROW_DESCRIPTION))
            )
        return Words("\n".join(lines), rows=tuple(rows))
    if heard.what == What.SEVERAL:
        names = ", ".join(f"{i}. {name}" for i, name in enumerate(heard.names, start=1))
        return Words(
            _(
                "Nomor ini tercatat untuk beberapa anak: {names}. Balas dengan nomor anaknya, "
                "misalnya YA 1, TIDAK 2 atau GANTI 1."
            ).format(names=names)
        )
    if heard.what == What.HELP:
        stop = (
            _("Balas BERHENTI untuk berhenti menerima pesan WhatsApp dari kantor Dukcapil.")
            if channel == Channel.WHATSAPP
            else _("Balas BERHENTI untuk berhenti menerima SMS.")
        )
        return Words(_(REPLY_HINT) + " " + stop, asked)
    return Words(_(_TEXTS[heard.what]).format(name=name))
