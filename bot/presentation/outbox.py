"""Outbox rows become messages when they are sent, not when they are queued: the reader's
language and the summons' state are those of the moment of sending.

One cohesive registry, kept in one module on purpose: a small function per `Kind`, registered
with `@renders` (or `@renders_summons`, for a kind about one summons at one session), and the
`Renderer` that reads what they need once per batch. Adding a kind is one function here;
tests/test_outbox_kinds.py fails while any kind has none.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import OutboxMessage
from bot.domain import summons_rules
from bot.domain.kinds import SummonsState
from bot.domain.outbox_kinds import Kind
from bot.i18n import N_, Catalogs, Gettext, format_day
from bot.presentation import summons as views
from bot.presentation.home_visits import alert as home_visit_alert
from bot.services import (
    accounts,
    broadcasts,
    family,
    holding,
    home_visits,
    outbox,
    review,
    summonses,
    waiting,
)
from bot.services.summonses import SessionOption, SummonsView

log = logging.getLogger(__name__)

REMINDER_HEADERS = {
    "h3": N_("⏰ Pengingat: jadwal perekaman KTP-el Anda tinggal 3 hari lagi."),
    "h1": N_("⏰ Pengingat: besok jadwal perekaman KTP-el Anda."),
    "morning": N_("⏰ Hari ini jadwal perekaman KTP-el Anda."),
}
# A parent's copy is about the child.
PARENT_REMINDER_HEADERS = {
    "h3": N_("⏰ Pengingat: jadwal perekaman KTP-el {name} tinggal 3 hari lagi."),
    "h1": N_("⏰ Pengingat: besok jadwal perekaman KTP-el {name}."),
    "morning": N_("⏰ Hari ini jadwal perekaman KTP-el {name}."),
}
# A reminder is pointless once the teen has said no, asked for a home visit, or come.
_NO_REMINDER = frozenset(
    {
        SummonsState.DECLINED,
        SummonsState.HOME_VISIT,
        SummonsState.ATTENDED,
        SummonsState.NO_SHOW,
        SummonsState.UNRECORDED,
    }
)


@dataclass(frozen=True)
class Text:
    text: str
    markup: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Venue:
    latitude: float
    longitude: float
    title: str
    address: str


Outgoing = Text | Venue


@dataclass(frozen=True)
class Draft:
    """One row about to be rendered: what was queued with it, for its reader as they are now."""

    renderer: Renderer
    params: dict[str, Any]
    language: str
    gettext: Gettext

    @property
    def parent(self) -> bool:
        return bool(self.params.get("parent"))

    @property
    def settings(self) -> Settings:
        return self.renderer.settings

    def body(self, summons: SummonsView) -> str:
        zone = self.settings.zone
        return views.summons_text(summons, self.gettext, self.language, zone, parent=self.parent)

    def keyboard(self, summons: SummonsView) -> InlineKeyboardMarkup | None:
        # A parent's copy has the same buttons, naming the child: they act for the child.
        return views.summons_keyboard(summons, self.gettext, parent=self.parent)

    def day(self, summons: SummonsView) -> str:
        return format_day(summons.starts_at.astimezone(self.settings.zone).date(), self.language)


Render = Callable[[Draft], Awaitable[Outgoing | None]]
RenderSummons = Callable[[Draft, SummonsView], Awaitable[Outgoing | None]]
RENDERERS: dict[Kind, Render] = {}


def renders(kind: Kind) -> Callable[[Render], Render]:
    """Register the function that renders `kind` (None: the row no longer applies)."""

    def register(function: Render) -> Render:
        if kind in RENDERERS:
            raise ValueError(f"two renderers for {kind!r}")
        RENDERERS[kind] = function
        return function

    return register


def renders_summons(kind: Kind) -> Callable[[RenderSummons], RenderSummons]:
    """Register the function that renders `kind`, a kind about one summons at one session: it
    gets the summons as it is now, and is not called once the summons is gone or has moved to
    another session (its own rows were rescheduled then)."""

    def register(function: RenderSummons) -> RenderSummons:
        async def render(draft: Draft) -> Outgoing | None:
            summons = await draft.renderer.summons(int(draft.params.get("summons_id", 0)))
            if summons is None or summons.session_id != draft.params.get("session_id"):
                return None
            return await function(draft, summons)

        renders(kind)(render)
        return function

    return register


class Renderer:
    """Renders a batch of rows, reading each summons, broadcast and offer of sessions once per
    batch (a cancelled session sends the same offer to many teens at once)."""

    def __init__(
        self, session: AsyncSession, catalogs: Catalogs, settings: Settings, clock: Clock
    ) -> None:
        self.session = session
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self._summons: dict[int, SummonsView | None] = {}
        self._broadcasts: dict[int, str | None] = {}
        self._languages: dict[int, str] = {}
        self._options: dict[tuple[int, int], list[SessionOption]] = {}

    async def prepare(self, rows: list[OutboxMessage]) -> None:
        """Current languages of every recipient, in one query."""
        ids = {row.account_id for row in rows if row.account_id is not None}
        self._languages = await outbox.languages_of(self.session, ids)

    async def render(self, row: OutboxMessage) -> Outgoing | None:
        """The message for `row`, or None when it no longer applies (then it is cancelled)."""
        try:
            kind = Kind(row.message_key)
        except ValueError:
            log.warning("outbox row %s has an unknown message key %r", row.id, row.message_key)
            return None
        language = self._languages.get(row.account_id or 0, row.language)
        draft = Draft(self, row.params or {}, language, self.catalogs.gettext(language))
        return await RENDERERS[kind](draft)

    async def summons(self, summons_id: int) -> SummonsView | None:
        if summons_id not in self._summons:
            self._summons[summons_id] = await summonses.view(self.session, summons_id)
        return self._summons[summons_id]

    async def broadcast(self, broadcast_id: int) -> str | None:
        if broadcast_id not in self._broadcasts:
            self._broadcasts[broadcast_id] = await broadcasts.text_of(self.session, broadcast_id)
        return self._broadcasts[broadcast_id]

    async def options(self, summons: SummonsView) -> list[SessionOption]:
        """The sessions still ahead of election day, other than the summons' own, that its
        teen may come to."""
        key = (summons.session_id, summons.target_id)
        if key not in self._options:
            self._options[key] = await summonses.move_options(
                self.session,
                exclude=summons.session_id,
                now=self.clock.now(),
                deadline=summons_rules.deadline_for(
                    self.settings.election_date, self.settings.zone
                ),
                target_id=summons.target_id,
                zone=self.settings.zone,
            )
        return self._options[key]

    async def claim_name(self, claim_id: int) -> str | None:
        return await review.typed_name(self.session, claim_id)

    async def guardian(self, link_id: int) -> family.Guardian | None:
        return await family.active_guardian(self.session, link_id)

    async def recorded(self, target_id: int) -> tuple[str, date] | None:
        """A recorded teen's name and 17th birthday, or None if the record is gone."""
        return await accounts.recorded_teen(self.session, target_id)

    async def home_visit(self, visit_id: int) -> home_visits.Card | None:
        return await home_visits.card(self.session, visit_id)

    async def target_name(self, params: dict[str, Any]) -> str:
        return await accounts.target_name(self.session, int(params.get("target_id", 0))) or "?"


