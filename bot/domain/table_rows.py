"""Rows of the office's spreadsheets read and checked, what every kind of row shares: header
names in Indonesian or English, cells as clean text within their column's length, and one reason
(Problem) for every row that cannot go in. The target list's rows: target_rows.py; the
sessions': session_rows.py; the recording list's: record_rows.py."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.names import invisible

MAX_NAME = 200
# The database's column lengths (bot/db/models.py; tests/test_sheets.py holds the two equal,
# as the domain does not import the database). PostgreSQL refuses a longer value, and the
# whole chunk with it, where SQLite keeps it: checked here, a row fares the same on both.
MAX_LENGTH = {
    "name": MAX_NAME,  # Target.name
    "kelurahan": 100,  # Region.kelurahan
    "kecamatan": 100,  # Region.kecamatan
    "school": 200,  # School.name
    "category": 50,  # Target.category
    "institution": 200,  # Target.institution
    "place": 200,  # Place.name
    "code": 32,  # ServiceSession.code
}
# Any other cell a row reads (an address, a NIK, a date, a number): longer than this it is a
# pasted paragraph, not a value, and the parsers never see a megabyte.
MAX_CELL = 500

# Control characters mean nothing in a cell: PostgreSQL refuses NUL (and the chunk with it)
# where SQLite keeps it, and an XLSX export cannot hold any of them. Those that are not
# whitespace are dropped; the whitespace ones become one space like any other.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_UNEVEN_SPACE = re.compile(r"  |[\t\n\r\x0b\x0c\x1c-\x1f]")
# "3.57201E+15", "3,57201E+15": a NIK column a spreadsheet turned into numbers and shows in
# scientific notation; the digits after the fifteenth are gone for good.
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]*)?[eE]\+?[0-9]+")


class Problem(enum.StrEnum):
    """Why a row was rejected; the command line says it in the office's language."""

    BAD_NIK = "bad_nik"
    OUTSIDE_REGION = "outside_region"
    BAD_DATE = "bad_date"
    DATE_MISMATCH = "date_mismatch"
    DUPLICATE = "duplicate"
    MISSING_NAME = "missing_name"
    NAME_TOO_LONG = "name_too_long"
    TOO_LONG = "too_long"
    CELL_TOO_LARGE = "cell_too_large"
    MISSING_VALUE = "missing_value"
    BAD_TIME = "bad_time"
    BAD_NUMBER = "bad_number"
    BAD_KIND = "bad_kind"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    CAPACITY_BELOW_BOOKED = "capacity_below_booked"
    TOO_YOUNG = "too_young"  # not yet of the target list's age (TARGET_MIN_AGE)
    TOO_OLD = "too_old"  # past first-time-voter age on election day (eligibility.py)
    NIK_AS_NUMBER = "nik_as_number"  # 3.57201E+15: a spreadsheet made the NIK a number
    PAST_DATE = "past_date"  # a session on a day already gone
    PAST_TIME = "past_time"  # a new session today, at an hour already gone
    AFTER_ELECTION = "after_election"  # a session on election day or after it
    TOO_MANY_SEATS = "too_many_seats"  # more seats than one session can have
    SESSION_CANCELLED = "session_cancelled"  # a code whose session the office cancelled
    # A target-list row's phone number no channel could use; the row is imported without it.
    PHONE_UNREADABLE = "phone_unreadable"
    PHONE_INVALID = "phone_invalid"
    PHONE_NOT_MOBILE = "phone_not_mobile"


class RowError(ValueError):
    def __init__(self, problem: Problem, column: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.column = column


@dataclass(frozen=True)
class Rejected:
    """A row an import left out: its number in the file, why, in which column; who it is (the
    name and the masked NIK as the row gives them, or a session's place and day) so a clerk
    finds it without counting rows; for an age refusal, the day the rule looks at (election
    day) and the age the person has on it."""

    row: int
    problem: Problem
    column: str = ""
    name: str = ""
    nik: str = ""  # masked (nik.mask): a rejects file is passed around
    age: int | None = None
    on: date | None = None


class HeaderError(ValueError):
    """The file's first row lacks a required column."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def header_fields(
    headers: list[Any], known: dict[str, str], required: tuple[str, ...]
) -> list[str]:
    """The field each column holds ('' for a column we do not use)."""
    fields = [
        known.get(re.sub(r"[\s-]+", "_", str(h or "").strip().casefold()), "") for h in headers
    ]
    missing = tuple(f for f in required if f not in fields)
    if missing:
        raise HeaderError(missing)
    return fields


def column_names(header: Sequence[Any], known: dict[str, str]) -> dict[str, str]:
    """Each field with the column name the office's file gives it ("Tanggal Lahir"), so an
    error names the column the clerk sees, never our own field name."""
    found: dict[str, str] = {}
    for cell in header:
        text = " ".join(str(cell or "").split())
        field = known.get("_".join(text.casefold().replace("-", " ").split()))
        if field and text:
            found.setdefault(field, text)
    return found


def cell_text(value: Any) -> str | None:
    """The cell as one line of text with single spaces, or None when blank."""
    if value is None:
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text).strip()
    # Bidi overrides, zero-width and other format characters: nothing a cell means, and in a
    # name they would turn it around or hide a difference on staff's screens.
    if not text.isascii() and invisible().search(text):
        text = invisible().sub("", text).strip()
    if _UNEVEN_SPACE.search(text):
        text = " ".join(text.split())
    return text or None


def limit_of(field: str) -> int:
    """How many characters a cell of this field may hold."""
    return MAX_LENGTH.get(field, MAX_CELL)


SHORTEST = min(MAX_CELL, *MAX_LENGTH.values())


def check_lengths(values: dict[str, Any]) -> None:
    """Every text cell within its column's length, measured as it will be stored (spaces
    collapsed); the raw length is looked at first, so a short cell costs nothing."""
    for field, value in values.items():
        # Most cells are far shorter than the shortest limit: one length check each.
        if type(value) is not str or len(value) <= SHORTEST:
            continue
        limit = limit_of(field)
        if len(value) <= limit:
            continue
        text = cell_text(value)
        if text is not None and len(text) > limit:
            problem = Problem.NAME_TOO_LONG if field == "name" else Problem.TOO_LONG
            raise RowError(problem, field)


def cell_day(value: Any, latest: date, column: str) -> date:
    """The day a cell holds, none after `latest`; else BAD_DATE in `column`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if text is None:
        raise RowError(Problem.BAD_DATE, column)
    try:
        return parse_birth_date(text, today=latest)
    except DateError:
        raise RowError(Problem.BAD_DATE, column) from None


def nik_cell(value: Any) -> str:
    """A NIK cell's text for the NIK parser: a number a spreadsheet stored ("3572….0") as its
    digits; one it shows in scientific notation refused as NIK_AS_NUMBER (the column must be
    formatted as text and the NIKs typed again)."""
    text = cell_text(value) or ""
    if text.endswith(".0"):  # a spreadsheet that stored the NIK as a number
        text = text[:-2]
    if _SCIENTIFIC.fullmatch(text):
        raise RowError(Problem.NIK_AS_NUMBER, "nik")
    return text


def masked_nik(value: Any) -> str:
    """A NIK cell as a rejects file shows it: masked (nik.mask), whatever the cell holds."""
    text = (cell_text(value) or "")[:20]  # a pasted paragraph is not shown as one
    if text.endswith(".0"):
        text = text[:-2]
    return nik_rules.mask(text) if text else ""


def shown_name(value: Any) -> str:
    """A name cell as a rejects file shows it: one line, no longer than a name may be."""
    return (cell_text(value) or "")[:MAX_NAME]
