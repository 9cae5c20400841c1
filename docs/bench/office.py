"""Office benchmarks: import a city's target list, summon it, report on it, each as the real
`rekam` command in its own process, timed with its peak memory (/usr/bin/time).

Run:
    python docs/bench/office.py --targets 280000 --sessions 2000 [--database URL] [--report-only]
The database must be empty (a fresh SQLite file is made when --database is not given).
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(label: str, args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stdout}\n{result.stderr}")
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    print(f"{label:<28} {float(seconds):7.2f} s   peak {int(kilobytes) / 1024:6.0f} MB")
    last = [line for line in result.stdout.splitlines() if line.strip()][-1:]
    for line in last:
        print(f"    {line[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=280_000)
    parser.add_argument("--sessions", type=int, default=2_000)
    parser.add_argument("--database")
    parser.add_argument("--report-only", action="store_true", help="import and report, no summon")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rekam-office-"))
    subprocess.run(
        [
            sys.executable,
            str(HERE / "office_files.py"),
            "--targets",
            str(args.targets),
            "--sessions",
            str(args.sessions),
            "--out",
            str(work),
        ],
        check=True,
        capture_output=True,
    )
    env = {
        **os.environ,
        "DATABASE_URL": args.database or f"sqlite+aiosqlite:///{work}/office.db",
        "OFFICE_REGION_CODES": "3599",
        "ELECTION_DATE": (date.today() + timedelta(days=90)).isoformat(),
        # NIKs are hashed and sealed as they go in (an older checkout ignores it).
        "DATA_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        # The generated list has 16- and 17-year-olds: every row goes in (older checkouts
        # have no age rule and take them all too).
        "TARGET_MIN_AGE": "16",
    }
    size = (work / "targets.csv").stat().st_size / 1e6
    print(
        f"{args.targets:,} target rows ({size:.0f} MB CSV), {args.sessions:,} session rows; {env['DATABASE_URL'].split(':')[0]}"
    )
    timed("import targets", ["import", "targets", str(work / "targets.csv")], env)
    timed("import targets again", ["import", "targets", str(work / "targets.csv")], env)
    if not args.report_only:
        timed("import sessions", ["import", "sessions", str(work / "sessions.csv")], env)
        timed("summon", ["summon"], env)
    timed("report --by kelurahan", ["report", "--by", "kelurahan"], env)
    timed("report --by school", ["report", "--by", "school"], env)


if __name__ == "__main__":
    main()
