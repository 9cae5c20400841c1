"""`rekam person`: one teen's record as the office reads it, labels in the office's language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.kinds import LinkMethod, LinkState, TargetReview, TargetSource
from bot.i18n import N_, Gettext, format_day, format_when
from bot.presentation.summons import guardian_label
from bot.services.person import Person

# The dashboard's words for the stored values `rekam person` prints as they are.
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
            source=person.source, review=person.review
        ),
        _("Terekam: {when}").format(when=when(person.recorded_at)),
        _("Daftar tunggu sejak: {when}").format(when=when(person.waiting_since)),
        "",
        _("Akun Telegram remaja:"),
    ]
    lines += [
        _("  • {id} ({language}){phone}{unreachable}").format(
            id=a.telegram_id,
            language=a.language,
            phone=_(", nomor HP ada") if a.phone else "",
            unreachable=_(", tidak terjangkau sejak {when}").format(when=when(a.unreachable_at))
            if a.unreachable_at
            else "",
        )
        for a in person.accounts
    ] or [_("  (tidak ada)")]
    lines.append(_("Orang tua/wali:"))
    lines += [
        _("  • {id} {name} — {state} ({method})").format(
            id=p.telegram_id,
            name=guardian_label(p.name or "", _),
            state=p.state,
            method=p.method,
        )
        for p in person.parents
    ] or [_("  (tidak ada)")]
    summons = person.summons
    lines.append(
        _("Panggilan: {state} — jadwal {session}, {place}, {when}").format(
            state=summons.state,
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
                reason=summons.reason or "", note=summons.note or ""
            )
        )
    lines.append(_("Pesan yang belum terkirim:"))
    lines += [
        _("  • {kind} — {when} — ke {chat}{parent}").format(
            kind=q.kind,
            when=when(q.due_at),
            chat=q.to,
            parent=_(" (orang tua)") if q.parent else "",
        )
        for q in person.queued
    ] or [_("  (kosong)")]
    lines.append(_("Riwayat:"))
    lines += [
        f"  • {when(e.at)} — {e.kind} ({e.actor}, {e.channel})"
        + (f" {_format_data(e.data)}" if e.data else "")
        for e in person.events
    ] or [_("  (kosong)")]
    return "\n".join(lines)


def _format_data(data: dict[str, object]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(data.items()))
