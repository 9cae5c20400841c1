"""Files in that never lose a good row: CSVs from Excel on Windows, oversized cells, digits
that are not ASCII, text longer than a column holds; and files past their limits refused
before a row is read (tests/test_exports.py: files out)."""

from __future__ import annotations

import csv
import zipfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Place, Region, School, ServiceSession, Target
from bot.domain import session_rows, table_rows, target_rows
from bot.presentation import tables
from bot.services import notices, session_imports, sheets
from tests.support.sheets import ID_HEADER, TODAY, person, run_import, write_encoded
from tests.support.uploads import crafted_workbook

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


# --- lengths the same on SQLite and PostgreSQL ---------------------------------------------


def test_the_limits_rows_are_checked_against_are_the_models_column_lengths() -> None:
    columns = {
        "name": Target.__table__.c.name,
        "kelurahan": Region.__table__.c.kelurahan,
        "kecamatan": Region.__table__.c.kecamatan,
        "school": School.__table__.c.name,
        "category": Target.__table__.c.category,
        "institution": Target.__table__.c.institution,
        "place": Place.__table__.c.name,
        "code": ServiceSession.__table__.c.code,
    }
    assert {field: c.type.length for field, c in columns.items()} == table_rows.MAX_LENGTH
    # Sex is stored as the one letter it is read as, never as typed.
    sex = Target.__table__.c.sex.type.length
    assert all(len(letter) <= sex for letter in target_rows._SEX.values())


def target_values(**changes: str) -> dict[str, str]:
    base = person(1)
    values = {
        "nik": base[0],
        "name": base[1],
        "birth_date": base[2],
        "kelurahan": "Mawar",
        "kecamatan": "Utara",
        "school": "SMA Negeri Uji",
        "category": "SMA",
    }
    return values | changes


@pytest.mark.parametrize(
    ("field", "limit"), [("kelurahan", 100), ("kecamatan", 100), ("school", 200), ("category", 50)]
)
def test_a_target_value_longer_than_its_column_rejects_the_row_naming_the_column(
    field: str, limit: int
) -> None:
    # Measured as stored: the spaces around a cell are not kept, so they do not count.
    fits = target_rows.target_row(
        target_values(**{field: "  " + "a" * limit + "   "}), today=TODAY, regions=()
    )
    assert getattr(fits, field) == "a" * limit
    with pytest.raises(table_rows.RowError) as raised:
        target_rows.target_row(target_values(**{field: "a" * (limit + 1)}), today=TODAY, regions=())
    assert (raised.value.problem, raised.value.column) == (table_rows.Problem.TOO_LONG, field)


def test_a_session_place_longer_than_its_column_rejects_the_row() -> None:
    values = {"place": "p" * 201, "date": "01-12-2026", "start": "08.00", "end": "11.00"}
    with pytest.raises(table_rows.RowError) as raised:
        session_rows.session_row(values | {"capacity": "5"}, today=TODAY)
    assert (raised.value.problem, raised.value.column) == (table_rows.Problem.TOO_LONG, "place")
    row = session_rows.session_row(values | {"place": "p" * 200, "capacity": "5"}, today=TODAY)
    assert row.place == "p" * 200


