"""How far `rekam import targets` is from the bare load of the same file, measured side by side
in one run: each step its own process, timed with its peak memory (/usr/bin/time).

The bare load reads the same CSV with `csv` and writes every row in one go into a table of the
file's columns with a unique index on the NIK: one `sqlite3` executemany on SQLite, one asyncpg
`copy_records_to_table` on PostgreSQL (into the same database). It checks nothing, hashes and
seals nothing, and makes no codes. It runs before and after the import; the ratio is against
their mean, so a machine that got busier halfway counts against neither.

Run:
    python docs/bench/import_ratio.py --targets 280000 [--database URL] [--again]
The database must be empty (a fresh SQLite file is made when --database is not given); a
PostgreSQL URL is postgresql+asyncpg://..., and migrations are applied by `rekam`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
BARE_TABLE = "bench_bare_targets"


def _csv_rows(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    handle = path.open(newline="", encoding="utf-8")
    reader = csv.reader(handle)
    return next(reader), reader


def bare_sqlite(path: Path, database: Path) -> None:
    """csv.reader straight into one executemany, one transaction, one unique index."""
    header, rows = _csv_rows(path)
    connection = sqlite3.connect(database)
    columns = ", ".join(f"{name} TEXT" for name in header)
    connection.execute(f"CREATE TABLE {BARE_TABLE} ({columns})")
    connection.execute(f"CREATE UNIQUE INDEX ix_{BARE_TABLE}_nik ON {BARE_TABLE} (nik)")
    marks = ", ".join("?" for _ in header)
    connection.executemany(f"INSERT INTO {BARE_TABLE} VALUES ({marks})", rows)  # noqa: S608 (our own table)
    connection.commit()
    connection.close()


async def bare_postgresql(path: Path, url: str) -> None:
    """csv.reader straight into one COPY, one transaction, one unique index."""
    import asyncpg

    header, rows = _csv_rows(path)
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        columns = ", ".join(f"{name} TEXT" for name in header)
        await connection.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        await connection.execute(f"CREATE TABLE {BARE_TABLE} ({columns})")
        await connection.execute(f"CREATE UNIQUE INDEX ix_{BARE_TABLE}_nik ON {BARE_TABLE} (nik)")
        async with connection.transaction():
            await connection.copy_records_to_table(BARE_TABLE, records=rows, columns=header)
    finally:
        await connection.close()


async def drop_bare(url: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
    finally:
        await connection.close()


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak MB and the last line printed, of one process."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", sys.executable, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return float(seconds), int(kilobytes) / 1024, (lines[0] if lines else "")


def bare(path: Path, database: str | None, work: Path, env: dict[str, str]) -> tuple[float, float]:
    target = database or str(work / f"bare-{time.monotonic_ns()}.db")
    seconds, peak, _ = timed([__file__, "--bare", str(path), "--database", target], env)
    if database is None:
        Path(target).unlink()
    else:
        asyncio.run(drop_bare(database))
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=280_000)
    parser.add_argument("--database", help="the empty database rekam imports into")
    parser.add_argument("--files", help="a directory of office_files.py's output to reuse")
    parser.add_argument("--again", action="store_true", help="also time a second import")
    parser.add_argument("--bare", help=argparse.SUPPRESS)  # the bare load alone, of this file
    args = parser.parse_args()
    if args.bare:
        if args.database.startswith("postgresql"):
            asyncio.run(bare_postgresql(Path(args.bare), args.database))
        else:
            bare_sqlite(Path(args.bare), Path(args.database))
        return

    work = Path(tempfile.mkdtemp(prefix="rekam-import-"))
    files = Path(args.files) if args.files else work
    if not (files / "targets.csv").exists():
        generate = [str(HERE / "office_files.py"), "--targets", str(args.targets)]
        generate += ["--sessions", "10", "--out", str(files)]
        subprocess.run([sys.executable, *generate], check=True, capture_output=True)
    path = files / "targets.csv"
    database = args.database or f"sqlite+aiosqlite:///{work}/office.db"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "OFFICE_REGION_CODES": "3599",
        "ELECTION_DATE": (date.today() + timedelta(days=90)).isoformat(),
        "DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "TARGET_MIN_AGE": "16",  # the generated list has 16- and 17-year-olds: every row goes in
    }
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    backend = database.split(":")[0].split("+")[0]
    print(f"{rows:,} rows ({path.stat().st_size / 1e6:.0f} MB CSV), {backend}, {time.ctime()}")
    before, before_peak = bare(path, args.database, work, env)
    imported, peak, said = timed(["-m", "bot", "import", "targets", str(path)], env)
    again = timed(["-m", "bot", "import", "targets", str(path)], env) if args.again else None
    after, after_peak = bare(path, args.database, work, env)
    base = (before + after) / 2
    print(
        f"  bare load      {before:7.2f} s / {after:.2f} s  peak {max(before_peak, after_peak):5.0f} MB"
    )
    print(f"  rekam import   {imported:7.2f} s   peak {peak:5.0f} MB   {said}")
    if again is not None:
        print(f"  import again   {again[0]:7.2f} s   peak {again[1]:5.0f} MB   {again[2]}")
    print(f"  ratio          {imported / base:7.2f}x the bare load ({base:.2f} s)")
    print(
        f"| {rows:,} | {backend} | {base:.2f} | {imported:.2f} | {imported / base:.2f}x | {peak:.0f} |"
    )


if __name__ == "__main__":
    main()
