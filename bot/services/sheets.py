"""Spreadsheets in and out: CSV (comma or semicolon; UTF-8 with or without BOM, or the
Windows-1252 that Excel on Windows saves) and XLSX, read a row at a time so a city's target
list never has to fit in memory. A file is measured against its Limits before its first row is
read, and refused whole past them. Every file written is its owner's alone and carries no cell
a spreadsheet would run as a formula."""

from __future__ import annotations

import codecs
import csv
import enum
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO, Any, BinaryIO
from xml.etree.ElementTree import ParseError

from bot.files import open_private

# A data row, or None for a CSV record the reader could not hold (a cell over FIELD_LIMIT):
# that row is rejected, the rows after it still go in.
Rows = Iterator[tuple[int, list[Any] | None]]
# Told (rows read so far, data rows in the file) as the rows are read.
Counted = Callable[[int, int], None]
_COUNT_EVERY = 1_000


class Measure(enum.StrEnum):
    ROWS = "rows"
    CELLS = "cells"
    UNPACKED = "unpacked"


@dataclass(frozen=True)
class Limits:
    """The most a file may hold: data rows, cells (every cell a row has, empty ones too) and,
    for an .xlsx, bytes once unpacked. Every row read, checked and (when rejected) reported
    costs time and memory whatever it holds, so a file past them is refused whole, before its
    first row goes in, rather than read for minutes."""

    rows: int
    cells: int
    unpacked: int


# `rekam import` on the office's own computer: room for a city's recording list (every
# resident recorded, not only the teens), and the 2 GB an .xlsx could always unpack to.
FILE_LIMITS = Limits(rows=5_000_000, cells=100_000_000, unpacked=2 * 1024 * 1024 * 1024)


class OverLimitError(ValueError):
    """A file past one of its Limits; nothing of it was read into the database."""

    def __init__(self, measure: Measure, limit: int) -> None:
        super().__init__(f"{measure} > {limit}")
        self.measure = measure
        self.limit = limit


# Python's csv module refuses a cell over 131,072 characters by default, and a whole import
# would stop at one pasted paragraph. Excel itself holds at most 32,767 characters in a cell, so
# this bound is met only by a broken file, while it still limits the memory one row can take;
# the rows' own limits (bot/domain/table_rows.py) reject anything longer than a column holds.
FIELD_LIMIT = 8 * 1024 * 1024
_CHUNK = 1 << 20
# What a spreadsheet takes for the start of a formula when a text cell begins with it (OWASP,
# "CSV Injection"); tab and carriage return too, as some programs strip them first.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The five bytes Windows-1252 leaves undefined: a file holding them was not written in it.
_NOT_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


class UnknownFormatError(ValueError):
    """Neither .csv nor .xlsx."""


class UnreadableTextError(ValueError):
    """A .csv file that is neither UTF-8 nor Windows-1252 text (utf16: it is UTF-16)."""

    def __init__(self, *, utf16: bool) -> None:
        super().__init__("UTF-16" if utf16 else "unknown encoding")
        self.utf16 = utf16