def test_rekam_import_names_the_column_too_long_and_keeps_the_other_rows(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_village = person(2)
    long_village[4] = "Kelurahan " + "Panjang" * 20
    rows = [person(1), long_village, person(3)]
    path = write_encoded(office / "sasaran.csv", rows, "utf-8")
    assert main(["import", "targets", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 2, diperbarui 0, tetap 0, ditolak 1." in out
    # The column as the office's file names it ("Kelurahan"), never our field name.
    assert "baris 3 (Remaja Uji 2 3599************): isi kolom Kelurahan lebih dari 100" in out
    with (office / "sasaran-csv-ditolak.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == [
            "3",
            "Remaja Uji 2",
            "3599************",
            "Kelurahan",
            "isi kolom Kelurahan lebih dari 100 karakter",
        ]


async def test_control_characters_are_dropped_so_both_databases_take_the_row(
    database: Database, tmp_path: Path
) -> None:
    # PostgreSQL refuses a NUL (the whole chunk with it); an XLSX export cannot hold any of these.
    row = person(1, name="Ri\x00na\x07 Dewi\x0bPutri")
    row[4] = "Mawar\x1f"
    result = await run_import(database, write_encoded(tmp_path / "kendali.csv", [row], "utf-8"))
    assert (result.added, result.rejected) == (1, [])
    async with database.session() as session:
        found = (await session.execute(select(Target.name, Region.kelurahan).join(Region))).one()
    assert tuple(found) == ("Rina Dewi Putri", "Mawar")


# --- oversized cells -------------------------------------------------------------------------


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


async def test_a_megabyte_cell_rejects_only_its_row_and_the_rest_goes_in(
    database: Database, tmp_path: Path
) -> None:
    megabyte = "Jl. Panjang, RT 1\n" * 60_000  # quoted: it holds commas and line breaks
    assert len(megabyte) > 1_000_000
    header = [*ID_HEADER, "Catatan"]
    huge_address = [*person(2), ""]
    huge_address[6] = megabyte
    huge_note = [*person(3), megabyte]  # a column no row reads: nothing to reject
    rows = [[*person(1), ""], huge_address, huge_note, [*person(4), ""]]
    result = await run_import(database, write_rows(tmp_path / "besar.csv", header, rows))
    assert result.added == 3
    assert [(r.row, r.problem, r.column) for r in result.rejected] == [
        (3, table_rows.Problem.TOO_LONG, "address")
    ]


async def test_a_cell_beyond_what_the_reader_holds_rejects_its_row(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "FIELD_LIMIT", 1_000)
    header = [*ID_HEADER, "Catatan"]
    rows = [[*person(1), ""], [*person(2), "x" * 1_001], [*person(3), ""]]
    result = await run_import(database, write_rows(tmp_path / "rusak.csv", header, rows))
    assert result.added == 2
    assert [(r.row, r.problem) for r in result.rejected] == [(3, table_rows.Problem.CELL_TOO_LARGE)]
    # The same for a sessions file.
    sessions = [["tempat", "tanggal", "mulai", "selesai", "kapasitas"]]
    sessions += [["Balai " + "x" * 1_001, "01-12-2026", "08.00", "11.00", "5"]]
    sessions += [["Balai", "01-12-2026", "08.00", "11.00", "5"]]
    with sheets.opened(write_rows(tmp_path / "jadwal.csv", sessions[0], sessions[1:])) as (
        first,
        numbered,
    ):
        done = await session_imports.import_sessions(
            database,
            first,
            numbered,
            today=TODAY,
            zone=ZoneInfo("Asia/Jakarta"),
            moving=MOVING,
        )
    assert done.added == 1
    assert [(r.row, r.problem) for r in done.rejected] == [(2, table_rows.Problem.CELL_TOO_LARGE)]


# The office's clock at the start of TODAY, as the rows' days are read against it.
_START = datetime.combine(TODAY, time(0), tzinfo=ZoneInfo("Asia/Jakarta"))
MOVING = session_imports.Moving(
    now=_START,
    deadline=_START + timedelta(days=365),
    policy=notices.Policy(zone=ZoneInfo("Asia/Jakarta"), reminders=("h1",)),
    by="test",
)


def test_rekam_import_explains_a_cell_too_long(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = person(2)
    huge[6] = "Jl. " + "Panjang " * 200_000
    path = write_rows(office / "sasaran.csv", ID_HEADER, [person(1), huge])
    assert main(["import", "targets", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in out
    assert "baris 3 (Remaja Uji 2 3599************): isi kolom Alamat lebih dari 500" in out


# --- digits that are not ASCII ---------------------------------------------------------------


async def test_a_nik_with_digits_that_are_not_ascii_rejects_only_its_row(
    database: Database, tmp_path: Path
) -> None:
    superscript_serial = person(2)
    superscript_serial[0] = superscript_serial[0][:-1] + "²"
    superscript_date = person(3)
    superscript_date[0] = superscript_date[0][:6] + "²" + superscript_date[0][7:]
    full_width = person(4)
    full_width[0] = full_width[0].translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    rows = [person(1), superscript_serial, superscript_date, full_width, person(5)]
    result = await run_import(database, write_encoded(tmp_path / "angka.csv", rows, "utf-8"))
    assert result.added == 2
    assert [(r.row, r.problem, r.column) for r in result.rejected] == [
        (n, table_rows.Problem.BAD_NIK, "nik") for n in (3, 4, 5)
    ]
    async with database.session() as session:
        assert set((await session.execute(select(Target.name))).scalars()) == {
            "Remaja Uji 1",
            "Remaja Uji 5",
        }


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_workbook_that_unpacks_to_gigabytes_is_refused_before_it_is_opened(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A few hundred kilobytes that would unpack to hundreds of megabytes in the process that
    also runs the bot: refused by the sizes its zip declares, nothing read."""
    bomb = _zip(
        office / "daftar.xlsx",
        {"[Content_Types].xml": b"<Types/>", "xl/sharedStrings.xml": b"<si>" + b"A" * 60_000_000},
    )
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(sheets.OversizedWorkbookError), sheets.opened(bomb):
        pass
    assert main(["import", "targets", str(bomb)]) == 1
    assert "membengkak berlebihan" in capsys.readouterr().err


def test_a_zip_that_is_no_workbook_is_named_as_such(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = _zip(office / "daftar.xlsx", {"readme.txt": b"bukan buku kerja"})
    with pytest.raises(zipfile.BadZipFile), sheets.opened(fake):
        pass
    assert main(["import", "targets", str(fake)]) == 1
    assert "bukan buku kerja XLSX yang utuh" in capsys.readouterr().err


# --- limits: a file is measured before its first row is read -----------------------------------


def test_an_xlsx_past_its_limits_is_refused_before_a_row_is_read(tmp_path: Path) -> None:
    """Rows and cells are counted in the sheet's XML, whatever namespace prefix its tags
    carry; a file past a limit is refused from the count, before openpyxl reads its rows."""
    plain = crafted_workbook(tmp_path / "daftar.xlsx", 300)
    prefixed = crafted_workbook(tmp_path / "awalan.xlsx", 300, prefix="x:")
    for book in (plain, prefixed):
        with pytest.raises(sheets.OverLimitError) as rows, sheets.opened(book, _limits(rows=299)):
            pass
        assert rows.value.measure == sheets.Measure.ROWS and rows.value.limit == 299
        with pytest.raises(sheets.OverLimitError) as cells, sheets.opened(book, _limits(cells=900)):
            pass
        assert cells.value.measure == sheets.Measure.CELLS  # 301 rows of 3 cells
        with sheets.opened(book, _limits(rows=300, cells=903)) as (header, numbered):
            assert header == ["nik", "nama", "tanggal_lahir"] and len(list(numbered)) == 300


def test_a_csv_past_its_limits_is_refused_before_a_row_is_read(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "sasaran.csv", ID_HEADER, [person(n) for n in range(1, 6)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n\n")  # blank lines are no rows
    with pytest.raises(sheets.OverLimitError) as rows, sheets.opened(path, _limits(rows=4)):
        pass
    assert rows.value.measure == sheets.Measure.ROWS
    with pytest.raises(sheets.OverLimitError) as cells, sheets.opened(path, _limits(cells=59)):
        pass
    assert cells.value.measure == sheets.Measure.CELLS  # 6 rows of 10 cells
    with sheets.opened(path, _limits(rows=5, cells=60)) as (_, numbered):
        assert len(list(numbered)) == 5


def test_an_xlsx_past_its_unpacked_limit_is_refused_from_its_zip_directory(
    tmp_path: Path,
) -> None:
    book = crafted_workbook(tmp_path / "daftar.xlsx", 10)
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/gambar.bin", bytes(2 * 1024 * 1024))
    limits = _limits(unpacked=2 * 1024 * 1024)
    with pytest.raises(sheets.OverLimitError) as swollen, sheets.opened(book, limits):
        pass
    assert swollen.value.measure == sheets.Measure.UNPACKED
    assert "lebih dari 2 MB saat dibuka" in tables.unreadable(swollen.value, str, "daftar.xlsx")


def test_rows_that_reach_column_xfd_are_read_no_wider_than_the_widest(tmp_path: Path) -> None:
    """Without a <dimension>, openpyxl makes a row as wide as its last cell's column: one cell
    in column XFD, the last, made each row 16,384 values to build and look through."""
    cells = '<c r="A{n}" t="inlineStr"><is><t>x</t></is></c><c r="XFD{n}"><v>1</v></c>'
    rows = "".join(f'<row r="{n}">{cells.format(n=n)}</row>' for n in range(1, 4))
    book = crafted_workbook(tmp_path / "lebar.xlsx", 0)
    with zipfile.ZipFile(book) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    start, end = sheet.index("<sheetData>") + len("<sheetData>"), sheet.index("</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = (sheet[:start] + rows + sheet[end:]).encode()
    _zip(book, parts)
    with sheets.opened(book) as (header, numbered):
        widths = [len(header), *(len(row or ()) for _, row in numbered)]
    assert widths == [1, 1, 1]  # as wide as the header's names, within the first WIDEST


def test_the_rows_read_are_told_as_the_file_is_read(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "sasaran.csv", ID_HEADER, [person(n) for n in range(1, 2501)])
    told: list[tuple[int, int]] = []
    with sheets.opened(path, counted=lambda read, total: told.append((read, total))) as (_, rows):
        for _ in rows:
            pass
    assert told == [(1000, 2500), (2000, 2500), (2500, 2500)]


def _limits(
    rows: int = 1_000_000, cells: int = 10_000_000, unpacked: int = 512 * 1024 * 1024
) -> sheets.Limits:
    return sheets.Limits(rows=rows, cells=cells, unpacked=unpacked)
