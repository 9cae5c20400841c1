"""Files in and out that never lose a good row and never carry a formula or a leak: CSVs from
Excel on Windows, oversized cells, odd digits, text longer than a column holds."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Target
from bot.services import sheets
from tests.test_imports import ID_HEADER, database, person, run_import

__all__ = ["database"]  # the fixture, shared with tests/test_imports.py


def write_encoded(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle, delimiter=";").writerows([ID_HEADER, *rows])
    return path


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    return tmp_path


# --- encodings -----------------------------------------------------------------------------


async def test_a_cp1252_csv_from_excel_on_windows_goes_in(
    database: Database, tmp_path: Path
) -> None:
    names = ["Dédé Ñurhaliza", "Çitra Öztürk", "Remaja Biasa"]
    rows = [person(serial, name=name) for serial, name in enumerate(names, start=1)]
    path = write_encoded(tmp_path / "excel.csv", rows, "cp1252")
    with pytest.raises(UnicodeDecodeError):
        path.read_text(encoding="utf-8")  # what the import used to trip on
    result = await run_import(database, path)
    assert (result.added, result.rejected) == (3, [])
    async with database.session() as session:
        stored = set((await session.execute(select(Target.name))).scalars())
    assert stored == set(names)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_the_encoding_is_decided_from_the_whole_file_not_its_start(
    tmp_path: Path, encoding: str
) -> None:
    # Over a megabyte of plain ASCII first, so the one accented name comes late.
    rows = [person(serial % 9_000 + 1) for serial in range(12_000)]
    rows.append(person(9_999, name="Dédé Ñurhaliza"))
    path = write_encoded(tmp_path / "besar.csv", rows, encoding)
    assert path.stat().st_size > 1 << 20
    with sheets.opened(path) as (header, numbered):
        assert header == ID_HEADER
        last = list(numbered)[-1]
    assert last == (12_002, rows[-1])


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("utf-16", "UTF-16"),
        (b"nik;nama\n\x81\xff;x\n", "Windows-1252"),
    ],
)
def test_a_file_neither_utf8_nor_cp1252_is_refused_in_one_line(
    office: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, said: str
) -> None:
    path = office / "unicode.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        write_encoded(path, [person(1, name="Dédé Ñurhaliza")], content)
    assert main(["import", "targets", str(path)]) == 1
    captured = capsys.readouterr()
    line = captured.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert said in line and "simpan sebagai CSV UTF-8" in line
    assert "Ditambah" not in captured.out
