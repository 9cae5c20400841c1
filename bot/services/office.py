"""The office's standing rules as one frozen value: its reminder policy, the moment sessions must
start before, its zone and its language. Built once per update (Telegram), per dashboard process
(from the frozen settings) and per command (CLI), then handed to the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain.summons_rules import deadline_for
from bot.services.notices import Policy


@dataclass(frozen=True)
class Office:
    policy: Policy
    deadline: datetime  # a session must start before this to be offered, moved to or summoned to

    @property
    def zone(self) -> ZoneInfo:
        return self.policy.zone

    @property
    def language(self) -> str:
        """The office's language (staff alerts, people without an account)."""
        return self.policy.language

    @classmethod
    def of(cls, settings: Settings) -> Office:
        return cls(
            policy=Policy.of(settings), deadline=deadline_for(settings.election_date, settings.zone)
        )
