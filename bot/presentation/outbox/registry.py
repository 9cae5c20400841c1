"""What an outbox renderer is: a pure function of one `Draft` (the row's parameters, its reader's
language, and the values it declared it needs), registered per `Kind` with `@renders`.

Renderers read nothing: `bot/delivery/reads.py` loads the `Facts` each kind names in its
`needs` at the moment of sending, once per batch, and hands them in.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.config import Settings
from bot.domain.outbox_kinds import Kind
from bot.i18n import Gettext, format_day
from bot.presentation import summons as views

# Value types only: these are frozen dataclasses the services return.
from bot.services.family import Guardian
from bot.services.home_visits import Card
from bot.services.summonses import SessionOption, SummonsView
from bot.services.waiting import OfferShown


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


class Need(enum.Enum):
    """A value a renderer may need; bot/delivery/reads.py has one loader for each."""

    SUMMONS = "summons"  # the summons as it is now (row parameter summons_id)
    OPTIONS = "options"  # the sessions its teen may still move to (with SUMMONS)
    BROADCAST = "broadcast"  # staff's text (broadcast_id)
    TARGET_NAME = "target_name"  # the teen's name, while the office's record remains (target_id)
    RECORDED = "recorded"  # a recorded teen's name and 17th birthday (target_id)
    GUARDIAN = "guardian"  # a guardian still linked (link_id)
    CLAIM_NAME = "claim_name"  # the name typed in a /daftar registration (claim_id)
    HOME_VISIT = "home_visit"  # a home visit's card (visit_id)
    OFFER = "offer"  # a freed place still offered to a waiting teen (entry_id, session_id)


@dataclass(frozen=True)
class Facts:
    """The values loaded for one row; a value whose row parameter is missing, or whose record is
    gone, stays None."""

    summons: SummonsView | None = None
    options: tuple[SessionOption, ...] = ()
    broadcast: str | None = None
    target_name: str | None = None
    recorded: tuple[str, date] | None = None
    guardian: Guardian | None = None
    claim_name: str | None = None
    home_visit: Card | None = None
    offer: OfferShown | None = None


@dataclass(frozen=True)
class Draft:
    """One row about to be rendered: what was queued with it, for its reader as they are now."""

    params: dict[str, Any]
    language: str
    gettext: Gettext
    settings: Settings
    facts: Facts = field(default_factory=Facts)

    @property
    def parent(self) -> bool:
        return bool(self.params.get("parent"))

    @property
    def name(self) -> str:
        """The teen's name, "?" once the office's record is gone."""
        return self.facts.target_name or "?"

    def body(self, summons: SummonsView) -> str:
        zone = self.settings.zone
        return views.summons_text(summons, self.gettext, self.language, zone, parent=self.parent)

    def keyboard(self, summons: SummonsView) -> InlineKeyboardMarkup | None:
        # A parent's copy has the same buttons, naming the child: they act for the child.
        return views.summons_keyboard(summons, self.gettext, parent=self.parent)

    def day(self, summons: SummonsView) -> str:
        return format_day(summons.starts_at.astimezone(self.settings.zone).date(), self.language)


Render = Callable[[Draft], Outgoing | None]
RenderSummons = Callable[[Draft, SummonsView], Outgoing | None]


@dataclass(frozen=True)
class KindRenderer:
    """A kind's renderer and the values it needs loaded."""

    needs: frozenset[Need]
    render: Render


RENDERERS: dict[Kind, KindRenderer] = {}


def renders(kind: Kind, needs: Iterable[Need] = ()) -> Callable[[Render], Render]:
    """Register the function that renders `kind` (None: the row no longer applies), given the
    values in `needs`."""

    def register(function: Render) -> Render:
        if kind in RENDERERS:
            raise ValueError(f"two renderers for {kind!r}")
        RENDERERS[kind] = KindRenderer(frozenset(needs), function)
        return function

    return register


def renders_summons(
    kind: Kind, needs: Iterable[Need] = ()
) -> Callable[[RenderSummons], RenderSummons]:
    """Register the function that renders `kind`, a kind about one summons at one session: it
    gets the summons as it is now, and is not called once the summons is gone or has moved to
    another session (its own rows were rescheduled then)."""

    def register(function: RenderSummons) -> RenderSummons:
        def render(draft: Draft) -> Outgoing | None:
            summons = draft.facts.summons
            if summons is None or summons.session_id != draft.params.get("session_id"):
                return None
            return function(draft, summons)

        renders(kind, {Need.SUMMONS, *needs})(render)
        return function

    return register
