"""Which summons states hold a seat, which are final, which the office still expects, and the
last moment a session may start: rules every floor reads, with no I/O."""

from __future__ import annotations

import enum
from datetime import date, datetime, time, tzinfo
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


def same_day(starts_at: datetime, now: datetime, zone: tzinfo) -> bool:
    """Whether a session starts today in the office's zone (or already has): a change to it
    is urgent, and goes out in quiet hours too."""
    return starts_at.astimezone(zone).date() <= now.astimezone(zone).date()


def deadline_for(election: date, zone: ZoneInfo) -> datetime:
    """Sessions must start before election day begins in the office's zone."""
    return datetime.combine(election, time(0, 0), tzinfo=zone)


class Hours(enum.StrEnum):
    """Why a session (a place's, or a home visit) cannot be held at some hours."""

    PAST = "past"  # starts now or before
    AFTER_ELECTION = "after_election"  # starts on election day or later
    ENDS_FIRST = "ends_first"  # ends before (or as) it starts


def hours_problem(
    starts_at: datetime, ends_at: datetime, *, now: datetime, deadline: datetime
) -> Hours | None:
    """Why a session cannot be held at these hours, if it cannot: the one rule for /sesi, the
    dashboard, a sessions file and a home visit."""
    if starts_at <= now:
        return Hours.PAST
    if starts_at >= deadline:
        return Hours.AFTER_ELECTION
    if ends_at <= starts_at:
        return Hours.ENDS_FIRST
    return None
