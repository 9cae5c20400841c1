"""`rekam templates FOLDER`: the sample files import cleanly, as they are, with the very
commands the office will use for its own (the round trip a new office makes first)."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.domain import nik as nik_rules
from bot.services.templates import RECORD_COLUMNS, SESSION_COLUMNS, TARGET_COLUMNS


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3578")
    return tmp_path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_templates_import_cleanly_targets_sessions_then_recorded(
    office: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = office / "contoh"
    assert main(["templates", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"contoh-{name}.{ext}"
        for name in ("sasaran", "jadwal", "sudah-rekam")
        for ext in ("csv", "xlsx")
    )
    capsys.readouterr()
    assert main(["import", "targets", str(folder / f"contoh-sasaran.{kind}")]) == 0
    assert "Ditambah 6, diperbarui 0, tetap 0, ditolak 0." in capsys.readouterr().out
    assert main(["import", "sessions", str(folder / f"contoh-jadwal.{kind}")]) == 0
    assert "Ditambah 3, diperbarui 0, tetap 0, ditolak 0." in capsys.readouterr().out
    assert main(["import", "recorded", str(folder / f"contoh-sudah-rekam.{kind}")]) == 0
    assert capsys.readouterr().out.startswith("Ditandai sudah rekam 2, sudah terekam sebelumnya 0")
    assert not list(folder.glob("*ditolak*"))


def test_templates_carry_the_office_columns_and_no_real_people(office: Path) -> None:
    assert main(["templates", str(office)]) == 0
    for name, columns in (
        ("contoh-sasaran", TARGET_COLUMNS),
        ("contoh-jadwal", SESSION_COLUMNS),
        ("contoh-sudah-rekam", RECORD_COLUMNS),
    ):
        with (office / f"{name}.csv").open(encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
        assert tuple(rows[0]) == columns
    with (office / "contoh-sasaran.csv").open(encoding="utf-8-sig") as handle:
        teens = list(csv.DictReader(handle))
    assert all(teen["nama"].startswith("CONTOH ") for teen in teens)
    assert all(teen["nik"].startswith("357801") and len(teen["nik"]) == 16 for teen in teens)
    for teen in teens:  # a NIK whose date is the birth date given
        assert (
            nik_rules.build(
                "357801",
                datetime.strptime(teen["tanggal_lahir"], "%d-%m-%Y").date(),
                female=teen["jenis_kelamin"] == "P",
                serial=int(teen["nik"][-4:]),
            )
            == teen["nik"]
        )


def test_templates_never_overwrite_a_filled_in_file(
    office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    filled = office / "contoh-jadwal.csv"
    filled.write_text("kode,tempat\nJ1,Kantor Kami\n")
    assert main(["templates", str(office)]) == 1
    assert capsys.readouterr().err.strip() == f"Sudah ada, tidak ditimpa: {filled}"
    assert filled.read_text() == "kode,tempat\nJ1,Kantor Kami\n"
    assert not (office / "contoh-sasaran.csv").exists()
