"""What a clerk at the office notices on the command line: a session's id to broadcast to,
unknown names refused with the names they may mean, nothing sent to nobody without asking,
`-` as standard output, file names whose extension matches what is written, and every line
in the office's language (argparse's own words and file errors included)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db.models import Broadcast, Place, ServiceSession
from bot.domain.kinds import PlaceKind, place_kind
from bot.i18n import format_day
from tests.support.harness import database, make_settings
from tests.support.sheets import ID_HEADER, person, write_csv


class _Terminal(io.StringIO):
    """Standard input as a person at a terminal types it."""

    def isatty(self) -> bool:
        return True


def _count(url: str, model: type) -> int:
    async def count() -> int:
        db = database(url)
        async with db.session() as session:
            found = await session.scalar(select(func.count()).select_from(model))
        await db.dispose()
        return int(found or 0)

    return asyncio.run(count())


# --- rekam sessions -------------------------------------------------------------------------


def test_sessions_lists_ids_places_days_hours_and_seats(
    desk: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def first() -> ServiceSession:
        db = database(desk)
        async with db.session() as session:
            found = await session.scalar(select(ServiceSession).order_by(ServiceSession.starts_at))
        await db.dispose()
        assert found is not None
        return found

    weekday = asyncio.run(first())
    zone = make_settings(desk).zone
    assert main(["sessions"]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.split()[0] == str(weekday.id))
    day = format_day(weekday.starts_at.astimezone(zone).date(), "id")
    assert "Kantor Kecamatan Utara" in line and day in line and "08.00–11.00 WIB" in line
    assert line.split()[-3:] == ["2", "2", "0"]  # taken, seats, free
    assert out.splitlines()[0].split()[:3] == ["ID", "kode", "tempat"]
    assert out.rstrip().endswith("3 jadwal.")


# --- unknown targets, and nobody reached ----------------------------------------------------


def test_a_misspelled_kelurahan_is_refused_with_the_name_it_may_mean(
    desk: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["broadcast", "--kelurahan", "Mawr", "Besok", "libur"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == 'Kelurahan "Mawr" tidak ada di daftar kantor. Maksudnya: "Mawar"?'
    assert _count(desk, Broadcast) == 0


def test_an_unknown_session_is_refused_and_points_to_the_list(
    desk: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["broadcast", "--session", "999", "Besok", "libur"]) == 1
    assert capsys.readouterr().err.strip() == (
        "Tidak ada jadwal nomor 999. Nomor jadwal ada di daftar: rekam sessions"
    )
    assert _count(desk, Broadcast) == 0


def test_a_broadcast_to_nobody_is_refused_even_with_yes(
    desk: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Nobody of Mawar is on Telegram (only Remaja 1 of Melati is): the service refuses it,
    # in the words the bot and the dashboard use, whatever the clerk answers.
    assert main(["broadcast", "--kelurahan", "mawar", "--yes", "Besok", "libur"]) == 1
    assert capsys.readouterr().err.strip() == (
        "Siaran ini tidak sampai ke siapa pun: tidak ada penerima yang belum merekam, di "
        "Telegram maupun di nomor telepon. Tidak ada yang dikirim."
    )
    assert _count(desk, Broadcast) == 0


def test_an_over_long_broadcast_is_refused_naming_the_limit(
    desk: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["broadcast", "--all-pending", "x" * 3501]) == 1
    assert capsys.readouterr().err.strip() == (
        "Pesan terlalu panjang (3.501 karakter; paling banyak 3.500)."
    )
    assert _count(desk, Broadcast) == 0


def test_invitations_for_an_unknown_school_write_nothing(
    desk: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["invites", str(tmp_path / "u.csv"), "--school", "SMK Ujii"]) == 1
    assert capsys.readouterr().err.strip() == (
        'Sekolah "SMK Ujii" tidak ada di daftar kantor. Maksudnya: "SMK Uji"?'
    )
    assert not (tmp_path / "u.csv").exists()
    # Case does not count: the school as the office's list spells it.
    assert main(["invites", str(tmp_path / "u.csv"), "--school", "smk uji"]) == 0
    assert "2 undangan ditulis" in capsys.readouterr().out


# --- output files: `-`, and extensions that match -------------------------------------------


def test_dash_is_standard_output_not_a_file_named_dash(
    desk: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    here = tmp_path / "di-sini"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["homevisits", "--format", "csv", "-o", "-"]) == 0
    said = capsysbinary.readouterr()
    assert said.out.decode("utf-8-sig").splitlines()[0].startswith("ID,nama,")
    assert "0 permintaan kunjungan rumah." in said.err.decode()
    assert main(["invites", "-"]) == 0
    rows = list(csv.reader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig"))))
    assert rows[0] == ["NIK", "nama", "kode", "tautan"] and len(rows) == 6
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(
    ("command", "said"),
    [
        (["letters", "surat.txt"], "Nama berkas surat.txt harus berakhiran .pdf."),
        (["invites", "undangan.pdf"], "Nama berkas undangan.pdf harus berakhiran .csv / .xlsx."),
        (
            ["report", "--format", "csv", "-o", "lap.xlsx"],
            "Nama berkas lap.xlsx harus berakhiran .csv.",
        ),
        (["report", "-o", "lap.txt"], "Nama berkas lap.txt harus berakhiran .csv / .xlsx."),
        (
            ["homevisits", "--format", "xlsx", "-o", "antrean.csv"],
            "Nama berkas antrean.csv harus berakhiran .xlsx.",
        ),
    ],
)
def test_an_output_file_whose_extension_is_not_its_format_is_refused(
    desk: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    said: str,
) -> None:
    here = tmp_path / "di-sini"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(command) == 1
    assert capsys.readouterr().err.strip() == said
    assert list(here.iterdir()) == []


def test_a_report_file_takes_its_format_from_its_name(
    desk: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "-o", str(tmp_path / "lap.xlsx")]) == 0
    assert (tmp_path / "lap.xlsx").read_bytes().startswith(b"PK")
    assert f"Laporan ditulis ke {tmp_path / 'lap.xlsx'}." in capsys.readouterr().out


def test_a_wrong_rejects_name_is_refused_before_anything_is_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/office.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    path = write_csv(tmp_path / "s.csv", ID_HEADER, [person(1)])
    assert main(["import", "targets", str(path), "--rejects", "tolak.txt"]) == 1
    assert capsys.readouterr().err.strip() == (
        "Nama berkas tolak.txt harus berakhiran .csv / .xlsx."
    )
    assert not (tmp_path / "office.db").exists()


# --- the office's language everywhere --------------------------------------------------------


def test_argparse_speaks_the_office_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["import"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("penggunaan: rekam import")
    assert "rekam import: argumen ini wajib diisi: JENIS, BERKAS" in err
    with pytest.raises(SystemExit):
        main(["report", "--by", "provinsi"])
    assert (
        "rekam report: --by: 'provinsi' tidak dikenal; pilih salah satu: kelurahan, kecamatan, "
        "sekolah" in capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["summon", "--sekarang"])
    assert "rekam: argumen tidak dikenal: --sekarang" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["broadcast", "--session", "tiga", "Halo"])
    assert "rekam broadcast: --session: nilai 'tiga' tidak benar" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["broadcast", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("penggunaan: rekam broadcast")
    assert "argumen posisi:" in out and "opsi:" in out
    assert "-h, --help" in out and "tampilkan bantuan ini lalu keluar" in out
    for english in ("usage:", "positional arguments", "options:", "show this help", "error:"):
        assert english not in out + err


def test_a_missing_or_wrong_file_is_said_in_a_sentence_that_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    missing = tmp_path / "tidak-ada.csv"
    assert main(["import", "targets", str(missing)]) == 1
    assert capsys.readouterr().err.strip() == f"Berkas atau foldernya tidak ada: {missing}"
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert main(["import", "sessions", str(folder)]) == 1
    assert capsys.readouterr().err.strip() == f"{folder} adalah folder, bukan berkas."
    broken = tmp_path / "rusak.xlsx"
    broken.write_text("bukan buku kerja")
    assert main(["import", "recorded", str(broken)]) == 1
    assert (
        capsys.readouterr()
        .err.strip()
        .startswith(f"Berkas {broken} bukan buku kerja XLSX yang utuh")
    )
    nowhere = tmp_path / "tidak" / "ada" / "lap.csv"
    assert main(["report", "-o", str(nowhere)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"Berkas atau foldernya tidak ada: {nowhere}"
    assert "Error" not in err and "Errno" not in err


# --- the office's words for a place ---------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("Balai Desa", PlaceKind.OTHER),
        ("balai_kelurahan", PlaceKind.OTHER),
        ("AULA", PlaceKind.OTHER),
        ("GOR", PlaceKind.OTHER),
        ("Posyandu", PlaceKind.OTHER),
        ("Kantor  Kecamatan", PlaceKind.KECAMATAN),
        ("Pondok Pesantren", PlaceKind.PESANTREN),
        ("car free day", PlaceKind.CAR_FREE_DAY),
        ("Sekolah", PlaceKind.SCHOOL),
        ("stadion", None),
    ],
)
def test_place_kinds_read_as_offices_write_them(written: str, kind: PlaceKind | None) -> None:
    assert place_kind(written) == kind


def test_an_unknown_place_kind_lists_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/office.db"
    monkeypatch.setenv("DATABASE_URL", url)
    day = (datetime.now().date() + timedelta(days=10)).strftime("%d-%m-%Y")
    rows = [
        [place, day, "08.00", "12.00", "30", kind]
        for place, kind in (("Balai Desa Mawar", "Balai Desa"), ("GOR Utara", "GOR"))
    ]
    rows.append(["Stadion Utara", day, "08.00", "12.00", "30", "stadion"])
    path = write_csv(
        tmp_path / "jadwal.csv",
        ["Tempat", "Tanggal", "Mulai", "Selesai", "Kapasitas", "Jenis"],
        rows,
    )
    assert main(["import", "sessions", str(path)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 2, diperbarui 0, tetap 0, ditolak 1." in out
    assert (
        "baris 4 (Stadion Utara): jenis tempat tidak dikenal; yang dikenal: kantor, kecamatan, mpp, sekolah, "
        "pesantren, lapas, rutan, cfd, rumah, balai desa, balai kelurahan, aula, gor, posyandu, "
        "lainnya"
    ) in out
    with (tmp_path / "jadwal-csv-ditolak.csv").open(encoding="utf-8-sig") as handle:
        assert list(csv.reader(handle))[1][:4] == ["4", "Stadion Utara", "", "Jenis"]

    async def kinds() -> set[PlaceKind]:
        db = database(url)
        async with db.session() as session:
            found = set((await session.execute(select(Place.kind))).scalars())
        await db.dispose()
        return found

    assert asyncio.run(kinds()) == {PlaceKind.OTHER}
