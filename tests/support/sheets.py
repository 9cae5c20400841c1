"""Spreadsheets an office imports: rows, headers and files written for a test."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import Workbook

from bot.db.engine import Database
from bot.domain import nik as nik_rules
from bot.services import imports, sheets

TODAY = date(2026, 11, 22)


IMPORT_NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


ID_HEADER = [
    "NIK",
    "Nama",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Kelurahan",
    "Kecamatan",
    "Alamat",
    "Sekolah",
    "Kategori",
    "Status",
]


def person(
    serial: int, *, born: date = date(2009, 3, 12), female: bool = True, name: str = ""
) -> list[str]:
    nik = nik_rules.build("359901", born, female=female, serial=serial)
    return [
        nik,
        name or f"Remaja Uji {serial}",
        born.strftime("%d-%m-%Y"),
        "P" if female else "L",
        "Mawar",
        "Utara",
        "Jl. Contoh 1",
        "SMK Negeri Uji" if serial % 2 else "SMA Negeri Uji",
        "SMK" if serial % 2 else "SMA",
        "",
    ]


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def run_import(database: Database, path: Path) -> imports.ImportResult:
    with sheets.opened(path) as (header, rows):
        return await imports.import_targets(
            database, header, rows, today=TODAY, now=IMPORT_NOW, regions=("3599",)
        )


def write_encoded(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=";").writerows([ID_HEADER, *rows])
    return path
