"""Rows of the office's sessions file read and checked: a place, a day, hours, seats."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.table_rows import Problem, RowError, cell_day, cell_text, check_lengths

SESSION_HEADERS = {
    "kode": "code",
    "code": "code",
    "kode_jadwal": "code",
    "tempat": "place",
    "place": "place",
    "alamat": "address",
    "address": "address",
    "lat": "lat",
    "latitude": "lat",
    "lon": "lon",
    "lng": "lon",
    "longitude": "lon",
    "jenis": "kind",
    "kind": "kind",
    "tanggal": "date",
    "date": "date",
    "mulai": "start",
    "start": "start",
    "selesai": "end",
    "end": "end",
    "kapasitas": "capacity",
    "capacity": "capacity",
    "layanan": "services",
    "services": "services",
    "bawa": "bring",
    "bring": "bring",
    # Not in SPEC's list, but the planner needs to know whose place it is.
    "kelurahan": "kelurahan",
    "village": "kelurahan",
    "kecamatan": "kecamatan",
    "district": "kecamatan",
    "sekolah": "school",
    "school": "school",
}
SESSION_REQUIRED = ("place", "date", "start", "end", "capacity")

_KINDS = {
    "kantor": "office",
    "dinas": "office",
    "office": "office",
    "kecamatan": "kecamatan",
    "mpp": "mpp",
    "sekolah": "school",
    "school": "school",
    "pesantren": "pesantren",
    "lapas": "prison",
    "rutan": "prison",
    "prison": "prison",
    "cfd": "car_free_day",
    "car_free_day": "car_free_day",
    "car-free-day": "car_free_day",
    "rumah": "home",
    "home": "home",
    "lain": "other",
    "lainnya": "other",
    "other": "other",
}
_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})(?:[.:]\d{2})?$")


@dataclass(frozen=True)
class SessionRow:
    place: str
    address: str
    latitude: float | None
    longitude: float | None
    kind: str
    starts: datetime  # naive, the office's local time
    ends: datetime
    capacity: int
    services: tuple[str, ...]
    bring: str
    kelurahan: str | None
    kecamatan: str | None
    school: str | None
    code: str | None = None  # the office's own code for the session, when the file has one


def _clock(value: Any, column: str) -> time:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    match = _TIME.match(cell_text(value) or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowError(Problem.BAD_TIME, column)
    return time(int(match.group(1)), int(match.group(2)))


def _number(value: Any, column: str, kind: type[int] | type[float]) -> Any:
    text = cell_text(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ".")) if kind is float else int(float(text))
    except ValueError:
        raise RowError(Problem.BAD_NUMBER, column) from None
    return number


def session_row(values: dict[str, Any], *, today: date) -> SessionRow:
    """A sessions row checked: a place, a real date from `today` on, hours that end after they start, a
    positive capacity, coordinates (if any) that are numbers, and text the columns hold."""
    check_lengths(values)
    place = cell_text(values.get("place"))
    if place is None:
        raise RowError(Problem.MISSING_VALUE, "place")
    day = cell_day(values.get("date"), today + timedelta(days=5 * 366), "date")
    if day < today:  # nobody can come to it, and `rekam sessions` would never show it
        raise RowError(Problem.PAST_DATE, "date")
    starts, ends = _clock(values.get("start"), "start"), _clock(values.get("end"), "end")
    if ends <= starts:
        raise RowError(Problem.BAD_TIME, "end")
    capacity = _number(values.get("capacity"), "capacity", int)
    if capacity is None or capacity <= 0:
        raise RowError(Problem.BAD_NUMBER, "capacity")
    kind_text = (cell_text(values.get("kind")) or "kantor").casefold()
    if kind_text not in _KINDS:
        raise RowError(Problem.BAD_KIND, "kind")
    services = re.split(r"[,;/]", cell_text(values.get("services")) or "rekam")
    return SessionRow(
        place=place,
        address=cell_text(values.get("address")) or "",
        latitude=_number(values.get("lat"), "lat", float),
        longitude=_number(values.get("lon"), "lon", float),
        kind=_KINDS[kind_text],
        starts=datetime.combine(day, starts),
        ends=datetime.combine(day, ends),
        capacity=capacity,
        services=tuple(s.strip().casefold() for s in services if s.strip()),
        bring=cell_text(values.get("bring")) or "",
        kelurahan=cell_text(values.get("kelurahan")),
        kecamatan=cell_text(values.get("kecamatan")),
        school=cell_text(values.get("school")),
        code=(cell_text(values.get("code")) or "").upper() or None,
    )
