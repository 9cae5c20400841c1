"""Importing the target list and the sessions: good, bad and mixed files, CSV and XLSX, both
header languages, and re-imports that never lose what the office recorded."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from bot.db.engine import Database
from bot.db.models import Region, School, ServiceSession, Summons, Target
from bot.db.vault import vault_of
from bot.domain.kinds import PreferredDays, SummonsState
from bot.domain.table_rows import HeaderError, Problem
from bot.services import imports
from tests.support.sheets import (
    ID_HEADER,
    IMPORT_NOW,
    person,
    run_import,
    write_csv,
    write_xlsx,
)

EN_HEADER = [
    "nik",
    "name",
    "birth_date",
    "sex",
    "village",
    "district",
    "address",
    "school",
    "category",
    "status",
]


def soon(days: int, pattern: str = "%d-%m-%Y") -> str:
    """A session's day `days` from today (the office's), as a file writes it."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    return (today + timedelta(days=days)).strftime(pattern)


async def targets_of(session: AsyncSession, rows: list[list[str]]) -> list[Target]:
    """The target each row of the file became, in the file's order (a chunk's targets are
    inserted in NIK-hash order, so their ids do not follow the file)."""
    vault = vault_of(session)
    found = {t.nik_hash: t for t in (await session.execute(select(Target))).scalars()}
    return [found[vault.hash(row[0])] for row in rows]


async def count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_good_csv_goes_in_whole_with_regions_schools_and_weekend_for_smk(
    database: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "sasaran.csv", ID_HEADER, [person(n) for n in range(1, 6)])
    result = await run_import(database, path)
    assert (result.added, result.updated, result.rejected) == (5, 0, [])
    async with database.session() as session:
        targets = (await session.execute(select(Target).order_by(Target.id))).scalars().all()
        assert {t.name for t in targets} == {f"Remaja Uji {n}" for n in range(1, 6)}
        assert len({vault_of(session).open_code(t.invite_sealed) for t in targets}) == 5
        smk = [t for t in targets if t.category == "SMK"]
        assert smk and all(t.preferred_days == PreferredDays.WEEKEND for t in smk)
        assert await session.scalar(select(func.count()).select_from(Region)) == 1
        assert await session.scalar(select(func.count()).select_from(School)) == 2


async def test_bad_rows_are_reported_with_row_number_and_reason_and_good_rows_still_go_in(
    database: Database, tmp_path: Path
) -> None:
    good = person(1)
    wrong_length = [*person(2)]
    wrong_length[0] = wrong_length[0][:15]
    impossible = [*person(3)]
    impossible[2] = "31-02-2009"
    mismatch = [*person(4)]
    mismatch[2] = "13-03-2009"
    duplicate = person(1, name="Someone Else")
    nameless = [*person(5)]
    nameless[1] = "  "
    outside = [*person(6)]
    outside[0] = "1101" + outside[0][4:]
    letters = [*person(7)]
    letters[0] = "35990152030900A7"
    rows = [good, wrong_length, impossible, mismatch, duplicate, nameless, outside, letters]
    result = await run_import(database, write_csv(tmp_path / "campur.csv", ID_HEADER, rows, ";"))
    assert result.added == 1
    assert [(r.row, r.problem) for r in result.rejected] == [
        (3, Problem.BAD_NIK),
        (4, Problem.BAD_DATE),
        (5, Problem.DATE_MISMATCH),
        (6, Problem.DUPLICATE),
        (7, Problem.MISSING_NAME),
        (8, Problem.OUTSIDE_REGION),
        (9, Problem.BAD_NIK),
    ]
    assert await count(database, Target) == 1


async def test_xlsx_with_english_headers_and_spreadsheet_dates_unicode_and_long_names(
    database: Database, tmp_path: Path
) -> None:
    long_name = "Ni Luh Putu " + "Ayu " * 60
    rows: list[list[object]] = []
    for serial, name in ((1, "Çitra Dewi Ñoviyanti"), (2, "ꦱꦶꦠꦶ Siti"), (3, long_name)):
        row: list[object] = person(serial, name=name)
        row[2] = datetime(2009, 3, 12)  # a date cell, not text
        rows.append(row)
    result = await run_import(database, write_xlsx(tmp_path / "targets.xlsx", EN_HEADER, rows))
    assert result.added == 2
    assert [(r.row, r.problem) for r in result.rejected] == [(4, Problem.NAME_TOO_LONG)]
    async with database.session() as session:
        names = set((await session.execute(select(Target.name))).scalars())
    assert names == {"Çitra Dewi Ñoviyanti", "ꦱꦶꦠꦶ Siti"}


