"""Home visits as staff read them: the alert when a request comes in, and the queue."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.kinds import HomeVisitState
from bot.i18n import Gettext, format_day, format_hours, format_number
from bot.presentation import schedule as schedule_views
from bot.services.home_visits import WRONG_HOURS, Card, Request, Scheduled
from bot.services.outbox import Reach
from bot.services.schedule import Change


def _area(request: Request, _: Gettext) -> str:
    return ", ".join(a for a in (request.kelurahan, request.kecamatan) if a) or _("(tanpa wilayah)")


def alert(card: Card, _: Gettext) -> str:
    """To staff on duty, at once: who asked, where they live, why, and how to reach them."""
    request = card.request
    lines = [
        _("🏠 Permintaan kunjungan ke rumah: {name}").format(name=request.name),
        _("Wilayah: {area}").format(area=_area(request, _)),
        _("Alamat: {address}").format(address=request.address or "—"),
        _("Alasan: {reason}").format(reason=request.reason or "—"),
    ]
    if card.phone:
        lines.append(_("Telepon: {phone}").format(phone=card.phone))
    if card.guardian_phone:
        lines.append(_("Telepon orang tua/wali: {phone}").format(phone=card.guardian_phone))
    if card.parents:
        lines.append(_("Orang tua/wali: {names}").format(names=", ".join(card.parents)))
    lines.append(_("Lihat daftar permintaan: /kunjungan"))
    return "\n".join(lines)


def entry(request: Request, _: Gettext, language: str, zone: ZoneInfo) -> str:
    """One request in the queue, waiting or scheduled."""
    text = _("{name} · {area}\nAlasan: {reason}").format(
        name=request.name, area=_area(request, _), reason=request.reason or "—"
    )
    if request.state == HomeVisitState.SCHEDULED and request.starts_at and request.ends_at:
        day = format_day(request.starts_at.astimezone(zone).date(), language)
        hours = format_hours(request.starts_at, request.ends_at, language, zone)
        text += "\n" + _("Dijadwalkan: {day} {hours}").format(day=day, hours=hours)
    return text


def scheduled(
    outcome: Scheduled,
    reach: Reach,
    _: Gettext,
    language: str,
    deadline: datetime,
    zone: ZoneInfo,
) -> str:
    """The answer to scheduling visits, in Telegram, on the dashboard and the command line:
    with who was told, as the service counted it; wrong hours in the words /sesi uses."""
    if outcome == Scheduled.DONE:
        return (
            _("✅ Kunjungan dijadwalkan untuk {count} remaja.").format(
                count=format_number(reach.teens, language)
            )
            + "\n"
            + schedule_views.reached(reach, _, language)
        )
    if outcome in WRONG_HOURS:
        return schedule_views.refusal(Change(outcome.value), _, language, deadline, zone)
    return {
        Scheduled.GONE: _(
            "Ada permintaan yang tidak menunggu lagi (sudah dijadwalkan atau selesai)."
        ),
        Scheduled.TWO_AREAS: _("Satu putaran kunjungan hanya untuk satu kecamatan."),
    }[outcome]


def finished(reach: Reach | None, recorded: bool, _: Gettext, language: str) -> str:
    """The answer to recording what happened at the door (`reach`: who the service sent the
    thank-you to; None, nothing was recorded)."""
    if reach is None:
        return _("Kunjungan ini belum dijadwalkan atau sudah dicatat.")
    if not recorded:
        return _("Tercatat; permintaan kembali ke daftar.")
    if not reach.teens:
        return _("✅ Tercatat. Remaja ini sudah terekam sebelumnya, jadi tidak ada pesan baru.")
    if not reach.told:
        return _(
            "✅ Tercatat sudah direkam. Ucapan terima kasih tidak terkirim: remaja ini tidak "
            "punya Telegram maupun orang tua/wali yang terhubung."
        )
    said = (
        _(
            "✅ Tercatat sudah direkam. Ucapan terima kasih dikirim ({own} di Telegram "
            "sendiri, {phone} lewat WhatsApp atau SMS ke nomornya, {guardians} orang tua/wali)."
        )
        if reach.by_phone
        else _(
            "✅ Tercatat sudah direkam. Ucapan terima kasih dikirim lewat Telegram "
            "({own} di Telegram sendiri, {guardians} orang tua/wali)."
        )
    )
    return said.format(
        own=format_number(reach.own_chat, language),
        phone=format_number(reach.by_phone, language),
        guardians=format_number(reach.guardians, language),
    )
