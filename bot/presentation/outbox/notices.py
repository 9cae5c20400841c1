"""Outbox kinds about no one summons: broadcasts, notices about links and registrations, staff
alerts, the thank-you once recorded, and a freed place offered. Each a pure function of its
`Draft`, registered with `@renders` and the values it needs.
"""

from __future__ import annotations

from bot.domain.kinds import SummonsState
from bot.domain.outbox_kinds import Kind
from bot.i18n import Gettext, format_day, format_number
from bot.presentation import summons as views
from bot.presentation.home_visits import alert as home_visit_alert
from bot.presentation.outbox.registry import Draft, Need, Outgoing, Text, renders
from bot.services.holding import CLAIM_LISTED, LETTER_HELD, LETTER_TOOK_BACK  # constants


def broadcast_text(_: Gettext, office: str, text: str) -> str:
    """A broadcast as its readers get it: staff's text under the office's name (also the
    preview staff see before sending, in Telegram and on the dashboard)."""
    header = _("📢 Pesan dari {office}:").format(office=office)
    return f"{header}\n\n{text}"


@renders(Kind.BROADCAST, {Need.BROADCAST})
def render_broadcast(draft: Draft) -> Outgoing | None:
    """Staff's text under the office's name (nothing, should the broadcast be gone)."""
    text = draft.facts.broadcast
    if text is None:
        return None
    return Text(broadcast_text(draft.gettext, draft.settings.office_name, text))


@renders(Kind.UNREACHABLE, {Need.TARGET_NAME})
def render_unreachable(draft: Draft) -> Outgoing | None:
    """To a parent and to staff: the teen blocked the bot, so someone else must tell them."""
    _ = draft.gettext
    name = draft.name
    if draft.parent:
        return Text(
            _(
                "Pesan kami untuk {name} tidak terkirim: akun Telegram-nya memblokir bot Rekam. "
                "Mohon sampaikan jadwal perekaman kepadanya, atau minta ia membuka kembali "
                "obrolan dengan bot."
            ).format(name=name)
        )
    return Text(
        _("Tidak terkirim: {name} memblokir bot Rekam. Mohon hubungi dengan cara lain.").format(
            name=name
        )
    )


@renders(Kind.LINK_APPROVED, {Need.TARGET_NAME})
def render_link_approved(draft: Draft) -> Outgoing | None:
    _ = draft.gettext
    name = draft.name
    return Text(
        _(
            "✅ Petugas menyetujui permintaan Anda untuk terhubung dengan {name}. Panggilan dan pengingat "
            "untuknya akan dikirim juga kepada Anda. Ketik /jadwal untuk jadwalnya."
        ).format(name=name)
    )


@renders(Kind.LINK_DECLINED)
def render_link_declined(draft: Draft) -> Outgoing | None:
    _ = draft.gettext
    return Text(
        _(
            "Maaf, permintaan Anda untuk terhubung tidak dapat disetujui petugas. Untuk bantuan, "
            "datanglah ke kantor Dukcapil dengan membawa Kartu Keluarga."
        )
    )


@renders(Kind.CLAIM_APPROVED, {Need.TARGET_NAME})
def render_claim_approved(draft: Draft) -> Outgoing | None:
    """Staff accepted a /daftar registration: the account is the teen's now."""
    _ = draft.gettext
    name = draft.name
    return Text(
        _(
            "✅ Petugas sudah memeriksa data Anda: akun Telegram ini sekarang terhubung dengan data "
            "perekaman KTP-el {name}. Ketik /jadwal untuk jadwal Anda."
        ).format(name=name)
    )


@renders(Kind.CLAIM_REJECTED)
def render_claim_rejected(draft: Draft) -> Outgoing | None:
    """Staff could not accept a /daftar registration (the words say nothing of the record)."""
    _ = draft.gettext
    return Text(
        _(
            "Maaf, data pendaftaran Anda tidak dapat kami hubungkan. Bila Anda punya surat "
            "undangan, buka tautan atau pindai QR di surat itu; atau datanglah ke kantor Dukcapil "
            "dengan membawa Kartu Keluarga."
        )
    )


@renders(Kind.CLAIM_REOPENED)
def render_claim_reopened(draft: Draft) -> Outgoing | None:
    """An account held a record through an approved /daftar, and the office's list (or the
    letter, opened by its holder) now names it: the account let go of it."""
    _ = draft.gettext
    return Text(
        _(
            "Data yang Anda daftarkan lewat /daftar kini ada di daftar resmi kantor, dan untuk "
            "data seperti itu hanya surat undangan yang bisa menghubungkan akun. Akun ini tidak "
            "lagi terhubung dengan data itu, dan pesan jadwalnya tidak dikirim ke sini lagi. Bila "
            "itu data Anda: ketik kode di surat undangan Anda di sini, atau datanglah ke kantor "
            "Dukcapil dengan membawa Kartu Keluarga untuk mendapat surat itu."
        )
    )


