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
from bot.domain import summons_rules
from bot.domain.outbox_kinds import Kind
from bot.i18n import Catalogs
from bot.presentation.outbox import RENDERERS, Draft, Facts, Need, Outgoing
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
        self._languages: dict[int, str] = {}
        self._cache: dict[tuple[Need, Any], Any] = {}

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
        renderer = RENDERERS[kind]
        params = row.params or {}
        facts = Facts()
        for need, load in LOADERS.items():
            if need in renderer.needs:
                facts = await load(self, params, facts)
        language = self._languages.get(row.account_id or 0, row.language)
        gettext = self.catalogs.gettext(language)
        return renderer.render(Draft(params, language, gettext, self.settings, facts))

    async def once(self, need: Need, key: Any, read: Callable[[], Awaitable[Any]]) -> Any:
        """`read()`'s value, read once per batch for (`need`, `key`)."""
        if (need, key) not in self._cache:
            self._cache[need, key] = await read()
        return self._cache[need, key]


@loads(Need.SUMMONS)
async def _summons(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    summons_id = _id(params, "summons_id")
    if summons_id is None:
        return facts
    found = await drafts.once(
        Need.SUMMONS, summons_id, lambda: summonses.view(drafts.session, summons_id)
    )
    return replace(facts, summons=found)


@loads(Need.OPTIONS)
async def _options(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    """The sessions still ahead of election day, other than the summons' own, that its teen may
    come to."""
    summons = facts.summons
    if summons is None:
        return facts
    settings = drafts.settings

    async def read() -> tuple[summonses.SessionOption, ...]:
        return tuple(
            await summonses.move_options(
                drafts.session,
                exclude=summons.session_id,
                now=drafts.clock.now(),
                deadline=summons_rules.deadline_for(settings.election_date, settings.zone),
                target_id=summons.target_id,
                zone=settings.zone,
            )
        )

    key = (summons.session_id, summons.target_id)
    return replace(facts, options=await drafts.once(Need.OPTIONS, key, read))


@loads(Need.BROADCAST)
async def _broadcast(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    broadcast_id = _id(params, "broadcast_id")
    if broadcast_id is None:
        return facts
    text = await drafts.once(
        Need.BROADCAST, broadcast_id, lambda: broadcasts.text_of(drafts.session, broadcast_id)
    )
    return replace(facts, broadcast=text)


@loads(Need.TARGET_NAME)
async def _target_name(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    target_id = _id(params, "target_id")
    if target_id is None:
        return facts
    name = await drafts.once(
        Need.TARGET_NAME, target_id, lambda: accounts.target_name(drafts.session, target_id)
    )
    return replace(facts, target_name=name)


@loads(Need.RECORDED)
async def _recorded(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    target_id = _id(params, "target_id")
    if target_id is None:
        return facts
    return replace(facts, recorded=await accounts.recorded_teen(drafts.session, target_id))


@loads(Need.GUARDIAN)
async def _guardian(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    link_id = _id(params, "link_id")
    if link_id is None:
        return facts
    return replace(facts, guardian=await family.active_guardian(drafts.session, link_id))


@loads(Need.CLAIM_NAME)
async def _claim_name(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    claim_id = _id(params, "claim_id")
    if claim_id is None:
        return facts
    return replace(facts, claim_name=await review.typed_name(drafts.session, claim_id))


@loads(Need.HOME_VISIT)
async def _home_visit(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    visit_id = _id(params, "visit_id")
    if visit_id is None:
        return facts
    return replace(facts, home_visit=await home_visits.card(drafts.session, visit_id))


@loads(Need.OFFER)
async def _offer(drafts: Drafts, params: dict[str, Any], facts: Facts) -> Facts:
    """A freed place, unless the offer has expired or was taken."""
    entry_id, session_id = _id(params, "entry_id"), _id(params, "session_id")
    if entry_id is None or session_id is None:
        return facts
    now = drafts.clock.now()
    offer = await waiting.offer_of(drafts.session, entry_id, session_id, now)
    return replace(facts, offer=offer)
