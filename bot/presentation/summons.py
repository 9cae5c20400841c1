"""How a summons looks: its text in the reader's language, its buttons, its calendar file, the
personal QR code."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import segno
from icalendar import Alarm, Calendar, Event
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.kinds import SummonsState
from bot.domain.summons_rules import FINAL
from bot.i18n import (
    N_,
    Gettext,
    format_clock,
    format_day,
    format_hours,
    format_when,
    service_names,
)
from bot.presentation import buttons
from bot.services.summonses import DECLINE_REASONS, SessionOption, SummonsView

STATE_LABELS = {
    SummonsState.SUMMONED: N_("menunggu jawaban Anda"),
    SummonsState.CONFIRMED: N_("✅ Anda akan datang"),
    SummonsState.DECLINED: N_("❌ Anda tidak bisa datang"),
    SummonsState.MOVED: N_("🔁 jadwal baru pilihan Anda"),
    SummonsState.HOME_VISIT: N_("🏠 menunggu kunjungan petugas ke rumah"),
    SummonsState.ATTENDED: N_("✔️ sudah hadir"),
    SummonsState.RECORDED: N_("✔️ sudah direkam"),
    SummonsState.NO_SHOW: N_("tidak hadir"),
    SummonsState.UNRECORDED: N_("datang, belum terekam: pilih jadwal baru"),
    SummonsState.UNREACHABLE: N_("belum bisa dihubungi"),
}
REASON_LABELS = {
    "school": N_("Ada sekolah / ujian"),
    "internship": N_("Sedang magang / PKL"),
    "sick": N_("Sakit"),
    "away": N_("Sedang di luar kota"),
    "other": N_("Alasan lain"),
}


PARENT_STATE_LABELS = {
    SummonsState.SUMMONED: N_("menunggu jawaban"),
    SummonsState.CONFIRMED: N_("✅ akan datang"),
    SummonsState.DECLINED: N_("❌ tidak bisa datang"),
    SummonsState.MOVED: N_("🔁 jadwal baru yang dipilih"),
    SummonsState.HOME_VISIT: N_("🏠 menunggu kunjungan petugas ke rumah"),
    SummonsState.ATTENDED: N_("✔️ sudah hadir"),
    SummonsState.RECORDED: N_("✔️ sudah direkam"),
    SummonsState.NO_SHOW: N_("tidak hadir"),
    SummonsState.UNRECORDED: N_("datang, belum terekam: perlu jadwal baru"),
    SummonsState.UNREACHABLE: N_("belum bisa dihubungi"),
}
ANSWER_MARKS = {
    SummonsState.CONFIRMED: N_("✅ akan datang"),
    SummonsState.DECLINED: N_("❌ tidak bisa datang"),
    SummonsState.HOME_VISIT: N_("🏠 minta kunjungan ke rumah"),
}


def answered_header(summons: SummonsView, _: Gettext, *, by_parent: bool, to_parent: bool) -> str:
    """Who answered the summons, for the others linked to it (the teen, other parents)."""
    answer = _(ANSWER_MARKS[summons.state])
    if by_parent and not to_parent:
        return str(_("Orang tua/wali Anda menjawab panggilan ini: {answer}.").format(answer=answer))
    if by_parent:
        return str(
            _("Orang tua/wali lain menjawab panggilan {name}: {answer}.").format(
                name=summons.name, answer=answer
            )
        )
    return str(_("{name} menjawab panggilan: {answer}.").format(name=summons.name, answer=answer))


def button_data(summons: SummonsView, action: str) -> str:
    """Opaque to the reader, checked against the database and the presser when pressed."""
    return buttons.SUMMONS.encode(buttons.SummonsPress(summons.id, summons.revision, action))


def summons_text(
    summons: SummonsView, _: Gettext, language: str, zone: ZoneInfo, *, parent: bool = False
) -> str:
    """The summons by name: service, day and date in words, hours with the zone, place, what
    to bring, and its state. A parent's copy is addressed to the parent, about their child."""
    services = service_names(summons.services, _)
    local_day = summons.starts_at.astimezone(zone).date()
    if parent:
        title = _("📣 Panggilan perekaman KTP-el untuk anak Anda, {name}").format(name=summons.name)
        called = _("{name} dipanggil untuk: {services}.")
    else:
        title = _("📣 Panggilan perekaman KTP-el")
        called = _("{name}, Anda dipanggil untuk: {services}.")
    lines = [title, "", called.format(name=summons.name, services=services)]
    when = [
        f"🗓 {format_day(local_day, language)}",
        f"🕗 {format_hours(summons.starts_at, summons.ends_at, language, zone)}",
    ]
    if summons.state == SummonsState.HOME_VISIT:
        # The session's day and place no longer apply: staff arrange the visit.
        lines.append(_("🏠 Petugas akan menghubungi untuk mengatur kunjungan ke rumah."))
    elif summons.home:
        # The place is the teen's own home: staff come to them, at this day and time.
        coming = (
            _("🏠 Petugas akan datang ke rumah {name} untuk perekaman:")
            if parent
            else _("🏠 Petugas akan datang ke rumah Anda untuk perekaman:")
        )
        lines += [coming.format(name=summons.name), *when]
        if summons.address:
            lines.append(f"📍 {summons.address}")
    else:
        lines += [*when, f"📍 {summons.place}, {summons.address}"]
    if summons.bring and summons.state != SummonsState.HOME_VISIT:
        bring = _("Siapkan: {bring}") if summons.home else _("Bawa: {bring}")
        lines.append("🎒 " + bring.format(bring=summons.bring))
    labels = PARENT_STATE_LABELS if parent else STATE_LABELS
    lines += ["", _("Status: {state}").format(state=_(labels[summons.state]))]
    return "\n".join(lines)


