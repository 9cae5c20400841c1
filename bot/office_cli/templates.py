"""`rekam templates FOLDER`: sample files the office fills in (target list, sessions, recorded
list), in CSV and XLSX, with the Indonesian column names the imports read. The rows are made
up (names marked CONTOH, NIKs built for the office's own region codes and ages that belong on
its target list), so every file imports cleanly as it is, before the office's own rows
replace them."""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.domain import nik as nik_rules
from bot.domain.eligibility import add_years
from bot.i18n import Gettext
from bot.office_cli.common import Refused
from bot.services import sheets

Table = tuple[tuple[str, ...], list[tuple[Any, ...]]]

TARGET_COLUMNS = (
    "nik",
    "nama",
    "tanggal_lahir",
    "jenis_kelamin",
    "kelurahan",
    "kecamatan",
    "alamat",
    "sekolah",
    "kategori",
    "status",
)
SESSION_COLUMNS = (
    "kode",
    "tempat",
    "alamat",
    "jenis",
    "tanggal",
    "mulai",
    "selesai",
    "kapasitas",
    "layanan",
    "bawa",
    "kelurahan",
    "kecamatan",
    "sekolah",
)
RECORD_COLUMNS = ("nik", "tanggal_rekam", "status")
SAMPLE_TEENS = 6


def add_command(commands: Any, _: Gettext) -> None:
    made = commands.add_parser(
        "templates",
        help=_("tulis contoh berkas impor (sasaran, jadwal, sudah rekam) dalam CSV dan XLSX"),
    )
    made.add_argument("folder", metavar=_("FOLDER"))
    made.set_defaults(handler=cmd_templates)


def _region(settings: Settings) -> str:
    """Six digits inside the office's first region code (any, when it has none)."""
    code = settings.office_region_codes[0] if settings.office_region_codes else "3599"
    return (code + "0101")[:6]


def _dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


def targets(settings: Settings, today: date) -> Table:
    """Sample teens: 17 by election day and 16 today, so either TARGET_MIN_AGE keeps them."""
    latest = min(add_years(settings.election_date, -17), add_years(today, -16))
    rows = []
    for serial in range(1, SAMPLE_TEENS + 1):
        born = latest - timedelta(days=30 + 17 * serial)
        female = serial % 2 == 0
        vocational = serial <= SAMPLE_TEENS // 2
        rows.append(
            (
                nik_rules.build(_region(settings), born, female=female, serial=serial),
                f"CONTOH Remaja {serial}",
                _dmy(born),
                "P" if female else "L",
                "Mawar" if serial % 2 else "Melati",
                "Utara",
                f"Jl. Contoh No. {serial}",
                "SMK Negeri Contoh" if vocational else "SMA Negeri Contoh",
                "SMK" if vocational else "SMA",
                "",
            )
        )
    return TARGET_COLUMNS, rows


def sessions(today: date) -> Table:
    """Sample sessions next week: a kecamatan office, a kelurahan hall, a school's visit."""
    first = today + timedelta(days=7)
    places = (
        ("Kantor Kecamatan Utara", "kecamatan", 50, "rekam", "Kartu Keluarga", "Mawar", ""),
        (
            "Balai Kelurahan Melati",
            "balai kelurahan",
            30,
            "rekam, ikd",
            "Kartu Keluarga",
            "Melati",
            "",
        ),
        (
            "SMK Negeri Contoh",
            "sekolah",
            40,
            "rekam",
            "Kartu pelajar",
            "Mawar",
            "SMK Negeri Contoh",
        ),
    )
    rows = [
        (
            f"CONTOH-{number}",
            place,
            f"Jl. Contoh No. {number * 10}",
            kind,
            _dmy(first + timedelta(days=number - 1)),
            "08.00",
            "12.00",
            seats,
            services,
            bring,
            kelurahan,
            "Utara",
            school,
        )
        for number, (place, kind, seats, services, bring, kelurahan, school) in enumerate(
            places, start=1
        )
    ]
    return SESSION_COLUMNS, rows


def recorded(settings: Settings, today: date) -> Table:
    """The first two sample teens, recorded yesterday."""
    status = settings.recorded_statuses[0] if settings.recorded_statuses else ""
    _, teens = targets(settings, today)
    return RECORD_COLUMNS, [
        (teen[0], _dmy(today - timedelta(days=1)), status) for teen in teens[:2]
    ]


def cmd_templates(args: argparse.Namespace, _: Gettext) -> int:
    """Write the six sample files; refuse to overwrite a file the office may have filled in."""
    settings = load_settings()
    today = Clock(settings.zone).today()
    folder = Path(args.folder)
    tables = {
        "contoh-sasaran": targets(settings, today),
        "contoh-jadwal": sessions(today),
        "contoh-sudah-rekam": recorded(settings, today),
    }
    paths = [folder / f"{name}.{kind}" for name in tables for kind in ("csv", "xlsx")]
    present = [str(path) for path in paths if path.exists()]
    if present:
        raise Refused(_("Sudah ada, tidak ditimpa: {paths}").format(paths=", ".join(present)))
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        header, rows = tables[path.stem]
        sheets.write(path, header, rows)
        print(path)
    print(
        _(
            "Contoh berkas ditulis ke {folder}. Baris CONTOH dibuat-buat: ganti dengan data kantor, "
            "lalu impor dengan rekam import targets / sessions / recorded BERKAS."
        ).format(folder=folder)
    )
    return 0