async def test_reimport_updates_details_and_never_loses_a_confirmation_or_a_recording(
    database: Database, tmp_path: Path
) -> None:
    await run_import(database, write_csv(tmp_path / "a.csv", ID_HEADER, [person(1), person(2)]))
    async with database.session() as session:
        first, second = await targets_of(session, [person(1), person(2)])
        first.recorded_at = IMPORT_NOW - timedelta(days=2)
        from bot.db.models import Place

        place = Place(name="MPP")
        session.add(place)
        await session.flush()
        service = ServiceSession(
            place_id=place.id,
            starts_at=IMPORT_NOW + timedelta(days=3),
            ends_at=IMPORT_NOW + timedelta(days=3, hours=3),
            capacity=5,
            booked=1,
        )
        session.add(service)
        await session.flush()
        session.add(
            Summons(target_id=second.id, session_id=service.id, state=SummonsState.CONFIRMED)
        )
        codes = (first.invite_hash, second.invite_hash)
    renamed = person(2, name="Remaja Uji Dua")
    result = await run_import(
        database, write_csv(tmp_path / "b.csv", ID_HEADER, [person(1), renamed, person(3)])
    )
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    async with database.session() as session:
        first, second, _third = await targets_of(session, [person(1), renamed, person(3)])
        assert first.recorded_at is not None
        assert second.name == "Remaja Uji Dua"
        assert (first.invite_hash, second.invite_hash) == codes
        state = await session.scalar(select(Summons.state).where(Summons.target_id == second.id))
        assert state == SummonsState.CONFIRMED


async def test_a_status_column_marks_recorded_but_never_unmarks(
    database: Database, tmp_path: Path
) -> None:
    done = person(1)
    done[-1] = "Sudah Rekam"
    await run_import(database, write_csv(tmp_path / "a.csv", ID_HEADER, [done, person(2)]))
    await run_import(database, write_csv(tmp_path / "b.csv", ID_HEADER, [person(1), person(2)]))
    async with database.session() as session:
        recorded = [t.recorded_at for t in await targets_of(session, [done, person(2)])]
    assert recorded[0] is not None and recorded[1] is None