def short_name(name: str) -> str:
    """A name short enough for a button: whole when it fits, else its first word."""
    return name if len(name) <= 24 else name.split()[0][:24]


def summons_keyboard(
    summons: SummonsView, _: Gettext, *, parent: bool = False
) -> InlineKeyboardMarkup | None:
    """✅ ❌ 🔁 🏠 📅, less what no longer applies. A parent's buttons name the child: the
    parent answers for them, and is not the one coming. A home visit comes to the teen: they
    say whether they will be at home, and neither another session nor a visit is offered."""
    if summons.state in FINAL:
        return None
    name = short_name(summons.name)
    if summons.home and parent:
        come, cannot = _("✅ {name} akan ada di rumah"), _("❌ {name} tidak ada di rumah saat itu")
    elif summons.home:
        come, cannot = _("✅ Saya akan ada di rumah"), _("❌ Saya tidak ada di rumah saat itu")
    elif parent:
        come, cannot = _("✅ {name} akan datang"), _("❌ {name} tidak bisa datang")
    else:
        come, cannot = _("✅ Saya akan datang"), _("❌ Saya tidak bisa datang")
    visit = _("🏠 {name} perlu kunjungan ke rumah") if parent else _("🏠 Perlu kunjungan ke rumah")
    rows = []
    if summons.state not in (SummonsState.CONFIRMED, SummonsState.MOVED):
        rows.append([_button(come.format(name=name), summons, "ok")])
    if summons.state != SummonsState.DECLINED:
        rows.append([_button(cannot.format(name=name), summons, "no")])
    if not summons.home:
        rows.append([_button(_("🔁 Pilih jadwal lain"), summons, "mv")])
    if summons.state != SummonsState.HOME_VISIT and not summons.home:
        rows.append([_button(visit.format(name=name), summons, "hv")])
    rows.append([_button(_("📅 Simpan ke kalender (.ics)"), summons, "ics")])
    return InlineKeyboardMarkup(rows)


def _button(label: str, summons: SummonsView, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=button_data(summons, action))


def answer_thanks(
    summons: SummonsView, _: Gettext, *, parent: bool = False
) -> dict[SummonsState, str]:
    """The short answer to whoever pressed, by the summons' new state. A parent answers for
    the child: the words are about the child; a home visit is waited for at home."""
    if summons.home:
        come = _("Terima kasih! Petugas akan datang sesuai jadwal kunjungan.")
    elif parent:
        come = _("Terima kasih! Kami tunggu kedatangan {name}.")
    else:
        come = _("Terima kasih! Kami tunggu kedatangan Anda.")
    moved = _("Jadwal {name} sudah diganti.") if parent else _("Jadwal Anda sudah diganti.")
    said = {
        SummonsState.CONFIRMED: come,
        SummonsState.DECLINED: _("Tercatat: tidak bisa datang."),
        SummonsState.MOVED: moved,
        SummonsState.HOME_VISIT: _("Permintaan kunjungan ke rumah sudah diteruskan ke petugas."),
    }
    return {state: str(text).format(name=summons.name) for state, text in said.items()}


def declined_note(summons: SummonsView, _: Gettext, *, parent: bool = False) -> str:
    """After ❌: what now. A session's seat is freed for others; a home visit's time is not
    kept, and another is arranged with the office."""
    if summons.home:
        text = _(
            "Tercatat: waktu kunjungan itu tidak cocok. Untuk waktu kunjungan lain, hubungi "
            "kantor Dukcapil; atau ketik /ganti untuk memilih jadwal di tempat perekaman."
        )
    elif parent:
        text = _(
            "Tercatat: {name} tidak bisa datang. Bisa di hari lain? Ketik /ganti untuk "
            "memilih jadwal baru; tempatnya di jadwal ini dilepas untuk orang lain."
        )
    else:
        text = _(
            "Tercatat: tidak bisa datang. Bisa di hari lain? Ketik /ganti untuk memilih "
            "jadwal baru; tempat Anda di jadwal ini dilepas untuk orang lain."
        )
    return str(text.format(name=summons.name))


def decline_question(summons: SummonsView, _: Gettext, *, parent: bool = False) -> str:
    """Shown in place of the summons while the reason is chosen: nothing is changed yet."""
    if parent:
        question = _("Mengapa {name} tidak bisa datang? Pilih alasannya.")
    else:
        question = _("Mengapa Anda tidak bisa datang? Pilih alasannya.")
    return "\n".join(
        [
            question.format(name=summons.name),
            _("Jawaban Anda belum berubah sampai alasan dipilih; ↩️ Kembali membatalkan."),
        ]
    )


