"""Sample files the office fills in (target list, sessions, recorded list), with the Indonesian
column names the imports read: `rekam templates FOLDER` writes them, the dashboard's import page
offers them for download. The rows are made up (names marked CONTOH, NIKs built for the office's
own region codes and ages that belong on its target list), so every file imports cleanly as it
is, before the office's own rows replace them. The phone columns are there and empty: a made-up
number may be someone's."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.config import Settings
from bot.domain import nik as nik_rules
from bot.domain.eligibility import add_years
from bot.services.file_imports import FileKind

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
    "telepon",
    "telepon_ortu",
    "izin_wa",
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
                # No sample number: any number that looks real is someone's, and a sample
                # imported as it is would send them the office's messages.
                "",
                "",
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


# Each file's name (without its extension), as both front ends give it.
NAMES = {
    FileKind.TARGETS: "contoh-sasaran",
    FileKind.SESSIONS: "contoh-jadwal",
    FileKind.RECORDED: "contoh-sudah-rekam",
}


def template(kind: FileKind, settings: Settings, today: date) -> Table:
    """The sample file of this kind: its header and rows."""
    if kind == FileKind.TARGETS:
        return targets(settings, today)
    if kind == FileKind.SESSIONS:
        return sessions(today)
    return recorded(settings, today)