def _encoding(path: Path) -> str:
    """UTF-8 when every byte of the file is valid UTF-8, else Windows-1252 when every byte is
    defined there. Decided from the whole file before the first row: a Windows file's first
    accented letter can be anywhere, and meeting it halfway would leave half a list imported.
    The file is read once for this a megabyte at a time, so it is never in memory whole."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = is_cp1252 = True
    with path.open("rb") as handle:
        chunk = handle.read(_CHUNK)
        if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise UnreadableTextError(utf16=True)
        # Text has no NUL bytes; UTF-16 without a BOM, or an .xls renamed .csv, is full of them.
        if chunk.count(b"\x00") * 8 > len(chunk):
            raise UnreadableTextError(utf16=False)
        while chunk and (is_utf8 or is_cp1252):
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            is_cp1252 = is_cp1252 and _NOT_CP1252.search(chunk) is None
            chunk = handle.read(_CHUNK)
    if is_utf8:
        try:
            utf8.decode(b"", final=True)  # a letter cut off by the end of the file
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if is_cp1252:
        return "cp1252"
    raise UnreadableTextError(utf16=False)


def _csv_rows(path: Path, encoding: str) -> Iterator[list[Any] | None]:
    """Every record of the file, the blank ones as []."""
    previous = csv.field_size_limit(FIELD_LIMIT)
    try:
        with path.open(newline="", encoding=encoding) as handle:
            first = handle.readline()
            handle.seek(0)
            delimiter = ";" if first.count(";") > first.count(",") else ","
            reader = csv.reader(handle, delimiter=delimiter)
            while True:
                try:
                    yield next(reader)
                except StopIteration:
                    return
                except csv.Error:  # a cell over FIELD_LIMIT: the reader goes on at the next line
                    yield None
    finally:
        csv.field_size_limit(previous)  # the limit is the whole process's: put it back


def _csv_measured(path: Path, encoding: str, limits: Limits) -> int:
    """The CSV's data rows, counted (blank lines not) by a pass of the C reader before the
    import's own; OverLimitError as soon as the count passes a limit."""
    rows = cells = 0
    for row in _csv_rows(path, encoding):
        if row is None or row:  # None: a cell too large to hold, a row all the same
            rows += 1
            cells += len(row or ())
            if rows > limits.rows + 1:  # the header is not a data row
                raise OverLimitError(Measure.ROWS, limits.rows)
            if cells > limits.cells:
                raise OverLimitError(Measure.CELLS, limits.cells)
    return max(rows - 1, 0)


class OversizedWorkbookError(ValueError):
    """An .xlsx whose parts unpack to far more than a spreadsheet's do (a "zip bomb"): opening
    it would take the memory of the process that also runs the bot."""


# A worksheet's XML packs about 10–20 to 1; a part packed over 100 to 1 and big once unpacked
# is no spreadsheet. (How much a workbook may unpack to in all is its Limits' `unpacked`.) The
# sizes are those the zip declares: Python's zipfile never unpacks a part past its own.
_MOST_PACKED = 100
_LARGE_PART = 10 * 1024 * 1024
# The columns read from an .xlsx header. Without a <dimension> openpyxl makes each row as wide
# as its last cell's column, so one cell in column XFD made every row 16,384 values; no office
# list comes near 1,024 columns, and a column past them is never read.
WIDEST = 1_024
# A row or a cell of a worksheet's XML, with any namespace prefix: counted in the raw XML
# (C speed) so that a sheet's size is known before openpyxl parses a row of it.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(row|c)(?=[\s/>])")


def _check_unpacked_size(path: Path, limits: Limits) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = archive.infolist()
    bomb = any(
        part.file_size > _LARGE_PART and part.file_size > _MOST_PACKED * max(part.compress_size, 1)
        for part in parts
    )
    if bomb:
        raise OversizedWorkbookError(path.name)
    if sum(part.file_size for part in parts) > limits.unpacked:
        raise OverLimitError(Measure.UNPACKED, limits.unpacked)


def _tags(stream: IO[bytes]) -> tuple[int, int]:
    """The rows and the cells of a worksheet's XML, read a megabyte at a time. A tag never
    holds a "<", so everything before a chunk's last "<" is whole tags; the rest waits for the
    next chunk."""
    rows = cells = 0
    tail = b""
    while True:
        chunk = stream.read(_CHUNK)
        buffer = tail + chunk
        cut = buffer.rfind(b"<") if chunk else len(buffer)
        cut = len(buffer) if cut < 0 else cut
        found = _TAG.findall(buffer, 0, cut)
        in_rows = found.count(b"row")
        rows, cells, tail = rows + in_rows, cells + len(found) - in_rows, buffer[cut:]
        if not chunk:
            return rows, cells


def _xlsx_measured(path: Path, sheet: Any, limits: Limits) -> int:
    """The data rows of the sheet that is read, counted in its XML; OverLimitError past a limit."""
    part = getattr(sheet, "_worksheet_path", None)  # openpyxl's read-only sheet knows its part
    with zipfile.ZipFile(path) as archive:
        names = [part] if part else [n for n in archive.namelist() if "worksheets/" in n]
        rows = cells = 0
        for name in names:
            with archive.open(name) as stream:
                found = _tags(stream)
            rows, cells = rows + found[0], cells + found[1]
    if rows > limits.rows + 1:
        raise OverLimitError(Measure.ROWS, limits.rows)
    if cells > limits.cells:
        raise OverLimitError(Measure.CELLS, limits.cells)
    return max(rows - 1, 0)


