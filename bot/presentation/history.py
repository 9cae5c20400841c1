"""A teen's history and queued messages as the office reads them (the dashboard's person page
and `rekam person`): every stored code (an event's kind, who acted and how, a queued message's
kind, a state in the details) becomes words through the catalogs; a code nobody has named yet
gets a generic label, never itself."""

from __future__ import annotations

from bot.domain.kinds import Actor, Channel, LinkMethod
from bot.domain.outbox_kinds import Kind
from bot.i18n import N_, Gettext
from bot.presentation.desk import REASONS, STATES
from bot.presentation.summons import REASON_LABELS
from bot.services.person import Happened, Who

EVENTS = {
    "account_created": N_("mulai memakai bot"),
    "account_linked": N_("akun Telegram terhubung ke data ini"),
    "account_released": N_("akun Telegram dilepas dari data ini"),
    "attended": N_("tercatat hadir (belum terekam)"),
    "broadcast": N_("siaran dikirim"),
    "claim_approved": N_("pendaftaran disetujui"),
    "claim_conflict": N_("pendaftaran berbenturan dengan pemilik data"),
    "claim_made": N_("mendaftar lewat /daftar"),
    "claim_rejected": N_("pendaftaran ditolak"),
    "claim_reopened": N_("pendaftaran dibuka lagi"),
    "consent_given": N_("persetujuan diberikan"),
    "daily_limit": N_("batas harian saluran tercapai, pesan ditahan"),
    "data_erased": N_("data dihapus atas permintaannya"),
    "desk_recorded": N_("ditandai terekam di meja perekaman"),
    "desk_unrecorded": N_("datang, belum terekam"),
    "contact_removed": N_("nomor telepon dihapus"),
    "contact_set": N_("nomor telepon dicatat"),
    "guardian_disowned": N_("remaja memutuskan orang tua/wali"),
    "home_visit_failed": N_("kunjungan rumah tidak berhasil"),
    "home_visit_scheduled": N_("kunjungan rumah dijadwalkan"),
    "ladder_end": N_("tidak terjangkau lewat saluran mana pun"),
    "ladder_step": N_("pesan pindah ke saluran berikutnya"),
    "language_chosen": N_("bahasa dipilih"),
    "letters_printed": N_("surat undangan dicetak"),
    "lock_lifted": N_("kunci dibuka petugas"),
    "nik_revealed": N_("NIK lengkap ditampilkan"),
    "no_show": N_("tidak datang"),
    "parent_link_approved": N_("permintaan orang tua/wali disetujui"),
    "parent_link_declined": N_("permintaan orang tua/wali ditolak"),
    "parent_link_requested": N_("orang tua/wali minta dihubungkan"),
    "parent_linked": N_("orang tua/wali terhubung"),
    "parent_unlinked": N_("orang tua/wali diputuskan"),
    "person_listed": N_("dilihat petugas dalam daftar"),
    "person_viewed": N_("datanya dibuka petugas"),
    "personal_data_purged": N_("data pribadi dihapus (masa simpan habis)"),
    "phone_shared": N_("nomor HP dibagikan"),
    "reachable_again": N_("bisa dihubungi lagi"),
    "recorded": N_("terekam"),
    "recorded_imported": N_("terekam menurut data kantor"),
    "recorded_undone": N_("tanda terekam dibatalkan"),
    "role_chosen": N_("peran dipilih"),
    "self_registered": N_("mendaftar sendiri"),
    "session_cancelled": N_("jadwal dibatalkan"),
    "session_moved": N_("jadwal dipindah"),
    "sms_stopped": N_("minta berhenti SMS (BERHENTI)"),
    "whatsapp_stopped": N_("minta berhenti WhatsApp (BERHENTI)"),
    "summoned": N_("dipanggil"),
    "summons_confirm": N_("menjawab: akan datang"),
    "summons_decline": N_("menjawab: tidak bisa datang"),
    "summons_home_visit": N_("minta kunjungan rumah"),
    "summons_move": N_("memilih jadwal lain"),
    "targets_imported": N_("masuk lewat daftar sasaran"),
    "unreachable": N_("tidak bisa dihubungi"),
    "waiting_offer_taken": N_("mengambil tempat dari daftar tunggu"),
}
OTHER_EVENT = N_("kejadian lain")

ACTORS = {
    Actor.TEEN: N_("remaja"),
    Actor.PARENT: N_("orang tua/wali"),
    Actor.STAFF: N_("petugas"),
    Actor.SYSTEM: N_("sistem"),
}
CHANNELS = {
    Channel.TELEGRAM: N_("Telegram"),
    Channel.CLI: N_("perintah rekam"),
    Channel.SYSTEM: N_("otomatis"),
    Channel.WEB: N_("dasbor"),
    Channel.WHATSAPP: N_("WhatsApp"),
    Channel.SMS: N_("SMS"),
}