def reasons_keyboard(summons: SummonsView, _: Gettext) -> InlineKeyboardMarkup:
    """Why the teen cannot come, and the way back."""
    rows = [
        [_button(_(REASON_LABELS[reason]), summons, f"no.{reason}")] for reason in DECLINE_REASONS
    ]
    rows.append([_button(_("↩️ Kembali"), summons, "bk")])
    return InlineKeyboardMarkup(rows)


def back_keyboard(summons: SummonsView, _: Gettext) -> InlineKeyboardMarkup:
    """Only the way back to the summons, unchanged (while a reason is being typed)."""
    return InlineKeyboardMarkup([[_button(_("↩️ Kembali"), summons, "bk")]])


def options_keyboard(
    summons: SummonsView, options: list[SessionOption], _: Gettext, language: str, zone: ZoneInfo
) -> InlineKeyboardMarkup:
    """One button per session with free seats: 'Sabtu, 16 November 2024 08.00 · MPP · sisa 12'."""
    rows = []
    for option in options:
        label = _("{day} {clock} · {place} · sisa {free} tempat").format(
            day=format_day(option.starts_at.astimezone(zone).date(), language),
            clock=format_clock(option.starts_at, language, zone),
            place=option.place,
            free=option.free,
        )
        rows.append(
            [InlineKeyboardButton(label, callback_data=button_data(summons, f"to.{option.id}"))]
        )
    return InlineKeyboardMarkup(rows)


def offer_text(
    place: str,
    starts_at: datetime,
    expires_at: datetime,
    _: Gettext,
    language: str,
    zone: ZoneInfo,
    *,
    child: str | None = None,
) -> str:
    """A freed place offered to a waiting teen (or to their parent: `child` is the teen's
    name), and until when."""
    if child is None:
        text = _(
            "🎟️ Ada tempat kosong untuk perekaman KTP-el Anda: {day} {clock}, {place}. Tekan "
            "tombol di bawah sebelum {until} untuk mengambilnya; setelah itu tempat ini "
            "ditawarkan kepada orang berikutnya."
        )
    else:
        text = _(
            "🎟️ Ada tempat kosong untuk perekaman KTP-el {name}: {day} {clock}, {place}. Tekan "
            "tombol di bawah sebelum {until} untuk mengambilnya bagi anak Anda; setelah itu "
            "tempat ini ditawarkan kepada orang berikutnya."
        )
    return str(
        text.format(
            name=child,
            day=format_day(starts_at.astimezone(zone).date(), language),
            clock=format_clock(starts_at, language, zone),
            place=place,
            until=format_when(expires_at, language, zone),
        )
    )


def guardian_label(telegram_name: str, _: Gettext, *, start: bool = False) -> str:
    """A guardian as the teen and staff see them: the name is the one they gave their own
    Telegram account, which anyone can set to anything ("Petugas Dukcapil", a parent's name),
    so it is quoted and said to be theirs, never shown as who they are."""
    name = " ".join(telegram_name.split())[:64]
    if name:
        label = str(_("akun Telegram bernama «{name}»").format(name=name))
    else:
        label = str(_("akun Telegram tanpa nama"))
    return label[:1].upper() + label[1:] if start else label


def not_my_guardian_keyboard(link_id: int, _: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🚫 Ini bukan orang tua/wali saya"),
                    callback_data=buttons.GUARDIANS.encode(buttons.Disown(link_id)),
                )
            ]
        ]
    )


def offer_keyboard(entry_id: int, session_id: int, _: Gettext) -> InlineKeyboardMarkup:
    data = buttons.WAITING.encode(buttons.TakeOffer(entry_id, session_id))
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_("✅ Ambil tempat ini"), callback_data=data)]]
    )


def calendar_file(summons: SummonsView, _: Gettext, zone: ZoneInfo, now: datetime) -> bytes:
    """An .ics event at the place, with alarms at 19.00 the evening before and an hour before."""
    title = _("Perekaman KTP-el: {place}").format(place=summons.place)
    event = Event()
    event.add("uid", f"rekam-summons-{summons.id}@rekam")
    event.add("dtstamp", now)
    event.add("dtstart", summons.starts_at)
    event.add("dtend", summons.ends_at)
    event.add("summary", title)
    event.add("location", f"{summons.place}, {summons.address}")
    if summons.latitude is not None and summons.longitude is not None:
        event.add("geo", (summons.latitude, summons.longitude))
    if summons.bring:
        event.add("description", _("Bawa: {bring}").format(bring=summons.bring))
    local_day = summons.starts_at.astimezone(zone).date()
    evening_before = datetime.combine(local_day - timedelta(days=1), time(19, 0), tzinfo=zone)
    for before in (evening_before - summons.starts_at, timedelta(hours=-1)):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", before)
        event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", "-//Rekam//Dukcapil//ID")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


def qr_png(link: str) -> bytes:
    """A QR code of `link`, large enough to scan from a phone screen."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
