"""Outbox rows become messages when they are sent, not when they are queued: the reader's
language and the summons' state are those of the moment of sending."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import Account, Broadcast, OutboxMessage, Place, ServiceSession, Target
from bot.domain.kinds import SummonsState
from bot.i18n import N_, Catalogs, format_day
from bot.presentation import summons as views
from bot.services import summonses, waiting
from bot.services.summonses import SessionOption, SummonsView

REMINDER_HEADERS = {
    "h3": N_("⏰ Pengingat: jadwal perekaman KTP-el Anda tinggal 3 hari lagi."),
    "h1": N_("⏰ Pengingat: besok jadwal perekaman KTP-el Anda."),
    "morning": N_("⏰ Hari ini jadwal perekaman KTP-el Anda."),
}
# A reminder is pointless once the teen has said no, asked for a home visit, or come.
_NO_REMINDER = frozenset(
    {SummonsState.DECLINED, SummonsState.HOME_VISIT, SummonsState.ATTENDED, SummonsState.NO_SHOW}
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


class Renderer:
    """Renders a batch of rows, reading each summons or broadcast once per batch."""

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
        self._options: dict[int, list[SessionOption]] = {}

    async def prepare(self, rows: list[OutboxMessage]) -> None:
        """Current languages of every recipient, in one query."""
        ids = {row.account_id for row in rows if row.account_id is not None}
        if ids:
            result = await self.session.execute(
                select(Account.id, Account.language).where(Account.id.in_(ids))
            )
            self._languages = {account_id: language for account_id, language in result}

    async def _view(self, summons_id: int) -> SummonsView | None:
        if summons_id not in self._summons:
            self._summons[summons_id] = await summonses.view(self.session, summons_id)
        return self._summons[summons_id]

    async def render(self, row: OutboxMessage) -> Outgoing | None:
        """The message for `row`, or None when it no longer applies (then it is cancelled)."""
        language = self._languages.get(row.account_id or 0, row.language)
        _ = self.catalogs.gettext(language)
        params: dict[str, Any] = row.params or {}
        if row.message_key == "broadcast":
            text = await self._broadcast(int(params["broadcast_id"]))
            if text is None:
                return None
            header = _("📢 Pesan dari {office}:").format(office=self.settings.office_name)
            return Text(f"{header}\n\n{text}")
        if row.message_key == "unreachable":
            return Text(await self._unreachable(params, _))
        if row.message_key in ("link_approved", "link_declined"):
            return Text(await self._link_decided(row.message_key, params, _))
        if row.message_key == "place_offer":
            return await self._place_offer(params, _, language)
        summons = await self._view(int(params.get("summons_id", 0)))
        if summons is None or summons.session_id != params.get("session_id"):
            return None  # moved or gone since it was queued: its own rows were rescheduled
        zone = self.settings.zone
        parent = bool(params.get("parent"))
        # A parent's copy has the same buttons: they act for the child.
        markup = views.summons_keyboard(summons, _)
        body = views.summons_text(summons, _, language, zone, parent=parent)
        if row.message_key == "summons":
            return None if summons.state in summonses.FINAL else Text(body, markup)
        if row.message_key == "venue":
            if summons.latitude is None or summons.longitude is None:
                return None
            return Venue(
                summons.latitude, summons.longitude, summons.place, summons.address or summons.place
            )
        if row.message_key == "reminder":
            if summons.state in _NO_REMINDER:
                return None
            header = _(REMINDER_HEADERS[str(params.get("which"))])
            return Text(f"{header}\n\n{body}", markup)
        if row.message_key == "session_moved":
            if summons.state not in summonses.EXPECTED:
                return None
            header = _("📅 Petugas mengubah jadwal perekaman Anda. Jadwal yang baru:")
            return Text(f"{header}\n\n{body}", markup)
        if row.message_key == "answered":
            if summons.state not in summonses.ANSWERS:
                return None
            header = views.answered_header(
                summons, _, by_parent=params.get("by") == "parent", to_parent=parent
            )
            return Text(f"{header}\n\n{body}", markup)
        if row.message_key == "no_show":
            return await self._no_show(summons, parent, _, language)
        if row.message_key == "session_cancelled":
            return await self._cancelled(summons, parent, _, language)
        if row.message_key == "unanswered":
            if summons.state != SummonsState.SUMMONED:
                return None
            return Text(
                _(
                    "{name} belum menjawab panggilan perekaman KTP-el selama 2 hari. Mohon ingatkan "
                    "{name} untuk membuka Telegram dan menekan ✅ atau ❌, atau hubungi kantor "
                    "Dukcapil."
                ).format(name=summons.name)
                + "\n\n"
                + body
            )
        return None

    async def _no_show(
        self, summons: SummonsView, parent: bool, _: Any, language: str
    ) -> Outgoing | None:
        """A missed session: say so kindly and offer the sessions still before election day."""
        if summons.state != SummonsState.NO_SHOW:
            return None  # already moved on
        day = format_day(summons.starts_at.astimezone(self.settings.zone).date(), language)
        if parent:
            return Text(
                _(
                    "{name} tidak datang ke jadwal perekaman {day}. Mohon bantu {name} "
                    "memilih jadwal baru lewat Telegram (/ganti), atau datang ke kantor "
                    "Dukcapil."
                ).format(name=summons.name, day=day)
            )
        text = _(
            "Kami belum melihat Anda di jadwal perekaman {day}. Tidak apa-apa: masih ada "
            "waktu sebelum hari pemungutan suara."
        ).format(day=day)
        return await self._with_options(summons, text, _, language)

    async def _with_options(self, summons: SummonsView, text: str, _: Any, language: str) -> Text:
        """`text`, then the sessions still ahead as buttons (read once per batch: a cancelled
        session or a missed one sends the same offer to many teens at once)."""
        if summons.session_id not in self._options:
            self._options[summons.session_id] = await summonses.move_options(
                self.session,
                exclude=summons.session_id,
                now=self.clock.now(),
                deadline=summonses.deadline_for(self.settings.election_date, self.settings.zone),
            )
        options = self._options[summons.session_id]
        if not options:
            return Text(
                text + "\n\n" + _("Petugas akan menambah jadwal; Anda akan dikabari di sini.")
            )
        markup = views.options_keyboard(summons, options, _, language, self.settings.zone)
        return Text(text + "\n\n" + _("Pilih jadwal baru:"), markup)

    async def _cancelled(
        self, summons: SummonsView, parent: bool, _: Any, language: str
    ) -> Outgoing | None:
        """Staff cancelled the session: say so, and offer the sessions still ahead."""
        if summons.state not in summonses.EXPECTED:
            return None  # already moved on
        day = format_day(summons.starts_at.astimezone(self.settings.zone).date(), language)
        text = _(
            "Maaf, jadwal perekaman {name} pada {day} di {place} dibatalkan oleh petugas."
        ).format(name=summons.name, day=day, place=summons.place)
        if parent:
            return Text(
                text
                + "\n\n"
                + _("Mohon bantu {name} memilih jadwal baru lewat /ganti.").format(
                    name=summons.name
                )
            )
        return await self._with_options(summons, text, _, language)

    async def _place_offer(self, params: dict[str, Any], _: Any, language: str) -> Text | None:
        """A freed place for a waiting teen, unless the offer has expired or was taken."""
        entry_id, session_id = int(params["entry_id"]), int(params["session_id"])
        entry = await waiting.live_offer(self.session, entry_id, self.clock.now())
        if entry is None or entry.offered_session_id != session_id:
            return None
        assert entry.offer_expires_at is not None
        found = (
            await self.session.execute(
                select(ServiceSession.starts_at, Place.name)
                .join(Place, Place.id == ServiceSession.place_id)
                .where(ServiceSession.id == session_id)
            )
        ).one()
        zone = self.settings.zone
        return Text(
            views.offer_text(
                found.name, found.starts_at, entry.offer_expires_at, _, language, zone
            ),
            views.offer_keyboard(entry_id, session_id, _),
        )

    async def _link_decided(self, key: str, params: dict[str, Any], _: Any) -> str:
        target = await self.session.get(Target, int(params.get("target_id", 0)))
        name = target.name if target else "?"
        if key == "link_approved":
            return str(
                _(
                    "✅ Petugas menyetujui tautan Anda dengan {name}. Panggilan dan pengingat "
                    "untuknya akan dikirim juga kepada Anda. Ketik /jadwal untuk jadwalnya."
                ).format(name=name)
            )
        return str(
            _(
                "Maaf, permintaan tautan Anda tidak dapat disetujui petugas. Untuk bantuan, "
                "datanglah ke kantor Dukcapil dengan membawa Kartu Keluarga."
            )
        )

    async def _broadcast(self, broadcast_id: int) -> str | None:
        if broadcast_id not in self._broadcasts:
            broadcast = await self.session.get(Broadcast, broadcast_id)
            self._broadcasts[broadcast_id] = broadcast.text if broadcast else None
        return self._broadcasts[broadcast_id]

    async def _unreachable(self, params: dict[str, Any], _: Any) -> str:
        target = await self.session.get(Target, int(params.get("target_id", 0)))
        name = target.name if target else "?"
        if params.get("parent"):
            return str(
                _(
                    "Pesan kami untuk {name} tidak terkirim: akun Telegram-nya memblokir bot Rekam. "
                    "Mohon sampaikan jadwal perekaman kepadanya, atau minta ia membuka kembali "
                    "obrolan dengan bot."
                ).format(name=name)
            )
        return str(
            _("Tidak terkirim: {name} memblokir bot Rekam. Mohon hubungi dengan cara lain.").format(
                name=name
            )
        )