@renders(Kind.ACCOUNT_RELEASED)
def render_account_released(draft: Draft) -> Outgoing | None:
    """Staff let go of the record this account held."""
    _ = draft.gettext
    return Text(
        _(
            "Petugas melepas akun Telegram ini dari data perekaman KTP-el yang tadinya terhubung, "
            "dan pesan jadwalnya tidak dikirim ke sini lagi. Bila itu data Anda, datanglah ke "
            "kantor Dukcapil dengan membawa Kartu Keluarga."
        )
    )


@renders(Kind.GUARDIAN_LINKED, {Need.GUARDIAN})
def render_guardian_linked(draft: Draft) -> Outgoing | None:
    """To the teen: someone linked as their parent or guardian (perhaps before she joined, and
    perhaps they answered for her then), and a button to undo it."""
    link_id = int(draft.params.get("link_id", 0))
    guardian = draft.facts.guardian
    if guardian is None:
        return None  # unlinked since: nothing to undo
    _ = draft.gettext
    lines = [
        _(
            "👪 {parent} terhubung dengan Anda sebagai orang tua/wali: ia menerima panggilan dan "
            "pengingat Anda, dan bisa menjawabnya."
        ).format(parent=views.guardian_label(guardian.name, _, start=True))
    ]
    answered = draft.params.get("answered")
    if answered in views.PARENT_STATE_LABELS:
        lines.append(
            _(
                "Sebelum Anda bergabung, ia sudah menjawab panggilan Anda: {answer}. Bila itu tidak "
                "benar, jawablah sendiri dengan tombol di pesan panggilan (/jadwal)."
            ).format(answer=_(views.PARENT_STATE_LABELS[SummonsState(answered)]))
        )
    lines.append(
        _(
            "Bukan orang tua/wali Anda? Tekan tombol di bawah; hubungan diputuskan dan petugas "
            "diberi tahu."
        )
    )
    return Text("\n\n".join(lines), views.not_my_guardian_keyboard(link_id, _))


@renders(Kind.GUARDIAN_UNLINKED, {Need.TARGET_NAME})
def render_guardian_unlinked(draft: Draft) -> Outgoing | None:
    """To a parent: the teen erased their data (/hapus), so the link is gone and nothing of
    theirs comes here any more (named while the office's record of them remains)."""
    _ = draft.gettext
    name = draft.facts.target_name
    if name is None:
        text = _(
            "Anak yang terhubung dengan Anda menghapus datanya dari Rekam. Akun Anda tidak lagi "
            "terhubung dengannya, dan panggilan serta pengingatnya tidak dikirim ke sini lagi."
        )
    else:
        text = _(
            "{name} menghapus datanya dari Rekam. Akun Anda tidak lagi terhubung dengan {name}, "
            "dan panggilan serta pengingatnya tidak dikirim ke sini lagi. Untuk jadwal "
            "perekamannya, hubungi kantor Dukcapil."
        ).format(name=name)
    return Text(text)


