"""The unreached list (bot/services/unreached.py) as staff read it: by school and kelurahan,
why nobody reached each teen, and the numbers for a call round."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_, Gettext
from bot.services.unreached import Unreached, Why

WHY = {
    Why.NO_CHANNEL: N_("tidak ada saluran: tanpa Telegram, tanpa orang tua/wali, tanpa nomor HP"),
    Why.UNDELIVERED: N_("pesan tidak sampai lewat saluran mana pun"),
}
COLUMNS = (
    N_("Sekolah"),
    N_("Kelurahan"),
    N_("Kecamatan"),
    N_("Nama"),
    N_("NIK"),
    N_("Alamat"),
    N_("Telepon"),
    N_("Alasan"),
)


def lines(people: Sequence[Unreached], _: Gettext) -> list[str]:
    """The list on a terminal: a heading per school and kelurahan, a line per teen."""
    if not people:
        return [_("Semua remaja yang dipanggil bisa dihubungi lewat salah satu saluran.")]
    found = [_("Belum terjangkau: {count} remaja.").format(count=len(people))]
    heading = None
    for person in people:
        here = (person.school or _("(tanpa sekolah)"), person.kelurahan or _("(tanpa wilayah)"))
        if here != heading:
            heading = here
            found.append("")
            found.append(f"{here[0]} — {here[1]}")
        numbers = ", ".join(person.numbers) or _("tanpa nomor")
        found.append(f"  • {person.name} ({person.nik}) — {_(WHY[person.why])} — {numbers}")
    return found


def rows(people: Sequence[Unreached], _: Gettext) -> tuple[list[str], list[list[str]]]:
    """The call round's file: a header and a row per teen."""
    header = [_(column) for column in COLUMNS]
    return header, [
        [
            p.school or "",
            p.kelurahan or "",
            p.kecamatan or "",
            p.name,
            p.nik,
            p.address or "",
            ", ".join(p.numbers),
            _(WHY[p.why]),
        ]
        for p in people
    ]