MESSAGES = {
    Kind.SUMMONS: N_("surat panggilan"),
    Kind.VENUE: N_("lokasi tempat"),
    Kind.REMINDER: N_("pengingat"),
    Kind.SESSION_MOVED: N_("jadwal dipindah"),
    Kind.ANSWERED: N_("jawaban diteruskan"),
    Kind.NO_SHOW: N_("tidak datang: jadwal baru ditawarkan"),
    Kind.SESSION_CANCELLED: N_("jadwal dibatalkan"),
    Kind.UNANSWERED: N_("belum dijawab: pengingat ke orang tua"),
    Kind.BROADCAST: N_("siaran"),
    Kind.UNREACHABLE: N_("tidak bisa dihubungi"),
    Kind.LINK_APPROVED: N_("orang tua/wali disetujui"),
    Kind.LINK_DECLINED: N_("orang tua/wali ditolak"),
    Kind.PLACE_OFFER: N_("tawaran tempat dari daftar tunggu"),
    Kind.CLAIM_APPROVED: N_("pendaftaran disetujui"),
    Kind.CLAIM_REJECTED: N_("pendaftaran ditolak"),
    Kind.CLAIM_REOPENED: N_("pendaftaran dibuka lagi"),
    Kind.ACCOUNT_RELEASED: N_("akun dilepas"),
    Kind.GUARDIAN_LINKED: N_("orang tua/wali terhubung"),
    Kind.STAFF_ALERT: N_("pemberitahuan untuk petugas"),
    Kind.RECORDED: N_("ucapan terima kasih"),
    Kind.DESK_UNRECORDED: N_("belum terekam: jadwal berikutnya"),
}
OTHER_MESSAGE = N_("pesan lain")

_LINK_METHODS = {
    LinkMethod.CODE.value: N_("dengan kode"),
    LinkMethod.LETTER.value: N_("dengan kode surat undangan"),
    LinkMethod.NIK.value: N_("dengan NIK dan tanggal lahir"),
}


def event_label(kind: str, _: Gettext) -> str:
    return _(EVENTS.get(kind, OTHER_EVENT))


def message_label(kind: str, _: Gettext) -> str:
    known = {k.value: label for k, label in MESSAGES.items()}
    return _(known.get(kind, OTHER_MESSAGE))


def state_label(state: str, _: Gettext) -> str:
    known = {s.value: label for s, label in STATES.items()}
    return _(known.get(state, N_("keadaan lain")))


def who_label(who: Who, _: Gettext) -> str:
    """A staff member by name; by Telegram id when the office has no name for them yet."""
    if who.name:
        return who.name
    if who.telegram_id is not None:
        return _("petugas (Telegram {id})").format(id=who.telegram_id)
    return _("petugas")


def by_label(event: Happened, _: Gettext) -> str:
    """Who acted, and through which channel: 'Sari · dasbor', 'remaja · Telegram'."""
    if event.by is not None:
        actor = who_label(event.by, _)
    else:
        actors = {a.value: label for a, label in ACTORS.items()}
        actor = _(actors.get(event.actor, N_("lainnya")))
    channel = {c.value: label for c, label in CHANNELS.items()}.get(event.channel)
    return f"{actor} · {_(channel)}" if channel else actor


_CHANNEL_NAMES = {c.value: label for c, label in CHANNELS.items()}
_NUMBER_OWNERS = {"teen": N_("nomor remaja"), "guardian": N_("nomor orang tua/wali")}


def details(event: Happened, _: Gettext) -> str:
    """What else the office needs to read about an event, in words; internal ids are left out."""
    data, said = event.data, []
    reason = data.get("reason")
    if isinstance(reason, str):
        desk_reasons = {r.value: label for r, label in REASONS.items()}
        label = desk_reasons.get(reason) or REASON_LABELS.get(reason)
        if label is not None:
            said.append(_("alasan: {reason}").format(reason=_(label)))
    if isinstance(data.get("was"), str):
        said.append(_("sebelumnya: {state}").format(state=state_label(data["was"], _)))
    if isinstance(data.get("summons_state"), str):
        said.append(
            _("panggilan kembali: {state}").format(state=state_label(data["summons_state"], _))
        )
    via = data.get("via")
    if isinstance(via, str) and via in _LINK_METHODS:
        said.append(_(_LINK_METHODS[via]))
    if event.kind in ("ladder_step", "ladder_end"):
        failed, to = data.get("failed"), data.get("to")
        if failed in _CHANNEL_NAMES:
            said.append(_("{channel} gagal").format(channel=_(_CHANNEL_NAMES[failed])))
        if to in _CHANNEL_NAMES:
            said.append(_("→ {channel}").format(channel=_(_CHANNEL_NAMES[to])))
    whose = data.get("whose")
    if event.kind.startswith("contact_") and whose in _NUMBER_OWNERS:
        said.append(_(_NUMBER_OWNERS[whose]))
        if isinstance(data.get("number"), str):  # stored masked (bot/services/contacts.py)
            said.append(data["number"])
        if data.get("whatsapp_consent") is True:
            said.append(_("izin WhatsApp ada"))
    return "; ".join(said)
