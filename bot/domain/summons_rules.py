"""Which summons states hold a seat, which are final, which the office still expects, and the
last moment a session may start: rules every floor reads, with no I/O."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.kinds import SummonsState

# States that hold a seat at the summons' session.
HOLDS_SEAT = frozenset(
    {SummonsState.SUMMONED, SummonsState.CONFIRMED, SummonsState.MOVED, SummonsState.ATTENDED}
)
# States a teen can no longer change from Telegram (a no-show, or one who came but was not
# recorded, may still move on through the sessions offered to them: see summonses._editable).
FINAL = frozenset(
    {
        SummonsState.ATTENDED,
        SummonsState.RECORDED,
        SummonsState.NO_SHOW,
        SummonsState.UNRECORDED,
    }
)
# States in which the office still expects the teen at their session.
EXPECTED = frozenset({SummonsState.SUMMONED, SummonsState.CONFIRMED, SummonsState.MOVED})


def deadline_for(election: date, zone: ZoneInfo) -> datetime:
    """Sessions must start before election day begins in the office's zone."""
    return datetime.combine(election, time(0, 0), tzinfo=zone)
