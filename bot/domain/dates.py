"""Dates as people type them: 12-03-2008, 12/03/2008, 12.03.2008, 2008-03-12,
'12 Maret 2008', '12 March 2008', '12 Maret 2008' in Javanese spelling. A birth date must not
be in the future; a session's date must not be in the past."""

from __future__ import annotations

import enum
import re
from datetime import date, time
from functools import cache

from babel import Locale

from bot.i18n import LANGUAGES

# Digits are [0-9], never \d: \d and int() also take Arabic-Indic "١٢", full-width "１２" and
# dozens of other scripts' digits, some of which look like other digits or letters ("٥" is
# five, not "o"), and no office system writes them. A date with them is unreadable, as a NIK
# with them is (nik.py).
_DMY = re.compile(r"^([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})$")
_YMD = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
# "23-11-2026 08.00-11.00" (any date form above, then the hours), maybe followed by more words
_DAY_AND_HOURS = re.compile(
    r"^(.+?)\s+([0-9]{1,2})[.:]([0-9]{2})\s*[-–]\s*([0-9]{1,2})[.:]([0-9]{2})(?:\s+(.*))?$"
)
_WORDS = re.compile(r"^([0-9]{1,2})\s+([^\W\d_]+)\.?\s+([0-9]{4})$")
# Spellings Babel's data does not have but people write (older Indonesian, Javanese).
_EXTRA_MONTHS = {
    "pebruari": 2,
    "peb": 2,
    "nopember": 11,
    "nop": 11,
    "agt": 8,
    "sept": 9,
    "okt": 10,
    "des": 12,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "jan": 1,
}


class DateProblem(enum.StrEnum):
    UNREADABLE = "unreadable"
    IMPOSSIBLE = "impossible"
    FUTURE = "future"
    PAST = "past"
    BAD_HOURS = "bad_hours"  # hours unreadable, or the end not after the start


class DateError(ValueError):
    def __init__(self, problem: DateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@cache
def month_names() -> dict[str, int]:
    """Every month name and abbreviation of the bot's languages, lower case."""
    names = dict(_EXTRA_MONTHS)
    for language in LANGUAGES:
        months = Locale.parse(language).months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in months.get(context, {}).get(width, {}).items():
                    names.setdefault(name.casefold().rstrip("."), number)
    return names


def _read(text: str) -> date:
    """The calendar date in `text`, in any of the accepted forms."""
    cleaned = " ".join(text.strip().split())
    if match := _DMY.match(cleaned):
        day, month, year = (int(part) for part in match.groups())
    elif match := _YMD.match(cleaned):
        year, month, day = (int(part) for part in match.groups())
    elif match := _WORDS.match(cleaned):
        month_number = month_names().get(match.group(2).casefold())
        if month_number is None:
            raise DateError(DateProblem.UNREADABLE)
        day, month, year = int(match.group(1)), month_number, int(match.group(3))
    else:
        raise DateError(DateProblem.UNREADABLE)
    try:
        return date(year, month, day)
    except ValueError:
        raise DateError(DateProblem.IMPOSSIBLE) from None


def parse_birth_date(text: str, *, today: date) -> date:
    """The date in `text`; DateError says whether it is unreadable, impossible or future."""
    parsed = _read(text)
    if parsed > today:
        raise DateError(DateProblem.FUTURE)
    if parsed.year < today.year - 120:
        raise DateError(DateProblem.IMPOSSIBLE)
    return parsed


def parse_session_date(text: str, *, today: date) -> date:
    """A session's day in `text`: today or later (DateError PAST otherwise), within ten years."""
    parsed = _read(text)
    if parsed < today:
        raise DateError(DateProblem.PAST)
    if parsed.year > today.year + 10:
        raise DateError(DateProblem.IMPOSSIBLE)
    return parsed


def parse_day_and_hours(text: str, *, today: date) -> tuple[date, time, time, str]:
    """'30-11-2026 08.00-11.00 [rest]': a session's day (not past), its hours (the end after
    the start), and whatever follows (a capacity, say)."""
    match = _DAY_AND_HOURS.match(" ".join(text.split()))
    if not match:
        raise DateError(DateProblem.UNREADABLE)
    day = parse_session_date(match.group(1), today=today)
    try:
        start = time(int(match.group(2)), int(match.group(3)))
        end = time(int(match.group(4)), int(match.group(5)))
    except ValueError:
        raise DateError(DateProblem.BAD_HOURS) from None
    if end <= start:
        raise DateError(DateProblem.BAD_HOURS)
    return day, start, end, (match.group(6) or "").strip()