async def test_a_file_without_the_nik_column_is_refused_before_any_row(
    database: Database, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", ["nama", "tanggal_lahir"], [["Rina", "12-03-2009"]])
    with pytest.raises(HeaderError) as raised:
        await run_import(database, path)
    assert raised.value.missing == ("nik",)


def test_rekam_import_prints_totals_and_writes_the_reject_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    bad = [*person(2)]
    bad[0] = "123"
    path = write_csv(tmp_path / "sasaran.csv", ID_HEADER, [person(1), bad])
    assert main(["import", "targets", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in out
    assert "baris 3 (Remaja Uji 2 ***): NIK salah" in out
    with (tmp_path / "sasaran-csv-ditolak.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1] == [
            "3",
            "Remaja Uji 2",
            "***",  # masked, whatever the cell held
            "NIK",  # the file's own header
            "NIK salah (harus 16 angka dengan tanggal lahir yang benar)",
        ]
    assert main(["import", "targets", str(tmp_path / "missing.txt")]) == 1


def test_sessions_import_adds_then_updates_and_refuses_bad_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    header = [
        "tempat",
        "alamat",
        "lat",
        "lon",
        "jenis",
        "tanggal",
        "mulai",
        "selesai",
        "kapasitas",
        "layanan",
        "bawa",
        "kecamatan",
    ]
    rows = [
        [
            "MPP Kota",
            "Jl. Merdeka 1",
            "-7.98",
            "112.63",
            "mpp",
            soon(1),
            "08.00",
            "11.00",
            "50",
            "rekam, cetak",
            "KK",
            "Utara",
        ],
        [
            "SMA Negeri Uji",
            "",
            "",
            "",
            "sekolah",
            soon(2, "%Y-%m-%d"),
            "09:00",
            "12:00",
            "40",
            "rekam",
            "",
            "Utara",
        ],
        ["MPP Kota", "", "", "", "mpp", "31-11-2026", "08.00", "11.00", "50", "", "", ""],
        ["MPP Kota", "", "", "", "mpp", soon(3), "11.00", "08.00", "50", "", "", ""],
        ["MPP Kota", "", "", "", "mpp", soon(4), "08.00", "11.00", "banyak", "", "", ""],
        ["Balai", "", "", "", "kapal", soon(4), "08.00", "11.00", "5", "", "", ""],
    ]
    path = write_csv(tmp_path / "jadwal.csv", header, rows)
    assert main(["import", "sessions", str(path)]) == 0
    assert "Ditambah 2, diperbarui 0, tetap 0, ditolak 4." in capsys.readouterr().out
    rows[0][8] = "60"
    assert (
        main(["import", "sessions", str(write_csv(tmp_path / "lagi.csv", header, rows[:2]))]) == 0
    )
    assert "Ditambah 0, diperbarui 2" in capsys.readouterr().out


async def test_an_invitation_code_that_collides_is_drawn_again(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await run_import(database, write_csv(tmp_path / "a.csv", ID_HEADER, [person(1)]))
    async with database.session() as session:
        taken = vault_of(session).open_code(str(await session.scalar(select(Target.invite_sealed))))
    # The invitation code collides on the first draw (each draw: invitation, attendance).
    pairs = iter([[taken, "ATTEND01"], ["FRESH234", "ATTEND02"]])
    monkeypatch.setattr("bot.services.imports.new_codes", lambda count: next(pairs))
    result = await run_import(database, write_csv(tmp_path / "b.csv", ID_HEADER, [person(2)]))
    assert result.added == 1
    async with database.session() as session:
        vault = vault_of(session)
        sealed = (await session.execute(select(Target.invite_sealed))).scalars()
        codes = {vault.open_code(code) for code in sealed}
    assert codes == {taken, "FRESH234"}


async def test_the_lembaga_column_says_whose_pesantren_or_prison_list_a_target_is_on(
    database: Database, tmp_path: Path
) -> None:
    rows = [[*person(1), "Pondok Pesantren  Al-Falah"], [*person(2), ""]]
    path = write_csv(tmp_path / "lapas.csv", [*ID_HEADER, "Lembaga"], rows)
    assert (await run_import(database, path)).added == 2
    async with database.session() as session:
        found = [(t.name, t.institution) for t in await targets_of(session, rows)]
        assert found == [
            ("Remaja Uji 1", "Pondok Pesantren Al-Falah"),
            ("Remaja Uji 2", None),
        ]


def test_rows_outside_the_target_age_are_reported_not_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    monkeypatch.setenv("ELECTION_DATE", "2029-02-14")
    # The default, 17 by election day: 17 on 14 February 2029, not the day after.
    by_election = [person(1, born=date(2012, 2, 14)), person(2, born=date(2012, 2, 15))]
    path = write_csv(tmp_path / "sasaran.csv", ID_HEADER, by_election)
    assert main(["import", "targets", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in out
    assert (
        "baris 3 (Remaja Uji 2 3599************): belum cukup umur untuk daftar sasaran: pada "
        "Rabu, 14 Februari 2029 baru berusia 16 tahun"
    ) in out

    monkeypatch.setenv("TARGET_MIN_AGE", "16")  # 16 and over today
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    sixteen = date(today.year - 16, 1, 1) if today.month > 1 else date(today.year - 17, 1, 1)
    rows = [person(3, born=sixteen), person(4, born=date(2012, 2, 14))]
    path = write_csv(tmp_path / "enam-belas.csv", ID_HEADER, rows)
    assert main(["import", "targets", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in out
    assert "baris 3 (Remaja Uji 4 3599************): belum cukup umur" in out

    monkeypatch.setenv("TARGET_MIN_AGE", "18")
    assert main(["import", "targets", str(path)]) != 0
    assert "TARGET_MIN_AGE" in capsys.readouterr().err


async def test_chunk_after_chunk_a_file_goes_in_once_with_duplicates_across_chunks_refused(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "CHUNK", 3)  # rows 2-4, 5-7, 8-10, ... each its own chunk
    rows = [person(serial) for serial in range(1, 11)]
    rows.insert(4, person(2, name="Sama NIK"))  # row 6: the NIK of row 3, a chunk earlier
    mismatched = person(12)
    mismatched[2] = "13-03-2009"
    rows.insert(8, mismatched)  # row 10: its birth date is not its NIK's
    rows.append(person(11))  # row 13: alone in the last chunk
    result = await run_import(database, write_csv(tmp_path / "a.csv", ID_HEADER, rows))
    assert (result.added, result.updated, result.unchanged) == (11, 0, 0)
    assert [(r.row, r.problem, r.column) for r in result.rejected] == [
        (6, Problem.DUPLICATE, "nik"),
        (10, Problem.DATE_MISMATCH, "birth_date"),
    ]
    async with database.session() as session:
        found = (await session.execute(select(Target).order_by(Target.id))).scalars().all()
        codes = [code for t in found for code in (t.invite_hash, t.attend_hash)]
        names = sorted(t.name for t in found)
    assert names == sorted(f"Remaja Uji {serial}" for serial in range(1, 12))
    assert len(set(codes)) == len(codes) == 22

    rows[0][1] = "Nama Baru"  # changed in the first chunk; the rest as they were
    again = await run_import(database, write_csv(tmp_path / "b.csv", ID_HEADER, rows))
    assert (again.added, again.updated, again.unchanged) == (0, 1, 10)
    assert [r.row for r in again.rejected] == [6, 10]
    assert await count(database, Target) == 11


async def test_what_an_import_stores_reads_back_as_the_file_said(
    database: Database, tmp_path: Path
) -> None:
    rows = [person(1), person(2, born=date(2010, 1, 31), female=False)]
    rows[1][9] = "Sudah Rekam"
    await run_import(database, write_csv(tmp_path / "a.csv", ID_HEADER, rows))
    async with database.session() as session:
        vault = vault_of(session)
        found = await targets_of(session, rows)
        assert [vault.open(t.nik_sealed) for t in found] == [rows[0][0], rows[1][0]]
        assert [t.nik_hash for t in found] == [vault.hash(rows[0][0]), vault.hash(rows[1][0])]
        assert [t.birth_date for t in found] == [date(2009, 3, 12), date(2010, 1, 31)]
        assert [t.recorded_at for t in found] == [None, IMPORT_NOW]
        assert [t.created_at for t in found] == [IMPORT_NOW, IMPORT_NOW]
        assert [t.sex for t in found] == ["P", "L"]


async def test_rows_put_in_another_order_for_the_indexes_keep_each_their_own_nik_and_details(
    database: Database, tmp_path: Path
) -> None:
    # One chunk's rows go in sorted by NIK hash (with the invitation codes' hashes sorted): every
    # target must still carry the sealed NIK, name, date and school of its own row.
    rows = [
        person(serial, born=date(2009, 1 + serial % 12, 1 + serial % 28), female=serial % 3 == 0)
        for serial in range(1, 41)
    ]
    assert (await run_import(database, write_csv(tmp_path / "a.csv", ID_HEADER, rows))).added == 40
    async with database.session() as session:
        vault = vault_of(session)
        found = await targets_of(session, rows)
        for row, target in zip(rows, found, strict=True):
            assert vault.open(target.nik_sealed) == row[0]
            assert target.name == row[1]
            assert target.birth_date.strftime("%d-%m-%Y") == row[2]
            assert target.sex == row[3]
            assert target.category == row[8]
        by_id = sorted(found, key=lambda t: t.id)
    # The order the indexes were given: ids rise with the hash, and so do the invitation
    # codes' hashes; attendance codes do not follow them (one code must say nothing about the
    # other).
    assert [t.nik_hash for t in by_id] == sorted(t.nik_hash for t in found)
    assert [t.invite_hash for t in by_id] == sorted(t.invite_hash for t in found)
    assert [t.attend_hash for t in by_id] != sorted(t.attend_hash for t in found)