# --- kinds about no summons ---------------------------------------------------------------


def broadcast_text(_: Gettext, office: str, text: str) -> str:
    """A broadcast as its readers get it: staff's text under the office's name (also the
    preview staff see before sending, in Telegram and on the dashboard)."""
    header = _("📢 Pesan dari {office}:").format(office=office)
    return f"{header}\n\n{text}"


@renders(Kind.BROADCAST)
async def render_broadcast(draft: Draft) -> Outgoing | None:
    """Staff's text under the office's name (nothing, should the broadcast be gone)."""
    text = await draft.renderer.broadcast(int(draft.params["broadcast_id"]))
    if text is None:
        return None
    return Text(broadcast_text(draft.gettext, draft.settings.office_name, text))


@renders(Kind.UNREACHABLE)
async def render_unreachable(draft: Draft) -> Outgoing | None:
    """To a parent and to staff: the teen blocked the bot, so someone else must tell them."""
    _ = draft.gettext
    name = await draft.renderer.target_name(draft.params)
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


@renders(Kind.LINK_APPROVED)
async def render_link_approved(draft: Draft) -> Outgoing | None:
    _ = draft.gettext
    name = await draft.renderer.target_name(draft.params)
    return Text(
        _(
            "✅ Petugas menyetujui permintaan Anda untuk terhubung dengan {name}. Panggilan dan pengingat "
            "untuknya akan dikirim juga kepada Anda. Ketik /jadwal untuk jadwalnya."
        ).format(name=name)
    )


