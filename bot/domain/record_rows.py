"""Rows of the office's recording list (`rekam import recorded`): who was recorded, and when.

Kept apart from `table_rows.py` (the target list and the sessions) because its columns and its
outcome differ: a row names a NIK already on the list, it never adds one. The problems and the
header reading are the same as there, so the command line explains them the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.table_rows import MAX_CELL, Problem, RowError, nik_cell

# Header (lower case, spaces as underscores) -> field.
RECORD_HEADERS = {
    "nik": "nik",
    "tanggal_rekam": "recorded_on",
    "tgl_rekam": "recorded_on",
    "tanggal": "recorded_on",
    "recorded_at": "recorded_on",
    "recorded_on": "recorded_on",
    "date": "recorded_on",
    "status": "status",
}
RECORD_REQUIRED = ("nik", "recorded_on")
# A cell such as "2026-11-30 09:15" or "2026-11-30T09:15:00": the day is what counts.
_TIME_TAIL = re.compile(r"[ T]\d{1,2}[.:]\d{2}(?:[.:]\d{2})?$")


@dataclass(frozen=True)
class RecordRow:
    nik: str
    recorded_on: date


def _text(value: Any) -> str:
    text = value if type(value) is str else ("" if value is None else str(value))
    return " ".join(text.split())


def _day(value: Any, today: date) -> date:
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _TIME_TAIL.sub("", _text(value))
        try:
            return parse_birth_date(text, today=today)  # read as any past date, none ahead
        except DateError:
            raise RowError(Problem.BAD_DATE, "recorded_on") from None
    if day > today:  # a spreadsheet date cell is not checked by the text parser
        raise RowError(Problem.BAD_DATE, "recorded_on")
    return day


def record_row(
    values: dict[str, Any], *, today: date, statuses: frozenset[str]
) -> RecordRow | None:
    """A recording-list row checked: a real NIK and a recording date not in the future. None
    when its status (if the file has one) is not one of `statuses` (lower case): the office's
    list also holds people still waiting, and those are not recorded."""
    for field, value in values.items():
        if type(value) is str and len(value) > MAX_CELL:
            raise RowError(Problem.TOO_LONG, field)
    if "status" in values and _text(values["status"]).casefold() not in statuses:
        return None
    raw_nik = nik_cell(values.get("nik"))
    try:
        parsed = nik_rules.parse(raw_nik, today=today)
    except nik_rules.NikError:
        raise RowError(Problem.BAD_NIK, "nik") from None
    return RecordRow(nik=str(parsed), recorded_on=_day(values.get("recorded_on"), today))
