"""What staff read in the chat: today's sessions, an attendance mark, the figures table."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.kinds import Channel, SessionState
from bot.i18n import N_, Gettext, format_day, format_hours, format_number, format_share, format_when
from bot.presentation.buttons import ATTENDANCE, FIGURES, FiguresBy, OtherDay
from bot.presentation.history import CHANNELS
from bot.services.figures import By, Figures
from bot.services.staff import Attendance, Marked, Roster, SessionCounts


def today(
    day: date, sessions: list[SessionCounts], _: Gettext, language: str, zone: ZoneInfo
) -> str:
    """Today's sessions with how many were summoned, confirmed and came."""
    lines = [_("Jadwal hari ini, {day}:").format(day=format_day(day, language))]
    for s in sessions:
        state = _(" (dibatalkan)") if s.state == SessionState.CANCELLED else ""
        lines.append(
            _(
                "• {hours} · {place}{state}\n  dipanggil {summoned} · konfirmasi {confirmed} · hadir {attended} · tempat {capacity}"
            ).format(
                hours=format_hours(s.starts_at, s.ends_at, language, zone),
                place=s.place,
                state=state,
                summoned=s.summoned,
                confirmed=s.confirmed,
                attended=s.attended,
                capacity=s.capacity,
            )
        )
    if not sessions:
        lines.append(_("Tidak ada jadwal perekaman hari ini."))
    return "\n".join(lines)


def marked(result: Marked, code: str, _: Gettext, language: str, zone: ZoneInfo) -> str:
    """The answer to a scanned or typed attendance code."""
    if result.outcome == Attendance.ATTENDED:
        return str(
            _(
                "✅ Tercatat hadir: {name} ({nik}). Belum terekam: setelah perekaman, catat di "
                "/meja."
            ).format(name=result.name, nik=result.masked_nik)
        )
    if result.outcome == Attendance.CAME:
        return str(
            _("ℹ️ {name} ({nik}) sudah tercatat hadir, belum terekam.").format(
                name=result.name, nik=result.masked_nik
            )
        )
    if result.outcome == Attendance.ALREADY:
        assert result.recorded_at is not None
        return str(
            _("ℹ️ {name} ({nik}) sudah terekam pada {when}.").format(
                name=result.name,
                nik=result.masked_nik,
                when=format_when(result.recorded_at, language, zone),
            )
        )
    if result.outcome == Attendance.OTHER_DAY:
        assert result.due_at is not None
        return str(
            _(
                "⚠️ {name} ({nik}) dipanggil untuk {when}, bukan hari ini. Belum dicatat: "
                "catat hadir sekarang?"
            ).format(
                name=result.name,
                nik=result.masked_nik,
                when=format_when(result.due_at, language, zone),
            )
        )
    return str(_("❓ Kode {code} tidak dikenal. Periksa lagi kodenya.").format(code=code[:16]))


def other_day_keyboard(code: str, _: Gettext) -> InlineKeyboardMarkup:
    cleaned = "".join(code.split()).upper()[:16]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Ya, catat hadir"),
                    callback_data=ATTENDANCE.encode(OtherDay("ok", cleaned)),
                )
            ],
            [
                InlineKeyboardButton(
                    _("Tidak"), callback_data=ATTENDANCE.encode(OtherDay("no", cleaned))
                )
            ],
        ]
    )


def figures_header(whole: Figures, _: Gettext, language: str) -> str:
    return str(
        _("Sasaran {target}, terekam {recorded}, sisa {remaining} ({percent}).").format(
            target=format_number(whole.target, language),
            recorded=format_number(whole.recorded, language),
            remaining=format_number(whole.remaining, language),
            percent=format_share(whole.percent, language),
        )
    )


_AREA_HEADINGS = {
    By.KELURAHAN: N_("Kelurahan"),
    By.KECAMATAN: N_("Kecamatan"),
    By.SCHOOL: N_("Sekolah"),
}
_CHART_TITLES = {
    By.KELURAHAN: N_("Terekam per kelurahan (%)"),
    By.KECAMATAN: N_("Terekam per kecamatan (%)"),
    By.SCHOOL: N_("Terekam per sekolah (%)"),
}


