"""Spreadsheets in and out: CSV (comma or semicolon, UTF-8 with or without BOM) and XLSX,
read a row at a time so a city's target list never has to fit in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Rows = Iterator[tuple[int, list[Any]]]


class UnknownFormatError(ValueError):
    """Neither .csv nor .xlsx."""


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        first = handle.readline()
        handle.seek(0)
        if first.startswith("\ufeff"):
            handle.read(1)
        delimiter = ";" if first.count(";") > first.count(",") else ","
        yield from csv.reader(handle, delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


@contextmanager
def opened(path: Path) -> Iterator[tuple[list[Any], Rows]]:
    """The header row and the numbered data rows (numbered as a spreadsheet shows them, the
    header being row 1); blank rows are skipped."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        source = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        source = _xlsx_rows(path)
    else:
        raise UnknownFormatError(path.suffix)
    try:
        header = next(source, [])

        def numbered() -> Rows:
            for number, row in enumerate(source, start=2):
                if any(cell not in (None, "") for cell in row):
                    yield number, row

        yield header, numbered()
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def write(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV or XLSX file (by the name's suffix) with a header row."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return
    if suffix != ".xlsx":
        raise UnknownFormatError(path.suffix)
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
