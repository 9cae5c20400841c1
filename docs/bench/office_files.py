"""Generated office spreadsheets for the office benchmarks: a target list of N residents and a
sessions file. Nothing here is a real person: region codes 3599xx belong to no regency.

Run:
    python docs/bench/office_files.py --targets 280000 --sessions 2000 --out /tmp/office
    -> /tmp/office/targets.csv, /tmp/office/sessions.csv
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

KECAMATAN = 9
KELURAHAN_EACH = 8
SCHOOLS = 60
GIVEN = ("Ayu", "Bayu", "Citra", "Dimas", "Eka", "Fajar", "Gita", "Hadi", "Intan", "Joko")
FAMILY = ("Pratama", "Saputra", "Wijaya", "Lestari", "Kusuma", "Hidayat", "Permata", "Santoso")


def _nik(district: int, born: date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"3599{district:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def write_targets(path: Path, count: int, today: date, rng: random.Random) -> None:
    serials: dict[tuple[int, date, bool], int] = {}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
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
            ]
        )
        for _ in range(count):
            district = rng.randrange(1, KECAMATAN + 1)
            born = today - timedelta(days=rng.randrange(16 * 365 + 10, 18 * 365))
            female = rng.random() < 0.5
            key = (district, born, female)
            serials[key] = serials.get(key, 0) + 1
            school = rng.randrange(SCHOOLS)
            writer.writerow(
                [
                    _nik(district, born, female, serials[key]),
                    f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                    born.strftime("%d-%m-%Y"),
                    "P" if female else "L",
                    f"Kelurahan {district}-{rng.randrange(KELURAHAN_EACH)}",
                    f"Kecamatan {district}",
                    f"Jl. Contoh No. {rng.randrange(1, 200)}",
                    f"SMA Contoh {school}",
                    "SMK" if school % 4 == 0 else "SMA",
                    "",
                ]
            )


def write_sessions(path: Path, count: int, today: date, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "kode",
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
                "kelurahan",
                "kecamatan",
                "sekolah",
            ]
        )
        for number in range(count):
            district = number % (KECAMATAN + 1)  # 0: the city-wide office
            day = today + timedelta(days=2 + number % 61)
            if district == 0:
                row = [
                    "Kantor Dinas",
                    "Jl. Utama 1",
                    "",
                    "",
                    "kantor",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            elif number % 7 == 0:
                school = number % SCHOOLS
                row = [
                    f"SMA Contoh {school}",
                    "",
                    "",
                    "",
                    "sekolah",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"Kecamatan {district}",
                    f"SMA Contoh {school}",
                ]
            else:
                row = [
                    f"Kantor Kecamatan {district}",
                    "",
                    "",
                    "",
                    "kecamatan",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"Kecamatan {district}",
                ]
            hour = 8 + 3 * (number // 610 % 4)
            row[5:11] = [
                day.strftime("%d-%m-%Y"),
                f"{hour:02d}.00",
                f"{hour + 3:02d}.00",
                str(rng.randrange(100, 200)),
                "rekam",
                "Fotokopi KK",
            ]
            # The office's own code for each session: several sessions at one place on one
            # day are the office's plan, not a moved session (older checkouts ignore the column).
            writer.writerow([f"S{number:05d}", *(row + [""] * 14)[:14]])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=280_000)
    parser.add_argument("--sessions", type=int, default=2_000)
    parser.add_argument("--out", default="/tmp/office")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2024)
    today = date.today()
    write_targets(out / "targets.csv", args.targets, today, rng)
    write_sessions(out / "sessions.csv", args.sessions, today, rng)
    print(out / "targets.csv", out / "sessions.csv")


if __name__ == "__main__":
    main()