def chart_title(by: By, _: Gettext) -> str:
    return str(_(_CHART_TITLES[by]))


def figures_keyboard(shown: By, _: Gettext) -> InlineKeyboardMarkup:
    """The other ways to cut the same figures."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(_AREA_HEADINGS[by]), callback_data=FIGURES.encode(FiguresBy(by))
                )
                for by in By
                if by != shown
            ]
        ]
    )


def figure_states(whole: Figures, _: Gettext, language: str, phones: Sequence[str] = ()) -> str:
    """Every state of the summonses, for the whole office, and how far the office reaches:
    families on each of its channels (Telegram, then `phones`), teens answered, waiting, and
    unreached among them (HTML-safe)."""
    n = {
        name: format_number(getattr(whole, name), language)
        for name in (
            "summoned",
            "confirmed",
            "declined",
            "moved",
            "home_visit",
            "attended",
            "no_show",
            "answered",
            "waiting",
            "unreached",
        )
    }
    states = _(
        "Dipanggil {summoned} · konfirmasi {confirmed} · tidak bisa datang {declined} · pindah "
        "jadwal {moved} · minta kunjungan rumah {home_visit} · hadir {attended} · tidak datang "
        "{no_show}"
    ).format(**n)
    counted = {
        Channel.TELEGRAM: whole.telegram,
        Channel.WHATSAPP: whole.whatsapp,
        Channel.SMS: whole.sms,
    }
    channels = " · ".join(
        f"{_(CHANNELS[channel])} {format_number(counted[channel], language)}"
        for channel in (Channel.TELEGRAM, *(Channel(name) for name in phones))
        if channel in counted
    )
    reach = _(
        "Terjangkau lewat {channels}. Sudah menjawab {answered} · menunggu jawaban {waiting}, di "
        "antaranya belum terjangkau {unreached}"
    ).format(channels=channels, **n)
    return html.escape(f"{states}\n{reach}")


def figures_table(
    header: str, lines: list[Figures], _: Gettext, language: str, by: By = By.KELURAHAN
) -> str:
    """The figures per area as a fixed-width table (HTML, for Telegram's <pre>), numbers as
    the reader's locale writes them."""
    width = max([len(line.area) for line in lines] + [9])
    columns = (_(_AREA_HEADINGS[by]), _("Sasaran"), _("Terekam"), _("Sisa"))
    rows = [f"{columns[0]:<{width}} {columns[1]:>7} {columns[2]:>7} {columns[3]:>6} {'%':>6}"]
    for line in lines[:40]:
        numbers = [format_number(n, language) for n in (line.target, line.recorded, line.remaining)]
        rows.append(
            f"{(line.area or '—'):<{width}} {numbers[0]:>7} {numbers[1]:>7} {numbers[2]:>6} "
            f"{format_share(line.percent, language):>6}"
        )
    return f"{html.escape(header)}\n<pre>{html.escape(chr(10).join(rows))}</pre>"


ROSTER = {
    Roster.REMOVED: N_("✅ {id} bukan petugas lagi."),
    Roster.NOT_STAFF: N_("{id} bukan petugas."),
    Roster.LAST_ADMIN: N_(
        "{id} adalah satu-satunya admin kantor ini. Jadikan orang lain admin dulu."
    ),
}


def roster(change: Roster, telegram_id: int, *, admin: bool, removing: bool, _: Gettext) -> str:
    """What a change to the staff did, in Telegram, on the dashboard and on the command line."""
    if change == Roster.YOURSELF:
        if removing:
            return _("Anda tidak bisa menghapus diri sendiri.")
        return _("Anda tidak bisa mengubah peran Anda sendiri.")
    if change in (Roster.ADDED, Roster.UPDATED):
        said = _("✅ {id} sekarang admin.") if admin else _("✅ {id} sekarang petugas.")
    else:
        said = _(ROSTER[change])
    return said.format(id=telegram_id)
