"""Rows of the office's target list read and checked: a real NIK in the office's area, the
birth date inside it, a name; and a fast reader for a city's list."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from bot.domain import nik as nik_rules
from bot.domain.names import invisible
from bot.domain.phones import PhoneError, PhoneProblem, normalise
from bot.domain.table_rows import (
    SHORTEST,
    Problem,
    RowError,
    cell_day,
    cell_text,
    check_lengths,
    masked_nik,
    nik_cell,
    shown_name,
)

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
    # Issue 24's contact points: the teen's mobile, a parent's or guardian's, and whether the
    # family agreed to WhatsApp messages (Meta's policy wants that yes on record).
    "telepon": "phone",
    "no_hp": "phone",
    "hp": "phone",
    "phone": "phone",
    "telepon_ortu": "guardian_phone",
    "hp_ortu": "guardian_phone",
    "guardian_phone": "guardian_phone",
    "izin_wa": "whatsapp_consent",
    "whatsapp_consent": "whatsapp_consent",
}
TARGET_REQUIRED = ("nik", "name", "birth_date")

# Status values that mean the resident has already recorded (on the list the office keeps).
_RECORDED = frozenset({"sudah rekam", "sudah", "rekam", "terekam", "recorded", "done", "selesai"})
_SEX = {"l": "L", "lk": "L", "laki-laki": "L", "m": "L", "male": "L", "p": "P", "pr": "P"}
_SEX |= {"perempuan": "P", "f": "P", "female": "P", "w": "P", "wanita": "P"}
# Anything `cell_text` would change beyond stripping the ends: a control character, two spaces.
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f]|  ")
_SIXTEEN_DIGITS = re.compile(r"[0-9]{16}")
_YES = frozenset({"ya", "y", "iya", "yes", "setuju", "1", "true"})
# A number refused leaves the row on the list without it (bot/services/imports.py).
NUMBER_PROBLEMS = {
    PhoneProblem.UNREADABLE: Problem.PHONE_UNREADABLE,
    PhoneProblem.INVALID: Problem.PHONE_INVALID,
    PhoneProblem.NOT_MOBILE: Problem.PHONE_NOT_MOBILE,
}


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
    phone: str | None = None  # E.164
    guardian_phone: str | None = None
    whatsapp_consent: bool = False
    # (field, problem) of each number the row gave that no channel could use: the row is
    # imported without it, and the office told why.
    refused_numbers: tuple[tuple[str, Problem], ...] = ()


def _numbers(
    phone: str | None, guardian: str | None
) -> tuple[str | None, str | None, tuple[tuple[str, Problem], ...]]:
    """The row's two numbers in E.164, and the fields of those refused with their reason."""
    read: list[str | None] = []
    refused: list[tuple[str, Problem]] = []
    for field, cell in (("phone", phone), ("guardian_phone", guardian)):
        if cell is None:
            read.append(None)
            continue
        try:
            read.append(normalise(cell))
        except PhoneError as error:
            read.append(None)
            refused.append((field, NUMBER_PROBLEMS[error.problem]))
    return read[0], read[1], tuple(refused)


def _phone_cell(value: Any) -> str | None:
    """A phone cell's text. A spreadsheet that took 0812… for a number dropped its 0: every
    Indonesian mobile is 08… at home, so a number cell of 8… gets its 0 back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if type(value) is int and value > 0:
        digits = str(value)
        return "0" + digits if digits.startswith("8") else digits
    return cell_text(value)


def _consent(cell: str | None) -> bool:
    return cell is not None and cell.casefold() in _YES


def target_row(values: dict[str, Any], *, today: date, regions: tuple[str, ...]) -> TargetRow:
    """A target-list row checked: a real NIK in the office's area whose date is the birth date
    given, a name, a real birth date that is not in the future, and text the columns hold."""
    check_lengths(values)
    raw_nik = nik_cell(values.get("nik"))
    try:
        parsed = nik_rules.parse(raw_nik, today=today, regions=regions)
    except nik_rules.NikError as error:
        problem = Problem.OUTSIDE_REGION if error.problem == "outside_region" else Problem.BAD_NIK
        raise RowError(problem, "nik") from None
    born = cell_day(values.get("birth_date"), today, "birth_date")
    if born > today:  # a spreadsheet date cell is not checked by the text parser
        raise RowError(Problem.BAD_DATE, "birth_date")
    if parsed.birth_date != born:
        raise RowError(Problem.DATE_MISMATCH, "birth_date")
    name = cell_text(values.get("name"))
    if name is None:
        raise RowError(Problem.MISSING_NAME, "name")
    sex = _SEX.get((cell_text(values.get("sex")) or "").casefold())
    status = (cell_text(values.get("status")) or "").casefold()
    phone, guardian, refused = _numbers(
        _phone_cell(values.get("phone")), _phone_cell(values.get("guardian_phone"))
    )
    return TargetRow(
        nik=str(parsed),
        name=name,
        birth_date=born,
        sex=sex,
        kelurahan=cell_text(values.get("kelurahan")),
        kecamatan=cell_text(values.get("kecamatan")),
        address=cell_text(values.get("address")),
        school=cell_text(values.get("school")),
        category=cell_text(values.get("category")),
        recorded=status in _RECORDED,
        institution=cell_text(values.get("institution")),
        phone=phone,
        guardian_phone=guardian,
        whatsapp_consent=_consent(cell_text(values.get("whatsapp_consent"))),
        refused_numbers=refused,
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
    phone_at, guardian_at, consent_at = at["phone"], at["guardian_phone"], at["whatsapp_consent"]
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
        if max(map(len, used)) > SHORTEST or _NOT_PLAIN.search(joined):
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
        phone, guardian, refused = _numbers(text[phone_at], text[guardian_at])
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
            phone,
            guardian,
            _consent(text[consent_at]),
            refused,
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


def who(fields: list[str], cells: list[Any] | None) -> tuple[str, str]:
    """The name and the masked NIK a row of the file gives (`fields` as header_fields reads
    them), as a rejects file shows them; blanks for a row the reader could not hold."""
    if cells is None:
        return "", ""
    values = {f: cell for f, cell in zip(fields, cells, strict=False) if f}
    return shown_name(values.get("name")), masked_nik(values.get("nik"))