@renders(Kind.LINK_DECLINED)
async def render_link_declined(draft: Draft) -> Outgoing | None:
    _ = draft.gettext
    return Text(
        _(
            "Maaf, permintaan Anda untuk terhubung tidak dapat disetujui petugas. Untuk bantuan, "
            "datanglah ke kantor Dukcapil dengan membawa Kartu Keluarga."
        )
    )


@renders(Kind.CLAIM_APPROVED)
async def render_claim_approved(draft: Draft) -> Outgoing | None:
    """Staff accepted a /daftar registration: the account is the teen's now."""
    _ = draft.gettext
    name = await draft.renderer.target_name(draft.params)
    return Text(
        _(
            "✅ Petugas sudah memeriksa data Anda: akun Telegram ini sekarang terhubung dengan data "
            "perekaman KTP-el {name}. Ketik /jadwal untuk jadwal Anda."
        ).format(name=name)
    )


@renders(Kind.CLAIM_REJECTED)
async def render_claim_rejected(draft: Draft) -> Outgoing | None:
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
async def render_claim_reopened(draft: Draft) -> Outgoing | None:
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
async def render_account_released(draft: Draft) -> Outgoing | None:
    """Staff let go of the record this account held."""
    _ = draft.gettext
    return Text(
        _(
            "Petugas melepas akun Telegram ini dari data perekaman KTP-el yang tadinya terhubung, "
            "dan pesan jadwalnya tidak dikirim ke sini lagi. Bila itu data Anda, datanglah ke "
            "kantor Dukcapil dengan membawa Kartu Keluarga."
        )
    )


@renders(Kind.GUARDIAN_LINKED)
async def render_guardian_linked(draft: Draft) -> Outgoing | None:
    """To the teen: someone linked as their parent or guardian (perhaps before she joined, and
    perhaps they answered for her then), and a button to undo it."""
    link_id = int(draft.params.get("link_id", 0))
    guardian = await draft.renderer.guardian(link_id)
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


@renders(Kind.GUARDIAN_UNLINKED)
async def render_guardian_unlinked(draft: Draft) -> Outgoing | None:
    """To a parent: the teen erased their data (/hapus), so the link is gone and nothing of
    theirs comes here any more (named while the office's record of them remains)."""
    _ = draft.gettext
    name = await draft.renderer.target_name(draft.params)
    if name == "?":
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


