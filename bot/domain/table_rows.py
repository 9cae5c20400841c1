"""Rows of the office's spreadsheets (target list, sessions) read and checked: header names in
Indonesian or English, and one reason for every row that cannot go in."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

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

# Header (lower case, spaces as underscores) -> field. SPEC section 4.
TARGET_HEADERS = {
    "nik": "nik",
    "nama": "name",
    "name": "name",
    "tanggal_lahir": "birth_date",
    "tgl_lahir": "birth_date",
    "birth_date": "birth_date",
    "date_of_birth": "birth_date",
    "jenis_kelamin": "sex",
    "sex": "sex",
    "kelurahan": "kelurahan",
    "desa": "kelurahan",
    "village": "kelurahan",
    "kecamatan": "kecamatan",
    "district": "kecamatan",
    "alamat": "address",
    "address": "address",
    "sekolah": "school",
    "school": "school",
    "kategori": "category",
    "category": "category",
    "status": "status",
    # The pesantren or prison a list was made for (bot/domain/venues.py); not in SPEC's list.
    "lembaga": "institution",
    "institution": "institution",
}
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
TARGET_REQUIRED = ("nik", "name", "birth_date")
SESSION_REQUIRED = ("place", "date", "start", "end", "capacity")

# Status values that mean the resident has already recorded (on the list the office keeps).
_RECORDED = frozenset({"sudah rekam", "sudah", "rekam", "terekam", "recorded", "done", "selesai"})
_SEX = {"l": "L", "lk": "L", "laki-laki": "L", "m": "L", "male": "L", "p": "P", "pr": "P"}
_SEX |= {"perempuan": "P", "f": "P", "female": "P", "w": "P", "wanita": "P"}
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
# Control characters mean nothing in a cell: PostgreSQL refuses NUL (and the chunk with it)
# where SQLite keeps it, and an XLSX export cannot hold any of them. Those that are not
# whitespace are dropped; the whitespace ones become one space like any other.
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_UNEVEN_SPACE = re.compile(r"  |[\t\n\r\x0b\x0c\x1c-\x1f]")
_TIME = re.compile(r"^(\d{1,2})[.:](\d{2})(?:[.:]\d{2})?$")
# Anything `_text` would change beyond stripping the ends: a control character, two spaces.
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f]|  ")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")


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
    OUTSIDE_AGE = "outside_age"  # not of the target list's age (TARGET_MIN_AGE)


class RowError(ValueError):
    def __init__(self, problem: Problem, column: str = "") -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.column = column


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


class TargetRow(NamedTuple):
    """A checked target-list row (a named tuple: an import makes a million of them)."""

    nik: str
    name: str
    birth_date: date
    sex: str | None
    kelurahan: str | None
    kecamatan: str | None
    address: str | None
    school: str | None
    category: str | None
    recorded: bool
    institution: str | None = None


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


def _text(value: Any) -> str | None:
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


_SHORTEST = min(MAX_CELL, *MAX_LENGTH.values())


def _check_lengths(values: dict[str, Any]) -> None:
    """Every text cell within its column's length, measured as it will be stored (spaces
    collapsed); the raw length is looked at first, so a short cell costs nothing."""
    for field, value in values.items():
        # Most cells are far shorter than the shortest limit: one length check each.
        if type(value) is not str or len(value) <= _SHORTEST:
            continue
        limit = limit_of(field)
        if len(value) <= limit:
            continue
        text = _text(value)
        if text is not None and len(text) > limit:
            problem = Problem.NAME_TOO_LONG if field == "name" else Problem.TOO_LONG
            raise RowError(problem, field)


def _day(value: Any, latest: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        raise RowError(Problem.BAD_DATE)
    try:
        return parse_birth_date(text, today=latest)
    except DateError:
        raise RowError(Problem.BAD_DATE) from None


def target_row(values: dict[str, Any], *, today: date, regions: tuple[str, ...]) -> TargetRow:
    """A target-list row checked: a real NIK in the office's area whose date is the birth date
    given, a name, a real birth date that is not in the future, and text the columns hold."""
    _check_lengths(values)
    raw_nik = _text(values.get("nik")) or ""
    if raw_nik.endswith(".0"):  # a spreadsheet that stored the NIK as a number
        raw_nik = raw_nik[:-2]
    try:
        parsed = nik_rules.parse(raw_nik, today=today, regions=regions)
    except nik_rules.NikError as error:
        problem = Problem.OUTSIDE_REGION if error.problem == "outside_region" else Problem.BAD_NIK
        raise RowError(problem, "nik") from None
    born = _day(values.get("birth_date"), today)
    if born > today:  # a spreadsheet date cell is not checked by the text parser
        raise RowError(Problem.BAD_DATE, "birth_date")
    if parsed.birth_date != born:
        raise RowError(Problem.DATE_MISMATCH, "birth_date")
    name = _text(values.get("name"))
    if name is None:
        raise RowError(Problem.MISSING_NAME, "name")
    sex = _SEX.get((_text(values.get("sex")) or "").casefold())
    status = (_text(values.get("status")) or "").casefold()
    return TargetRow(
        nik=str(parsed),
        name=name,
        birth_date=born,
        sex=sex,
        kelurahan=_text(values.get("kelurahan")),
        kecamatan=_text(values.get("kecamatan")),
        address=_text(values.get("address")),
        school=_text(values.get("school")),
        category=_text(values.get("category")),
        recorded=status in _RECORDED,
        institution=_text(values.get("institution")),
    )


_CACHED = 50_000  # distinct birth dates and NIK dates remembered by a reader; enough for a city


def target_reader(
    fields: list[str], *, today: date, regions: tuple[str, ...]
) -> Callable[[list[Any]], TargetRow]:
    """`target_row` for the cells of a file's row, given the field of each column
    (`header_fields`): the same row or the same RowError, faster for a city's list.

    A row of plain text (every cell short, no control character or double space, a NIK of
    sixteen ASCII digits, a birth date read before) is checked here with dictionaries and one
    regular expression; any other row, and every row with a problem, is left to `target_row`
    itself, which alone decides what is wrong with it."""
    # The column each field is read from: the last one naming it, as in a dict of the row.
    column = {field: index for index, field in enumerate(fields) if field}
    cells_of = itemgetter(*column.values()) if len(column) > 1 else None
    # Where each field's text is in a row's list of texts; -1, the None put at its end.
    at = dict.fromkeys(TARGET_HEADERS.values(), -1) | {f: i for i, f in enumerate(column)}
    nik_at, name_at, birth_at, sex_at, status_at = (
        at["nik"],
        at["name"],
        at["birth_date"],
        at["sex"],
        at["status"],
    )
    kelurahan_at, kecamatan_at, address_at = at["kelurahan"], at["kecamatan"], at["address"]
    school_at, category_at, institution_at = at["school"], at["category"], at["institution"]
    width = len(fields)
    born_of_text: dict[str, date] = {}  # a birth-date cell -> the date parse_birth_date reads
    born_of_nik: dict[str, date] = {}  # DDMMYY of a NIK -> its date, when a real, past one

    def slow(cells: list[Any]) -> TargetRow:
        values = {f: cell for f, cell in zip(fields, cells, strict=False) if f}
        return target_row(values, today=today, regions=regions)

    def read(cells: list[Any]) -> TargetRow:
        if cells_of is None or len(cells) < width:
            return slow(cells)
        used: tuple[Any, ...] = cells_of(cells)
        try:
            joined = "".join(used)  # TypeError: a cell that is not text (XLSX)
        except TypeError:
            return slow(cells)
        if max(map(len, used)) > _SHORTEST or _NOT_PLAIN.search(joined):
            return slow(cells)
        if not joined.isascii() and invisible().search(joined):
            return slow(cells)
        text = [cell.strip() or None for cell in used]
        text.append(None)
        nik, birth, name = text[nik_at], text[birth_at], text[name_at]
        digits = nik[:-2] if nik is not None and nik.endswith(".0") else nik
        if digits is None or name is None or not _SIXTEEN_DIGITS.fullmatch(digits):
            return slow(cells)
        if digits.endswith("0000"):  # no such serial: `target_row` says so
            return slow(cells)
        if regions and not digits.startswith(regions):
            return slow(cells)
        born = born_of_text.get(birth) if birth is not None else None
        if born is None or born != born_of_nik.get(digits[6:12]):
            return _learn(cells, digits, birth)
        sex, status = text[sex_at], text[status_at]
        return TargetRow(
            digits,
            name,
            born,
            _SEX.get(sex.casefold()) if sex is not None else None,
            text[kelurahan_at],
            text[kecamatan_at],
            text[address_at],
            text[school_at],
            text[category_at],
            status is not None and status.casefold() in _RECORDED,
            text[institution_at],
        )

    def _learn(cells: list[Any], digits: str, birth: str | None) -> TargetRow:
        # A date not met before: `target_row` checks the whole row, and what it accepted is
        # remembered for the rows after it.
        row = slow(cells)
        if birth is not None and len(born_of_text) < _CACHED:
            born_of_text[birth] = row.birth_date
            born_of_nik[digits[6:12]] = row.birth_date
        return row

    return read


def _clock(value: Any, column: str) -> time:
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    match = _TIME.match(_text(value) or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowError(Problem.BAD_TIME, column)
    return time(int(match.group(1)), int(match.group(2)))


def _number(value: Any, column: str, kind: type[int] | type[float]) -> Any:
    text = _text(value)
    if text is None:
        return None
    try:
        number = float(text.replace(",", ".")) if kind is float else int(float(text))
    except ValueError:
        raise RowError(Problem.BAD_NUMBER, column) from None
    return number


def session_row(values: dict[str, Any], *, today: date) -> SessionRow:
    """A sessions row checked: a place, a real date, hours that end after they start, a
    positive capacity, coordinates (if any) that are numbers, and text the columns hold."""
    _check_lengths(values)
    place = _text(values.get("place"))
    if place is None:
        raise RowError(Problem.MISSING_VALUE, "place")
    day = _day(values.get("date"), today + timedelta(days=5 * 366))
    starts, ends = _clock(values.get("start"), "start"), _clock(values.get("end"), "end")
    if ends <= starts:
        raise RowError(Problem.BAD_TIME, "end")
    capacity = _number(values.get("capacity"), "capacity", int)
    if capacity is None or capacity <= 0:
        raise RowError(Problem.BAD_NUMBER, "capacity")
    kind_text = (_text(values.get("kind")) or "kantor").casefold()
    if kind_text not in _KINDS:
        raise RowError(Problem.BAD_KIND, "kind")
    services = re.split(r"[,;/]", _text(values.get("services")) or "rekam")
    return SessionRow(
        place=place,
        address=_text(values.get("address")) or "",
        latitude=_number(values.get("lat"), "lat", float),
        longitude=_number(values.get("lon"), "lon", float),
        kind=_KINDS[kind_text],
        starts=datetime.combine(day, starts),
        ends=datetime.combine(day, ends),
        capacity=capacity,
        services=tuple(s.strip().casefold() for s in services if s.strip()),
        bring=_text(values.get("bring")) or "",
        kelurahan=_text(values.get("kelurahan")),
        kecamatan=_text(values.get("kecamatan")),
        school=_text(values.get("school")),
        code=(_text(values.get("code")) or "").upper() or None,
    )
