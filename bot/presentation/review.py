"""How a /daftar registration waiting for review reads to staff: what was typed, and what the
office's record says about it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import N_, Gettext, format_day, format_when
from bot.services.review import Decision, Pending

DECISIONS = {
    Decision.APPROVED: N_("✅ Disetujui. Akun remaja terhubung, dan ia dikabari."),
    Decision.REJECTED: N_(
        "❌ Ditolak. Pendaftar dikabari cara masuk dengan surat undangan atau di meja."
    ),
    Decision.GONE: N_("Pendaftaran ini sudah diputuskan atau pendaftarnya sudah tidak ada."),
    Decision.TAKEN: N_(
        "Tidak bisa disetujui: data ini sudah terhubung dengan akun Telegram lain. Tolak, "
        "atau minta pemilik akun itu datang ke kantor."
    ),
    Decision.LISTED: N_(
        "Tidak bisa disetujui: data ini ada di daftar kantor, dan hanya surat undangannya (atau "
        "meja, setelah Kartu Keluarga diperiksa) yang bisa menghubungkannya. Tutup pendaftaran ini."
    ),
}


LINK_DECIDED = {
    True: N_("✅ Disetujui. Orang tua dikabari."),
    False: N_(
        "Ditolak. Orang tua tidak dikabari (kabar apa pun akan memberi tahu bahwa NIK itu ada di "
        "daftar); ia sudah diminta datang ke kantor dengan Kartu Keluarga bila tak ada kabar."
    ),
}


def decision_text(decision: Decision, _: Gettext) -> str:
    """What staff read after deciding, whichever front end they decided in."""
    return str(_(DECISIONS[decision]))


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
            _("Di daftar sasaran: {listed} — ditulis: {typed} (nama {name_check}).").format(
                listed=item.listed_name,
                typed=item.typed_name,
                name_check=_("cocok") if item.name_matches else _("BEDA"),
            )
        )
        lines.append(
            _(
                "Data di daftar kantor hanya bisa dihubungkan lewat surat undangannya, atau di "
                "meja setelah Kartu Keluarga diperiksa (cetak ulang suratnya). Nama yang cocok "
                "bukan bukti: persetujuan tidak tersedia. Tutup pendaftaran ini; pendaftar diberi "
                "tahu cara masuk dengan surat atau di meja."
            )
        )
    else:
        lines.append(_("Tidak ada di daftar sasaran (pendaftaran mandiri)."))
    if item.reopened:
        lines.append(
            _(
                "Dulu disetujui saat NIK ini belum ada di daftar; kini ada, jadi akun itu sudah "
                "dilepas dan pendaftaran ini kembali ke sini."
            )
        )
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