@renders(Kind.STAFF_ALERT)
async def render_staff_alert(draft: Draft) -> Outgoing | None:
    """To staff: something a person did that the office must follow up."""
    _ = draft.gettext
    name = await draft.renderer.target_name(draft.params)
    if draft.params.get("alert") == "not_guardian":
        return Text(
            _(
                "⚠️ {name} menyatakan bahwa {parent} bukan orang tua/walinya. Hubungan sudah "
                "diputuskan; mohon periksa siapa yang menghubungkan diri."
            ).format(name=name, parent=views.guardian_label(draft.params.get("guardian") or "", _))
        )
    alert = draft.params.get("alert")
    if alert in (holding.CLAIM_LISTED, holding.LETTER_TOOK_BACK):
        typed = await draft.renderer.claim_name(int(draft.params.get("claim_id", 0)))
        said = (
            _(
                "⚠️ Daftar sasaran yang diimpor kini memuat {name}, yang dulu disetujui lewat "
                "/daftar atas nama «{typed}»."
            )
            if alert == holding.CLAIM_LISTED
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
    if alert == holding.LETTER_HELD:
        return Text(
            _(
                "⚠️ Seseorang membuka surat undangan {name} dengan tanggal lahir yang benar, tetapi "
                "data itu sudah terhubung dengan akun Telegram lain. Mungkin surat itu dipakai "
                "orang lain: periksa di meja dengan Kartu Keluarga; admin melepas akun yang salah "
                "di halaman orang itu di dasbor (Lepas akun), lalu mencetak ulang suratnya."
            ).format(name=name)
        )
    if draft.params.get("alert") == "home_visit":
        found = await draft.renderer.home_visit(int(draft.params.get("visit_id", 0)))
        return Text(home_visit_alert(found, _)) if found is not None else None
    return None


@renders(Kind.RECORDED)
async def render_recorded(draft: Draft) -> Outgoing | None:
    """Recorded, from any source: one thank-you, and what comes next (printing and IKD at 17)."""
    found = await draft.renderer.recorded(int(draft.params.get("target_id", 0)))
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


@renders(Kind.PLACE_OFFER)
async def render_place_offer(draft: Draft) -> Outgoing | None:
    """A freed place for a waiting teen (or, in a parent's words, for their child), unless the
    offer has expired or was taken."""
    renderer = draft.renderer
    entry_id, session_id = int(draft.params["entry_id"]), int(draft.params["session_id"])
    offer = await waiting.offer_of(renderer.session, entry_id, session_id, renderer.clock.now())
    if offer is None:
        return None
    _, zone = draft.gettext, draft.settings.zone
    child = await renderer.target_name(draft.params) if draft.parent else None
    return Text(
        views.offer_text(
            offer.place, offer.starts_at, offer.expires_at, _, draft.language, zone, child=child
        ),
        views.offer_keyboard(entry_id, session_id, _),
    )


# --- kinds about one summons at one session -------------------------------------------------


@renders_summons(Kind.SUMMONS)
async def render_summons(draft: Draft, summons: SummonsView) -> Outgoing | None:
    if summons.state in summons_rules.FINAL:
        return None
    return Text(draft.body(summons), draft.keyboard(summons))


@renders_summons(Kind.VENUE)
async def render_venue(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """The place's pin, right after its summons (none for a place without coordinates)."""
    if summons.latitude is None or summons.longitude is None:
        return None
    return Venue(
        summons.latitude, summons.longitude, summons.place, summons.address or summons.place
    )


@renders_summons(Kind.REMINDER)
async def render_reminder(draft: Draft, summons: SummonsView) -> Outgoing | None:
    if summons.state in _NO_REMINDER:
        return None
    headers = PARENT_REMINDER_HEADERS if draft.parent else REMINDER_HEADERS
    header = draft.gettext(headers[str(draft.params.get("which"))]).format(name=summons.name)
    return Text(f"{header}\n\n{draft.body(summons)}", draft.keyboard(summons))


@renders_summons(Kind.SESSION_MOVED)
async def render_session_moved(draft: Draft, summons: SummonsView) -> Outgoing | None:
    if summons.state not in summons_rules.EXPECTED:
        return None
    _ = draft.gettext
    header = (
        _("📅 Petugas mengubah jadwal perekaman {name}. Jadwal yang baru:")
        if draft.parent
        else _("📅 Petugas mengubah jadwal perekaman Anda. Jadwal yang baru:")
    ).format(name=summons.name)
    return Text(f"{header}\n\n{draft.body(summons)}", draft.keyboard(summons))


@renders_summons(Kind.ANSWERED)
async def render_answered(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """To everyone else linked to the summons: who answered, and what."""
    if summons.state not in summonses.ANSWERS:
        return None
    header = views.answered_header(
        summons,
        draft.gettext,
        by_parent=draft.params.get("by") == "parent",
        to_parent=draft.parent,
    )
    return Text(f"{header}\n\n{draft.body(summons)}", draft.keyboard(summons))


@renders_summons(Kind.UNANSWERED)
async def render_unanswered(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """To parents, 48 hours on: the teen has still not answered."""
    if summons.state != SummonsState.SUMMONED:
        return None
    _ = draft.gettext
    return Text(
        _(
            "{name} belum menjawab panggilan perekaman KTP-el selama 2 hari. Mohon ingatkan "
            "{name} untuk membuka Telegram dan menekan ✅ atau ❌, atau hubungi kantor "
            "Dukcapil."
        ).format(name=summons.name)
        + "\n\n"
        + draft.body(summons)
    )


@renders_summons(Kind.NO_SHOW)
async def render_no_show(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """A missed session: say so kindly and offer the sessions still before election day."""
    if summons.state != SummonsState.NO_SHOW:
        return None  # already moved on
    _ = draft.gettext
    if draft.parent:
        return Text(
            _(
                "{name} tidak datang ke jadwal perekaman {day}. Mohon bantu {name} "
                "memilih jadwal baru lewat Telegram (/ganti), atau datang ke kantor "
                "Dukcapil."
            ).format(name=summons.name, day=draft.day(summons))
        )
    text = _(
        "Kami belum melihat Anda di jadwal perekaman {day}. Tidak apa-apa: masih ada "
        "waktu sebelum hari pemungutan suara."
    ).format(day=draft.day(summons))
    return await _with_options(draft, summons, text)


@renders_summons(Kind.DESK_UNRECORDED)
async def render_desk_unrecorded(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """Came to the desk, not recorded there: why, kindly, and the sessions still ahead."""
    if summons.state != SummonsState.UNRECORDED:
        return None  # already moved on, or recorded after all
    _ = draft.gettext
    reasons = {
        "documents": _("dokumen yang diperlukan belum lengkap"),
        "device": _("alat perekaman sedang bermasalah"),
    }
    reason = reasons.get(str(draft.params.get("reason")), _("ada kendala di meja perekaman"))
    text = _(
        "Terima kasih sudah datang ke jadwal perekaman {day}. KTP-el {name} belum bisa direkam "
        "karena {reason}."
    ).format(day=draft.day(summons), name=summons.name, reason=reason)
    if draft.parent:
        return Text(
            text
            + "\n\n"
            + _("Mohon bantu {name} memilih jadwal baru lewat /ganti.").format(name=summons.name)
        )
    return await _with_options(draft, summons, text)


@renders_summons(Kind.SESSION_CANCELLED)
async def render_session_cancelled(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """Staff cancelled the session: say so, and offer the sessions still ahead."""
    if summons.state not in summons_rules.EXPECTED:
        return None  # already moved on
    _ = draft.gettext
    text = _("Maaf, jadwal perekaman {name} pada {day} di {place} dibatalkan oleh petugas.").format(
        name=summons.name, day=draft.day(summons), place=summons.place
    )
    if draft.parent:
        return Text(
            text
            + "\n\n"
            + _("Mohon bantu {name} memilih jadwal baru lewat /ganti.").format(name=summons.name)
        )
    return await _with_options(draft, summons, text)


async def _with_options(draft: Draft, summons: SummonsView, text: str) -> Text:
    """`text`, then the sessions still ahead as buttons."""
    _ = draft.gettext
    options = await draft.renderer.options(summons)
    if not options:
        return Text(text + "\n\n" + _("Petugas akan menambah jadwal; Anda akan dikabari di sini."))
    markup = views.options_keyboard(summons, options, _, draft.language, draft.settings.zone)
    return Text(text + "\n\n" + _("Pilih jadwal baru:"), markup)
