"""What an outbox row's renderer needs, read at the moment of sending: the summons as it is now,
the sessions its teen may move to, a broadcast's text, names, a guardian, a home visit, an offer.

`Drafts` reads each value once per batch (a cancelled session sends the same offer to many teens
at once; a teen and her parents share a name) and hands `bot/presentation/outbox`'s pure
renderers a `Draft` of values: presentation never reads the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.db.models import OutboxMessage
from bot.domain.kinds import Channel
from bot.domain.outbox_kinds import Kind
from bot.i18n import Catalogs
from bot.presentation.outbox import RENDERERS, Draft, Facts, Need, Outgoing
from bot.presentation.outbox.phone import PHONE_RENDERERS, Said
from bot.services import (
    accounts,
    broadcasts,
    family,
    home_visits,
    outbox,
    review,
    summonses,
    waiting,
)
from bot.services.office import Office

log = logging.getLogger(__name__)

Load = Callable[["Drafts", dict[str, Any], Facts], Awaitable[Facts]]
# One loader per Need, in the order they run (OPTIONS after the summons it is about).
LOADERS: dict[Need, Load] = {}


def loads(need: Need) -> Callable[[Load], Load]:
    def register(function: Load) -> Load:
        LOADERS[need] = function
        return function

    return register


def _id(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    return None if value is None else int(value)


class Drafts:
    """Renders a batch of claimed rows inside the dispatcher's unit of work."""

    def __init__(
        self, session: AsyncSession, catalogs: Catalogs, settings: Settings, clock: Clock
    ) -> None:
        self.session = session
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self.office = Office.of(settings)  # built once: every OPTIONS read uses its deadline
        self._languages: dict[int, str] = {}
        self._cache: dict[tuple[Need, Any], Any] = {}

    async def prepare(self, rows: list[OutboxMessage]) -> None:
        """Current languages of every recipient, in one query."""
        ids = {row.account_id for row in rows if row.account_id is not None}
        self._languages = await outbox.languages_of(self.session, ids)

    async def render(self, row: OutboxMessage) -> Outgoing | Said | None:
        """The message for `row` on its rung (Telegram's, or a phone's), or None when it no
        longer applies (then it is cancelled)."""
        try:
            kind = Kind(row.message_key)
        except ValueError:
            log.warning("outbox row %s has an unknown message key %r", row.id, row.message_key)
            return None
        if row.channel in (Channel.WHATSAPP, Channel.SMS):
            if kind not in PHONE_RENDERERS:
                return None
            needs, render_phone = PHONE_RENDERERS[kind]
            return render_phone(await self._draft(row, needs))
        renderer = RENDERERS[kind]
        return renderer.render(await self._draft(row, renderer.needs))

    async def _draft(self, row: OutboxMessage, needs: frozenset[Need]) -> Draft:
        params = row.params or {}
        facts = Facts()
        for need, load in LOADERS.items():
            if need in needs:
                facts = await load(self, params, facts)
        # A number on a record has no language of its own: the office's.
        language = self._languages.get(row.account_id or 0, row.language)
        language = language or self.settings.default_language
        gettext = self.catalogs.gettext(language)
        return Draft(params, language, gettext, self.settings, facts)

    async def once(self, need: Need, key: Any, read: Callable[[], Awaitable[Any]]) -> Any:
        """`read()`'s value, read once per batch for (`need`, `key`)."""
        if (need, key) not in self._cache:
            self._cache[need, key] = await read()
        return self._cache[need, key]


def _by_id(
    need: Need, param: str, field: str, read: Callable[[AsyncSession, int], Awaitable[Any]]
) -> None:
    """The loader of a value read by one id in the row's params, once per batch."""

    async def load(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
        key = _id(params, param)
        if key is None:
            return facts
        value = await drafts.once(need, key, lambda: read(drafts.session, key))
        return replace(facts, **{field: value})

    LOADERS[need] = load


_by_id(Need.SUMMONS, "summons_id", "summons", summonses.view)


@loads(Need.OPTIONS)
async def _options(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    """The sessions still ahead of election day, other than the summons' own, that its teen may
    come to."""
    summons = facts.summons
    if summons is None:
        return facts
    office = drafts.office

    async def read() -> tuple[summonses.SessionOption, ...]:
        return tuple(
            await summonses.move_options(
                drafts.session,
                exclude=summons.session_id,
                now=drafts.clock.now(),
                deadline=office.deadline,
                target_id=summons.target_id,
                zone=office.zone,
            )
        )

    key = (summons.session_id, summons.target_id)
    return replace(facts, options=await drafts.once(Need.OPTIONS, key, read))


_by_id(Need.BROADCAST, "broadcast_id", "broadcast", broadcasts.text_of)
_by_id(Need.TARGET_NAME, "target_id", "target_name", accounts.target_name)
_by_id(Need.RECORDED, "target_id", "recorded", accounts.recorded_teen)
_by_id(Need.GUARDIAN, "link_id", "guardian", family.active_guardian)
_by_id(Need.CLAIM_NAME, "claim_id", "claim_name", review.typed_name)
_by_id(Need.HOME_VISIT, "visit_id", "home_visit", home_visits.card)


@loads(Need.OFFER)
async def _offer(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    """A freed place, unless the offer has expired or was taken."""
    entry_id, session_id = _id(params, "entry_id"), _id(params, "session_id")
    if entry_id is None or session_id is None:
        return facts
    now = drafts.clock.now()
    offer = await waiting.offer_of(drafts.session, entry_id, session_id, now)
    return replace(facts, offer=offer)
