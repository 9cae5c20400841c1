"""`rekam person`: one teen's record as the office reads it, labels in the office's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.kinds import (
    ContactOf,
    ContactSource,
    LinkMethod,
    LinkState,
    TargetReview,
    TargetSource,
)
from bot.i18n import LANGUAGE_NAMES, N_, Gettext, format_day, format_when
from bot.presentation import history
from bot.presentation.summons import REASON_LABELS, guardian_label
from bot.services.contacts import Contact
from bot.services.person import Person

# The words for the stored values, on the dashboard and in `rekam person` alike.
SOURCES = {
    TargetSource.IMPORTED: N_("daftar sasaran"),
    TargetSource.SELF_REGISTERED: N_("mendaftar sendiri"),
}
REVIEWS = {
    TargetReview.ACCEPTED: N_("diterima"),
    TargetReview.PENDING: N_("menunggu tinjauan"),
    TargetReview.REJECTED: N_("ditolak"),
}
LINK_STATES = {
    LinkState.PENDING: N_("menunggu"),
    LinkState.ACTIVE: N_("aktif"),
    LinkState.REMOVED: N_("dilepas"),
}
LINK_METHODS = {
    LinkMethod.CODE: N_("dengan kode"),
    LinkMethod.LETTER: N_("dengan kode surat undangan"),
    LinkMethod.NIK: N_("dengan NIK dan tanggal lahir"),
}

NUMBER_OWNERS = {ContactOf.TEEN: N_("remaja"), ContactOf.GUARDIAN: N_("orang tua/wali")}
NUMBER_SOURCES = {
    ContactSource.LIST: N_("dari daftar sasaran"),
    ContactSource.STAFF: N_("diisi petugas"),
    ContactSource.TELEGRAM: N_("dibagikan lewat Telegram"),
}


def number_line(contact: Contact, _: Gettext) -> str:
    """One number on a record as staff read it: whose, masked, where from, WhatsApp's yes,
    and a stop to SMS."""
    notes = [_(NUMBER_SOURCES[contact.source])]
    notes.append(
        _("izin WhatsApp ada") if contact.whatsapp_consent else _("belum ada izin WhatsApp")
    )
    if contact.sms_stopped:
        notes.append(_("minta berhenti SMS"))
    return _("{whose}: {number} ({notes})").format(
        whose=_(NUMBER_OWNERS[contact.whose]), number=contact.shown, notes=", ".join(notes)
    )


def person_text(person: Person, _: Gettext, language: str, zone: ZoneInfo) -> str:
    """Every section, one line per fact; '—' where nothing is known."""

    def when(moment: datetime | None) -> str:
        return format_when(moment, language, zone) if isinstance(moment, datetime) else "—"

    area = ", ".join(p for p in (person.kelurahan, person.kecamatan) if p) or "—"
    lines = [
        _("{name} (NIK {nik})").format(name=person.name, nik=person.nik),
        _("Lahir: {day}").format(day=format_day(person.birth_date, language)),
        _("Wilayah: {area}").format(area=area),
        _("Sekolah: {school}").format(school=person.school or "—"),
        _("Kategori: {category}").format(category=person.category or "—"),
        _("Asal data: {source}, tinjauan: {review}").format(
            source=_(_label(SOURCES, person.source)), review=_(_label(REVIEWS, person.review))
        ),
        _("Terekam: {when}").format(when=when(person.recorded_at)),
        _("Daftar tunggu sejak: {when}").format(when=when(person.waiting_since)),
        "",
        _("Akun Telegram remaja:"),
    ]
    lines += [
        _("  • {id} ({language}){unreachable}").format(
            id=a.telegram_id,
            language=LANGUAGE_NAMES.get(a.language, a.language),
            unreachable=_(", tidak terjangkau sejak {when}").format(when=when(a.unreachable_at))
            if a.unreachable_at
            else "",
        )
        for a in person.accounts
    ] or [_("  (tidak ada)")]
    lines.append(_("Nomor telepon:"))
    lines += ["  • " + number_line(c, _) for c in person.numbers] or [_("  (tidak ada)")]
    lines.append(_("Orang tua/wali:"))
    lines += [
        _("  • {id} {name} — {state} ({method})").format(
            id=p.telegram_id,
            name=guardian_label(p.name or "", _),
            state=_(_label(LINK_STATES, p.state)),
            method=_(_label(LINK_METHODS, p.method)),
        )
        for p in person.parents
    ] or [_("  (tidak ada)")]
    summons = person.summons
    lines.append(
        _("Panggilan: {state} — jadwal {session}, {place}, {when}").format(
            state=history.state_label(summons.state, _),
            session=summons.session,
            place=summons.place,
            when=when(summons.starts_at),
        )
        if summons
        else _("Panggilan: (belum dipanggil)")
    )
    if summons and (summons.reason or summons.note):
        lines.append(
            _("  alasan: {reason} {note}").format(
                reason=_(REASON_LABELS[summons.reason]) if summons.reason in REASON_LABELS else "",
                note=summons.note or "",
            )
        )
    lines.append(_("Pesan yang belum terkirim:"))
    lines += [
        _("  • {kind} — {when} — ke {chat}{parent}").format(
            kind=history.message_label(q.kind, _),
            when=when(q.due_at),
            chat=q.to,
            parent=_(" (orang tua)") if q.parent else "",
        )
        for q in person.queued
    ] or [_("  (kosong)")]
    lines.append(_("Riwayat:"))
    lines += [
        f"  • {when(e.at)} — {history.event_label(e.kind, _)} ({history.by_label(e, _)})"
        + (f" {said}" if (said := history.details(e, _)) else "")
        for e in person.events
    ] or [_("  (kosong)")]
    return "\n".join(lines)


def _label(labels: Mapping[Any, str], value: str) -> str:
    """The catalog's words for a stored value; a value nobody has named yet reads as 'lainnya'."""
    return next((label for key, label in labels.items() if key == value), N_("lainnya"))
