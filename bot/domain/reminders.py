"""When reminders are due: three days before, the evening before, and the morning of."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

ALL = ("h3", "h1", "morning")
_H3_AT = time(9, 0)
_EVENING_AT = time(19, 0)
_MORNING_AT = time(6, 0)


def reminder_times(
    starts_at: datetime,
    zone: ZoneInfo,
    *,
    which: tuple[str, ...] = ALL,
) -> dict[str, datetime]:
    """Due instants of each reminder for a session starting at `starts_at` (local rules).

    The morning reminder is at 06.00, or an hour before an earlier start (a car-free-day
    stand opening at 06.00 is reminded at 05.00). A reminder never falls after the start.
    """
    local_start = starts_at.astimezone(zone)
    day = local_start.date()
    times = {
        "h3": datetime.combine(day - timedelta(days=3), _H3_AT, tzinfo=zone),
        "h1": datetime.combine(day - timedelta(days=1), _EVENING_AT, tzinfo=zone),
        "morning": min(
            datetime.combine(day, _MORNING_AT, tzinfo=zone), local_start - timedelta(hours=1)
        ),
    }
    return {name: due for name, due in times.items() if name in which and due < starts_at}
