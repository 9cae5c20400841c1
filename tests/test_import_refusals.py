"""What an import refuses and how the clerk hears of it (issue 23): ages past first-time voter,
sessions on a day already gone, NIKs a spreadsheet turned into numbers; every rejected row names
its column and who it is; every file's rejects file is its own."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from bot.cli import main
from bot.domain import nik as nik_rules
from bot.domain.eligibility import (
    AgeProblem,
    age_on,
    previous_election,
    registration_age,
    target_age,
)
from bot.services import sheets

REGION = "359901"
HEADER = ["NIK", "Nama", "Tanggal Lahir"]
ELECTION = date(2029, 2, 14)


def person(serial: int, born: date) -> list[str]:
    nik = nik_rules.build(REGION, born, female=False, serial=serial)
    return [nik, f"Remaja Uji {serial}", born.strftime("%d-%m-%Y")]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    monkeypatch.setenv("ELECTION_DATE", ELECTION.isoformat())
    return tmp_path


# --- the age rule ----------------------------------------------------------------------------


def test_a_first_time_voter_is_17_on_election_day_and_was_not_17_on_the_one_before() -> None:
    today = date(2026, 12, 5)
    rule = {"rule": "17", "today": today, "election": ELECTION}
    assert target_age(date(2012, 2, 14), **rule) is None  # 17 on the day itself
    assert target_age(date(2007, 2, 15), **rule) is None  # 16 on 14 February 2024
    too_old = target_age(date(2007, 2, 14), **rule)  # 17 on 14 February 2024: voted then
    assert too_old is not None and (too_old.problem, too_old.age, too_old.on) == (
        AgeProblem.TOO_OLD,
        22,
        ELECTION,
    )
    born_1990 = target_age(date(1990, 6, 1), **rule)
    assert born_1990 is not None and (born_1990.problem, born_1990.age) == (AgeProblem.TOO_OLD, 38)
    too_young = target_age(date(2012, 2, 15), **rule)
    assert too_young is not None and (too_young.problem, too_young.age, too_young.on) == (
        AgeProblem.TOO_YOUNG,
        16,
        ELECTION,
    )
    # "16 and over today" keeps the same upper bound.
    assert target_age(date(1990, 6, 1), rule="16", today=today, election=ELECTION) == born_1990
    assert registration_age(date(1990, 6, 1), today=today, election=ELECTION) == born_1990


@given(
    born=st.dates(date(1950, 1, 1), date(2020, 12, 31)),
    election=st.dates(date(2024, 1, 1), date(2040, 12, 31)),
)
def test_whoever_the_list_takes_votes_for_the_first_time(born: date, election: date) -> None:
    taken = target_age(born, rule="17", today=election, election=election) is None
    first_time = age_on(born, election) >= 17 and age_on(born, previous_election(election)) < 17
    assert taken == first_time


def test_rows_past_first_time_voter_age_are_refused_naming_election_day_and_age(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [person(1, date(2011, 6, 1)), person(2, date(1990, 6, 1))]
    assert main(["import", "targets", str(write_csv(office / "s.csv", HEADER, rows))]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in out
    reason = (
        "bukan pemilih pemula: pada hari pemilihan, Rabu, 14 Februari 2029, sudah berusia 38 "
        "tahun, dan sudah 17 tahun pada pemilihan sebelumnya"
    )
    assert f"baris 3 (Remaja Uji 2 3599************): {reason}" in out
    assert read_csv(office / "s-csv-ditolak.csv")[1] == [
        "3",
        "Remaja Uji 2",
        "3599************",
        "Tanggal Lahir",
        reason,
    ]


# --- sessions --------------------------------------------------------------------------------


def test_a_session_on_a_day_gone_is_refused_and_every_rejected_row_names_its_column(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    ahead = (today + timedelta(days=7)).strftime("%d-%m-%Y")
    gone = (today - timedelta(days=3)).strftime("%d-%m-%Y")
    rows = [
        ["Balai Desa Mawar", ahead, "08.00", "12.00", "30"],
        ["GOR Utara", gone, "08.00", "12.00", "30"],
        ["Aula Kecamatan", "31-11-2029", "08.00", "12.00", "30"],
    ]
    header = ["Tempat", "Tanggal", "Mulai", "Selesai", "Kapasitas"]
    assert main(["import", "sessions", str(write_csv(office / "jadwal.csv", header, rows))]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 2." in out
    assert "baris 3 (GOR Utara): tanggal jadwal sudah lewat" in out
    report = read_csv(office / "jadwal-csv-ditolak.csv")
    assert report[0] == ["baris", "Tempat", "NIK", "kolom", "alasan"]
    assert [(row[0], row[1], row[3]) for row in report[1:]] == [
        ("3", "GOR Utara", "Tanggal"),
        ("4", "Aula Kecamatan", "Tanggal"),  # a date not on the calendar: its column too
    ]
    assert main(["sessions"]) == 0
    listed = capsys.readouterr().out
    assert "Balai Desa Mawar" in listed and "GOR Utara" not in listed


def test_a_row_too_large_to_read_names_the_whole_row_as_its_column(
    office: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "FIELD_LIMIT", 1_000)
    rows = [[*person(1, date(2011, 6, 1)), ""], [*person(2, date(2011, 6, 1)), "x" * 1_001]]
    path = write_csv(office / "s.csv", [*HEADER, "Catatan"], rows)
    assert main(["import", "targets", str(path)]) == 0
    capsys.readouterr()
    assert read_csv(office / "s-csv-ditolak.csv")[1][3] == "(seluruh baris)"


def test_a_pasted_paragraph_in_the_nik_column_is_not_shown_whole(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [person(1, date(2011, 6, 1)), ["x" * 5_000, "Remaja Uji 2", "01-06-2011"]]
    assert main(["import", "targets", str(write_csv(office / "s.csv", HEADER, rows))]) == 0
    capsys.readouterr()
    assert read_csv(office / "s-csv-ditolak.csv")[1][:4] == ["3", "Remaja Uji 2", "*" * 20, "NIK"]


# --- NIKs a spreadsheet turned into numbers --------------------------------------------------


def test_a_nik_shown_in_scientific_notation_gets_a_hint_to_format_the_column_as_text(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [person(1, date(2011, 6, 1)), ["3.57201E+15", "Remaja Uji 2", "01-06-2011"]]
    assert main(["import", "targets", str(write_csv(office / "s.csv", HEADER, rows))]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in out
    assert "baris 3 (Remaja Uji 2 ***********): NIK tersimpan sebagai angka" in out
    assert "format kolom NIK sebagai Teks" in out


# --- the rejects file ------------------------------------------------------------------------


def test_each_file_has_its_own_rejects_file_and_none_is_overwritten(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [person(1, date(2011, 6, 1)), ["123", "Remaja Uji 2", "01-06-2011"]]
    as_csv = write_csv(office / "sasaran-kantor.csv", HEADER, rows)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, person(3, date(2011, 6, 1)), ["456", "Remaja Uji 4", "01-06-2011"]]:
        sheet.append(row)
    as_xlsx = office / "sasaran-kantor.xlsx"
    book.save(as_xlsx)

    assert main(["import", "targets", str(as_csv)]) == 0
    assert main(["import", "targets", str(as_xlsx)]) == 0
    assert main(["import", "targets", str(as_csv)]) == 0  # again: a second file, numbered
    out = capsys.readouterr().out
    from_csv = office / "sasaran-kantor-csv-ditolak.csv"
    from_xlsx = office / "sasaran-kantor-xlsx-ditolak.csv"
    again = office / "sasaran-kantor-csv-ditolak-2.csv"
    assert f"Semua baris yang ditolak dan alasannya: {again}" in out
    assert read_csv(from_csv)[1][:3] == ["3", "Remaja Uji 2", "***"]
    assert read_csv(from_xlsx)[1][:3] == ["3", "Remaja Uji 4", "***"]
    assert read_csv(again)[1][:3] == ["3", "Remaja Uji 2", "***"]