def _xlsx_rows(path: Path, limits: Limits, sized: Callable[[int], None]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_unpacked_size(path, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (KeyError, InvalidFileException, ParseError) as error:  # a zip, but no workbook
        raise zipfile.BadZipFile(str(error)) from None
    try:
        if not book.worksheets:  # chart sheets alone
            raise zipfile.BadZipFile("no worksheet")
        sheet = book.worksheets[0]
        sized(_xlsx_measured(path, sheet, limits))
        header = next(sheet.iter_rows(max_row=1, max_col=WIDEST, values_only=True), ())
        named = [index for index, cell in enumerate(header) if cell not in (None, "")]
        # The rows as wide as the header's last named column: a column without a name is
        # never read, and a row is not made wider than the columns it can fill.
        width = named[-1] + 1 if named else 1
        yield list(header[:width])
        for row in sheet.iter_rows(min_row=2, max_col=width, values_only=True):
            yield list(row)
    finally:
        book.close()


@contextmanager
def opened(
    path: Path, limits: Limits = FILE_LIMITS, *, counted: Counted | None = None
) -> Iterator[tuple[list[Any], Rows]]:
    """The header row and the numbered data rows (numbered as a spreadsheet shows them, the
    header being row 1); blank rows are skipped. A CSV's encoding is settled, and the file
    measured against `limits` (OverLimitError), before the header is read (UnreadableTextError).
    `counted` hears how many rows have been read, every thousand rows and at the end."""
    suffix = path.suffix.casefold()
    source: Iterator[list[Any] | None]
    total = [0]  # the data rows the measuring pass found

    def sized(rows: int) -> None:
        total[0] = rows

    if suffix == ".csv":
        encoding = _encoding(path)
        sized(_csv_measured(path, encoding, limits))
        source = _csv_rows(path, encoding)
    elif suffix in (".xlsx", ".xlsm"):
        source = _xlsx_rows(path, limits, sized)
    else:
        raise UnknownFormatError(path.suffix)
    try:
        header = next(source, None) or []

        def numbered() -> Rows:
            for number, row in enumerate(source, start=2):
                if counted is not None and not (number - 1) % _COUNT_EVERY:
                    # blank lines and an .xlsx's missing rows are not in the total
                    counted(min(number - 1, total[0]), total[0])
                # any(row): a cell of text, at C speed; only a row without one is looked at
                # cell by cell (a number 0 is not blank).
                if row is None or any(row) or any(cell not in (None, "") for cell in row):
                    yield number, row
            if counted is not None:
                counted(total[0], total[0])

        yield header, numbered()
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def _inert(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula, behind an apostrophe; numbers (and
    anything else that is not text) as they are, so a negative number stays a number."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _kind_of(path: Path) -> str:
    """'csv' or 'xlsx', by the name's suffix."""
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        raise UnknownFormatError(path.suffix)
    return suffix[1:]


def write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV or XLSX file (by the name's suffix) with a header row, readable by its owner only
    (it holds names and masked NIKs)."""
    kind = _kind_of(path)
    with open_private(path) as handle:
        write_to(handle, kind, header, rows)


def write_to(
    handle: BinaryIO, kind: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """The same file written to an open binary stream. Names and places come from files and
    from Telegram: none of them may reach a spreadsheet as a formula to run."""
    inert = ([_inert(value) for value in row] for row in chain([header], rows))
    if kind == "csv":
        # The BOM makes Excel read the file as UTF-8 rather than in the computer's code page.
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            csv.writer(text).writerows(inert)
        finally:
            text.flush()
            text.detach()  # the stream stays open: it is the caller's to close
        return
    if kind != "xlsx":
        raise UnknownFormatError(kind)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in inert:
        sheet.append(row)
    book.save(handle)
