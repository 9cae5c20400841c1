"""How a /daftar registration waiting for review reads to staff: what was typed, and what the
office's record says about it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import Gettext, format_day, format_when
from bot.services.review import Pending


def pending_text(item: Pending, _: Gettext, language: str, zone: ZoneInfo) -> str:
    """One registration, as staff decide on it."""
    lines = [
        _("Pendaftaran #{id} ({when})").format(
            id=item.id, when=format_when(item.created_at, language, zone)
        ),
        _("Ditulis: {name}, lahir {born}, NIK {nik}").format(
            name=item.typed_name,
            born=format_day(item.typed_birth_date, language),
            nik=item.masked_nik or "—",
        ),
    ]
    if item.listed:
        lines.append(
            _("Di daftar sasaran: {name} — nama {name_check}, tanggal lahir {date_check}.").format(
                name=item.listed_name,
                name_check=_("cocok") if item.name_matches else _("BEDA"),
                date_check=_("cocok") if item.birth_date_matches else _("BEDA"),
            )
        )
    else:
        lines.append(_("Tidak ada di daftar sasaran (pendaftaran mandiri)."))
    if item.recorded_at is not None:
        lines.append(
            _("Sudah direkam pada {day}.").format(
                day=format_day(item.recorded_at.astimezone(zone).date(), language)
            )
        )
    if item.linked_elsewhere:
        lines.append(_("⚠️ Data ini sudah terhubung dengan akun Telegram lain."))
    if item.erased:
        lines.append(_("Pendaftar sudah menghapus datanya."))
    return "\n".join(str(line) for line in lines)