@renders(Kind.STAFF_ALERT, {Need.TARGET_NAME, Need.CLAIM_NAME, Need.HOME_VISIT})
def render_staff_alert(draft: Draft) -> Outgoing | None:
    """To staff: something a person did that the office must follow up."""
    _ = draft.gettext
    name = draft.name
    if draft.params.get("alert") == "not_guardian":
        return Text(
            _(
                "⚠️ {name} menyatakan bahwa {parent} bukan orang tua/walinya. Hubungan sudah "
                "diputuskan; mohon periksa siapa yang menghubungkan diri."
            ).format(name=name, parent=views.guardian_label(draft.params.get("guardian") or "", _))
        )
    alert = draft.params.get("alert")
    if alert in (CLAIM_LISTED, LETTER_TOOK_BACK):
        typed = draft.facts.claim_name
        said = (
            _(
                "⚠️ Daftar sasaran yang diimpor kini memuat {name}, yang dulu disetujui lewat "
                "/daftar atas nama «{typed}»."
            )
            if alert == CLAIM_LISTED
            else _(
                "⚠️ Surat undangan {name} dibuka dengan tanggal lahir yang benar, padahal data itu "
                "dipegang akun yang dulu disetujui lewat /daftar atas nama «{typed}»."
            )
        )
        return Text(
            said.format(name=name, typed=typed or "?")
            + " "
            + _(
                "Akun itu sudah dilepas dan diberi tahu cara masuk dengan surat; pendaftarannya "
                "kembali ke tinjauan (/tinjau)."
            )
        )
    if alert == LETTER_HELD:
        return Text(
            _(
                "⚠️ Seseorang membuka surat undangan {name} dengan tanggal lahir yang benar, tetapi "
                "data itu sudah terhubung dengan akun Telegram lain. Mungkin surat itu dipakai "
                "orang lain: periksa di meja dengan Kartu Keluarga; admin melepas akun yang salah "
                "di halaman orang itu di dasbor (Lepas akun), lalu mencetak ulang suratnya."
            ).format(name=name)
        )
    if draft.params.get("alert") == "home_visit":
        found = draft.facts.home_visit
        return Text(home_visit_alert(found, _)) if found is not None else None
    if draft.params.get("alert") == "daily_limit":
        return Text(_daily_limit(draft.params, _, draft.language))
    return None


def _daily_limit(params: dict[str, object], _: Gettext, language: str) -> str:
    """A phone channel's daily limit holds messages (bot/delivery/limits.py): what waits, until
    when, and the setting that sets it."""
    limit = format_number(int(str(params.get("limit", 0))), language)
    if params.get("channel") == "sms":
        return _(
            "⚠️ Batas SMS hari ini tercapai: {limit} SMS (SMS_DAILY_LIMIT). SMS berikutnya "
            "ditahan dan terkirim sendiri mulai pukul 00.00 besok. Jika batas itu terlalu "
            "rendah, ubah SMS_DAILY_LIMIT lalu mulai ulang Rekam."
        ).format(limit=limit)
    return _(
        "⚠️ Batas WhatsApp tercapai: {limit} orang dalam 24 jam (WHATSAPP_TIER, tingkat nomor "
        "kantor di Meta). Pesan WhatsApp kepada orang lain ditahan sampai jatahnya pulih; "
        "jawaban kepada orang yang menulis tetap terkirim. Jika Meta sudah menaikkan tingkat "
        "nomor kantor, ubah WHATSAPP_TIER lalu mulai ulang Rekam."
    ).format(limit=limit)


@renders(Kind.RECORDED, {Need.RECORDED})
def render_recorded(draft: Draft) -> Outgoing | None:
    """Recorded, from any source: one thank-you, and what comes next (printing and IKD at 17)."""
    found = draft.facts.recorded
    if found is None:
        return None
    name, seventeen = found
    _, language = draft.gettext, draft.language
    office = draft.settings.office_name
    if draft.parent:
        return Text(
            _(
                "✔️ KTP-el {name} sudah direkam. Terima kasih atas bantuan Anda! Langkah "
                "berikutnya: pencetakan KTP-el dan aktivasi IKD (KTP digital) mulai {day}, di "
                "{office}. Pengingat jadwal untuk {name} tidak dikirim lagi."
            ).format(name=name, day=format_day(seventeen, language), office=office)
        )
    return Text(
        _(
            "✔️ Terima kasih, {name}: KTP-el Anda sudah direkam. Langkah berikutnya: pencetakan "
            "KTP-el dan aktivasi IKD (KTP digital) bisa dilakukan mulai {day} (usia 17 tahun), "
            "di {office}. Pengingat jadwal tidak dikirim lagi."
        ).format(name=name, day=format_day(seventeen, language), office=office)
    )


@renders(Kind.PLACE_OFFER, {Need.OFFER, Need.TARGET_NAME})
def render_place_offer(draft: Draft) -> Outgoing | None:
    """A freed place for a waiting teen (or, in a parent's words, for their child), unless the
    offer has expired or was taken."""
    entry_id, session_id = int(draft.params["entry_id"]), int(draft.params["session_id"])
    offer = draft.facts.offer
    if offer is None:
        return None
    _, zone = draft.gettext, draft.settings.zone
    child = draft.name if draft.parent else None
    return Text(
        views.offer_text(
            offer.place, offer.starts_at, offer.expires_at, _, draft.language, zone, child=child
        ),
        views.offer_keyboard(entry_id, session_id, _),
    )


@renders(Kind.PHONE_REPLY)
def render_phone_reply(draft: Draft) -> Outgoing | None:
    """An answer to a number's SMS or WhatsApp message goes to that number only."""
    return None
