"""Files out that never carry a formula or a leak: every export, report and letter `rekam`
writes is its owner's alone and runs nothing when opened; `-o -` is standard output."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Region, Target
from bot.services import sheets
from tests.support.harness import database as open_database
from tests.support.sheets import person, write_encoded

# --- no formulas in what rekam writes --------------------------------------------------------

LINK = '=HYPERLINK("http://x")'


def rename_for_formulas(url: str) -> None:
    async def rename() -> None:
        db = open_database(url)
        async with db.session() as session:
            await session.execute(update(Target).where(Target.name == "Remaja 2").values(name=LINK))
            await session.execute(
                update(Target).where(Target.name == "Remaja 5").values(name="@SUM(A1)")
            )
            await session.execute(
                update(Region).where(Region.kelurahan == "Melati").values(kelurahan="-2+3")
            )
        await db.dispose()

    asyncio.run(rename())


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_invites_carry_no_formula(desk: str, tmp_path: Path, kind: str) -> None:
    rename_for_formulas(desk)
    path = tmp_path / f"undangan.{kind}"
    assert main(["invites", str(path)]) == 0
    names = {row[1] for row in read_back(path)[1:]}
    assert {f"'{LINK}", "'@SUM(A1)"} <= names
    assert not any(str(name).startswith(("=", "@")) for name in names)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_report_carries_no_formula_and_its_numbers_stay_numbers(
    desk: str, tmp_path: Path, kind: str
) -> None:
    rename_for_formulas(desk)
    path = tmp_path / f"laporan.{kind}"
    assert main(["report", "--format", kind, "-o", str(path)]) == 0
    rows = read_back(path)
    assert "'-2+3" in {row[0] for row in rows}
    total = rows[-1]
    assert total[0] == "JUMLAH"
    assert total[2] == (6 if kind == "xlsx" else "6")


def test_text_that_starts_like_a_formula_is_quoted_and_numbers_are_not(tmp_path: Path) -> None:
    row = (-5, -1.5, "-5", "+62 812", "\tx", "\rx", "=1", "ok", None)
    for kind in ("csv", "xlsx"):
        path = tmp_path / f"angka.{kind}"
        sheets.write(path, ("a", "b", "c", "d", "e", "f", "g", "h", "i"), [row])
        written = read_back(path)[1]
        quoted = ["'-5", "'+62 812", "'\tx", "'\rx", "'=1", "ok"]
        if kind == "csv":
            assert written == ["-5", "-1.5", *quoted, ""]
        else:  # XML reads a carriage return back as a line feed
            assert written == [-5, -1.5, *[q.replace("\r", "\n") for q in quoted], None]


def read_back(path: Path) -> list[list[Any]]:
    """The cells of a CSV or of an XLSX's first sheet; an XLSX formula cell would fail here."""
    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle))
    sheet = load_workbook(path).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# --- files readable by their owner only --------------------------------------------------------


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The common 022, under which a file is created readable by everyone unless told not."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("usual_umask")
def test_every_file_the_office_commands_write_is_its_owners_alone(
    desk: str, tmp_path: Path
) -> None:
    database_file = Path(make_url(desk).database or "")
    assert mode(database_file) == 0o600
    written = [tmp_path / name for name in ("u.csv", "u.xlsx", "l.csv", "l.xlsx", "s.pdf")]
    written[0].write_text("sudah ada\n")  # an older file, readable by all, is written over
    written[0].chmod(0o644)
    assert main(["invites", str(written[0])]) == 0
    assert main(["invites", str(written[1])]) == 0
    assert main(["report", "--format", "csv", "-o", str(written[2])]) == 0
    assert main(["report", "--format", "xlsx", "-o", str(written[3])]) == 0
    assert main(["letters", str(written[4])]) == 0
    assert {path.name: mode(path) for path in written} == {path.name: 0o600 for path in written}


@pytest.mark.usefixtures("usual_umask")
def test_the_rejected_rows_report_is_its_owners_alone(office: Path) -> None:
    bad = person(2)
    bad[0] = "123"
    path = write_encoded(office / "sasaran.csv", [person(1), bad], "utf-8")
    assert main(["import", "targets", str(path)]) == 0
    assert mode(office / "sasaran-csv-ditolak.csv") == 0o600


@pytest.mark.usefixtures("usual_umask")
def test_a_new_sqlite_database_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "baru.db"

    async def open_and_migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        assert mode(path) == 0o600  # before SQLAlchemy first connects
        await upgrade(db)
        await db.dispose()

    asyncio.run(open_and_migrate())
    assert mode(path) == 0o600
    (tmp_path / "lama.db").touch(mode=0o640)
    for url in (
        f"sqlite+aiosqlite:///{tmp_path / 'lama.db'}",  # an existing file is the office's choice
        "sqlite+aiosqlite://",  # in memory: no file at all
        f"sqlite+aiosqlite:///{tmp_path / 'tidak-ada' / 'x.db'}",  # SQLite says what is missing
    ):
        asyncio.run(Database(url).dispose())
    assert mode(tmp_path / "lama.db") == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baru.db", "lama.db"]


# --- where the command line writes -------------------------------------------------------------


def test_report_dash_o_dash_writes_the_file_to_standard_output(
    desk: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--format", "csv", "-o", "-"]) == 0
    out, err = capsysbinary.readouterr()
    rows = list(csv.reader(out.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["wilayah", "bagian dari", "sasaran"]
    assert rows[-1][0] == "JUMLAH" and rows[-1][2] == "6"
    assert "Sasaran 6, terekam 1" in err.decode()  # what a person reads stays off the file
    assert main(["report", "--format", "xlsx", "-o", "-"]) == 0
    out, _err = capsysbinary.readouterr()
    sheet = load_workbook(io.BytesIO(out)).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[-1][:3] == ("JUMLAH", None, 6)
    assert list(tmp_path.glob("-*")) == []


def test_letters_refuse_a_name_that_is_not_pdf(
    desk: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["letters", str(tmp_path / "surat.txt")]) == 1
    line = capsys.readouterr().err.strip()
    assert "\n" not in line and ".pdf" in line
    assert not (tmp_path / "surat.txt").exists()
    assert main(["letters", str(tmp_path / "SURAT.PDF")]) == 0
