"""What the recording desk shows, in the chat and at the laptop: a person found, the matches
to choose from, and the answer to each outcome."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.desk import QueryProblem, Reason
from bot.domain.kinds import SummonsState
from bot.i18n import N_, Gettext, format_day, format_when
from bot.services.desk import Done, Result
from bot.services.desk_search import Found

STATES = {
    SummonsState.SUMMONED: N_("dipanggil"),
    SummonsState.CONFIRMED: N_("sudah konfirmasi"),
    SummonsState.DECLINED: N_("tidak bisa datang"),
    SummonsState.MOVED: N_("pindah jadwal"),
    SummonsState.HOME_VISIT: N_("minta kunjungan rumah"),
    SummonsState.ATTENDED: N_("hadir"),
    SummonsState.RECORDED: N_("terekam di tempat lain"),
    SummonsState.NO_SHOW: N_("tidak datang"),
    SummonsState.UNRECORDED: N_("datang, belum terekam"),
    SummonsState.UNREACHABLE: N_("tidak bisa dihubungi"),
}
REASONS = {
    Reason.DOCUMENTS: N_("dokumen kurang"),
    Reason.DEVICE: N_("alat bermasalah"),
    Reason.OTHER: N_("lainnya"),
}
PROBLEMS = {
    QueryProblem.UNREADABLE: N_(
        "Ketik kode kehadiran, NIK, atau nama (boleh dengan tanggal lahir), misalnya: "
        "Rina Lestari 12-03-2009"
    ),
    QueryProblem.BAD_NIK: N_("NIK salah (harus 16 angka dengan tanggal lahir yang benar)"),
    QueryProblem.BAD_DATE: N_("Tanggal lahir tidak terbaca; tulis seperti ini: Rina, 12-03-2009"),
}


def asking(_: Gettext) -> str:
    return _(
        "🧾 Meja perekaman. Ketik kode kehadiran (atau pindai QR), NIK, atau nama (boleh dengan "
        "tanggal lahir), misalnya: Rina Lestari 12-03-2009. Ketik /staf untuk selesai."
    )


def person(found: Found, _: Gettext, language: str, zone: ZoneInfo) -> str:
    """Who this is (NIK masked), their school and their summons, as one block."""
    lines = [
        _("{name} · NIK {nik} · lahir {born}").format(
            name=found.name, nik=found.nik, born=format_day(found.birth_date, language)
        ),
        _("Sekolah: {school} · Kelurahan: {kelurahan}").format(
            school=found.school or "—", kelurahan=found.kelurahan or "—"
        ),
    ]
    if found.summons_state is None:
        lines.append(_("Panggilan: belum dipanggil"))
    else:
        lines.append(
            _("Panggilan: {state} · {place} · {when}").format(
                state=_(STATES[found.summons_state]),
                place=found.place or "—",
                when=format_when(found.starts_at, language, zone) if found.starts_at else "—",
            )
        )
    if found.recorded_at is not None:
        lines.append(
            _("✔️ Sudah terekam: {when}").format(when=format_when(found.recorded_at, language, zone))
        )
    return "\n".join(lines)


def none_found(_: Gettext) -> str:
    return _("❓ Tidak ditemukan. Periksa lagi, atau coba NIK-nya.")


def several(count: int, _: Gettext) -> str:
    return _("Ada {count} yang cocok; pilih satu:").format(count=count)


def choice_label(found: Found, _: Gettext, language: str) -> str:
    """One candidate on one line: enough to tell two people of one name apart."""
    return _("{name} · lahir {born} · {school} · {kelurahan}").format(
        name=found.name,
        born=format_day(found.birth_date, language),
        school=found.school or "—",
        kelurahan=found.kelurahan or "—",
    )


def undo_question(name: str, _: Gettext) -> str:
    return _("Batalkan tanda terekam {name}? Ia akan tercatat belum terekam lagi.").format(
        name=name
    )


def _who(result: Result, _: Gettext) -> str:
    """Who was told: 'remaja dan 2 orang tua/wali', 'remaja', '1 orang tua/wali'."""
    if result.teen and result.guardians:
        return _("remaja dan {count} orang tua/wali").format(count=result.guardians)
    if result.teen:
        return _("remaja")
    return _("{count} orang tua/wali").format(count=result.guardians)


def _told_recorded(result: Result, _: Gettext) -> str:
    if not result.told:
        return _(
            "Tidak ada yang diberi tahu: remaja dan orang tuanya tidak bisa dihubungi di Telegram."
        )
    return _("Terima kasih dikirim ke {who}.").format(who=_who(result, _))


def _told_unrecorded(result: Result, _: Gettext) -> str:
    if not result.summoned:
        return _("Ia belum pernah dipanggil: tidak ada jadwal yang ditawarkan.")
    if not result.told:
        if result.waiting:
            return _(
                "Tidak ada yang diberi tahu (tidak bisa dihubungi di Telegram). Belum ada jadwal "
                "di depan: ia masuk daftar tunggu."
            )
        return _(
            "Tidak ada yang diberi tahu (tidak bisa dihubungi di Telegram): sampaikan sendiri "
            "jadwal berikutnya kepadanya."
        )
    if result.waiting:
        return _(
            "{who} diberi tahu; belum ada jadwal di depan, jadi ia masuk daftar tunggu."
        ).format(who=_who(result, _).capitalize())
    return _("{who} diberi tahu dan ditawari {count} jadwal berikutnya.").format(
        who=_who(result, _).capitalize(), count=result.offered
    )


def done(outcome: str, result: Result, name: str, _: Gettext) -> str:
    """The answer to an outcome: `outcome` is 'recorded', 'unrecorded' or 'undo'; it names
    only the people the service says it told."""
    if result.done == Done.GONE:
        return _("Data orang ini sudah tidak ada.")
    if result.done == Done.ALREADY:
        return _("ℹ️ {name} sudah terekam sebelumnya; tidak ada yang diubah.").format(name=name)
    if result.done == Done.NOT_RECORDED:
        return _("ℹ️ {name} belum terekam; tidak ada yang dibatalkan.").format(name=name)
    if outcome == "recorded":
        return _("✅ {name} terekam.").format(name=name) + " " + _told_recorded(result, _)
    if outcome == "unrecorded":
        return (
            _("📝 {name}: datang, belum terekam.").format(name=name)
            + " "
            + _told_unrecorded(result, _)
        )
    return _("↩️ Tanda terekam {name} dibatalkan.").format(name=name)
