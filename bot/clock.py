"""The one clock: every "now" and "today" the bot uses comes from here, so tests can freeze it.

"Today" is always the office's date (its zone), never the UTC date: at 06.00 WIB it is already
the office's tomorrow in UTC terms for nobody, but at 23.30 UTC it is the next day in Jakarta.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def _system_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    """Timezone-aware UTC instants, and the office's calendar date."""

    zone: ZoneInfo
    source: Callable[[], datetime] = field(default=_system_now)

    def now(self) -> datetime:
        """This instant, timezone-aware, in UTC."""
        return self.source().astimezone(UTC)

    def today(self) -> date:
        """The office's date right now (in its zone)."""
        return self.now().astimezone(self.zone).date()


class FrozenClock(Clock):
    """A clock that stands still until moved (tests, benchmarks, the demo's sample day)."""

    def __init__(self, zone: ZoneInfo, at: datetime) -> None:
        self._at = [at]
        super().__init__(zone, lambda: self._at[0])

    def move_to(self, at: datetime) -> None:
        self._at[0] = at
