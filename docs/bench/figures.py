"""The office's figures at a million targets, with and without numbers on the records: the cost
of `figures.count` (what the overview and `rekam report` count), reach per channel included.

The office is written straight into the database with SQL (a few seconds, not the 8 minutes of
docs/bench/dashboard.py's real imports): targets over 200 kelurahan and 300 schools, 90 % of
them summoned (half still waiting, the rest answered, come or recorded), 12 % recorded, 60,000
teens on Telegram (3 % of them blocked the bot), 20,000 linked parents, and numbers on
`--numbers` of the records (the guardian's on each of those, the teen's on half of them; 65 %
with the WhatsApp consent; 1 % stopped SMS); 2,000 summonses failed on every rung. Values are
spread by arithmetic on the id, the same on both backends; NIKs and codes are placeholders
(figures never open them).

Run (one benchmark at a time on a shared machine: flock):
    flock /tmp/rekam-bench.lock .venv/bin/python docs/bench/figures.py --targets 1000000 \
        --numbers 0.8 --work /tmp/rekam-figures [--database URL] [--repeat 7] [--no-reach]
Each --work/--database office is built once and reused; --rebuild builds it again. For
PostgreSQL, createdb -h 127.0.0.1 -U postgres NAME first (ANALYZE runs after the build).
To compare with another commit's code, put a copy of its bot/ first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.services import figures

_NOW = "2026-12-01 08:00:00"


def _series(dialect: str, n: int) -> str:
    """A CTE `n(i)` of 1..n on either backend."""
    if dialect == "postgresql":
        return f"n(i) AS (SELECT generate_series(1, {n}))"
    return f"n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n})"


def _statements(dialect: str, targets: int, numbers: float) -> list[str]:
    recursive = "WITH RECURSIVE " if dialect != "postgresql" else "WITH "
    # An instant inside CASE: PostgreSQL types a CASE of literals as text, not as the column.
    at = f"TIMESTAMPTZ '{_NOW}+00'" if dialect == "postgresql" else f"'{_NOW}'"
    pick = int(numbers * 1000)
    summoned_states = (
        "CASE WHEN i % 10 < 5 THEN 'summoned' WHEN i % 10 = 5 THEN 'confirmed' "
        "WHEN i % 10 = 6 THEN 'declined' WHEN i % 10 = 7 THEN 'moved' "
        "WHEN i % 10 = 8 THEN 'attended' ELSE 'no_show' END"
    )
    return [
        f"{recursive}{_series(dialect, 200)} INSERT INTO regions (id, kecamatan, kelurahan) "
        "SELECT i, 'Kecamatan ' || (i % 20), 'Kelurahan ' || i FROM n",
        f"{recursive}{_series(dialect, 300)} INSERT INTO schools (id, name, region_id) "
        "SELECT i, 'Sekolah ' || i, 1 + i % 200 FROM n",
        "INSERT INTO places (id, name, address, kind) VALUES (1, 'Kantor', '', 'office')",
        f"{recursive}{_series(dialect, 2000)} INSERT INTO service_sessions (id, place_id, "
        "starts_at, ends_at, capacity, booked, services, bring, state, created_at, updated_at) "
        f"SELECT i, 1, '{_NOW}', '{_NOW}', 1000, 0, '[]', '', 'open', '{_NOW}', '{_NOW}' FROM n",
        f"{recursive}{_series(dialect, targets)} INSERT INTO targets (id, nik_hash, nik_sealed, "
        "name, birth_date, region_id, school_id, source, review, preferred_days, recorded_at, "
        "invite_hash, invite_sealed, attend_hash, attend_sealed, created_at, updated_at) "
        "SELECT i, 'n' || i, 'x', 'Sasaran ' || i, '2009-06-01', 1 + ((i % 10007) * 7919) % 200, "
        "1 + ((i % 10009) * 1031) % 300, 'imported', 'accepted', 'any', "
        f"CASE WHEN i % 100 < 12 THEN {at} END, 'v' || i, 'x', 'a' || i, 'x', "
        f"'{_NOW}', '{_NOW}' FROM n",
        "INSERT INTO summonses (id, target_id, session_id, state, revision, created_at, "
        f"updated_at) SELECT id, id, 1 + id % 2000, {summoned_states.replace('i %', 'id %')}, "
        f"0, '{_NOW}', '{_NOW}' FROM targets WHERE id % 10 <> 9",
        "INSERT INTO accounts (id, telegram_id, language, language_chosen, role, target_id, "
        f"unreachable_at, created_at, updated_at) SELECT id, 1000000000 + id, 'id', "
        f"{'false' if dialect == 'postgresql' else '0'}, 'teen', id, "
        f"CASE WHEN id % 100 < 3 THEN {at} END, '{_NOW}', '{_NOW}' "
        f"FROM targets WHERE id % {max(targets // 60000, 1)} = 0",
        "INSERT INTO accounts (id, telegram_id, language, language_chosen, role, "
        f"created_at, updated_at) SELECT {targets} + id, 2000000000 + id, 'id', "
        f"{'false' if dialect == 'postgresql' else '0'}, 'parent', '{_NOW}', '{_NOW}' "
        f"FROM targets WHERE id % {max(targets // 20000, 1)} = 1",
        "INSERT INTO parent_links (parent_account_id, target_id, state, method, created_at) "
        f"SELECT {targets} + id, id, 'active', 'code', '{_NOW}' "
        f"FROM targets WHERE id % {max(targets // 20000, 1)} = 1",
        "INSERT INTO contact_points (target_id, whose, phone_hash, phone_sealed, source, "
        "whatsapp_consent_at, sms_stopped_at, created_at, updated_at) "
        f"SELECT id, 'guardian', 'g' || id, 'x', 'list', CASE WHEN id % 100 < 65 THEN {at} "
        f"END, CASE WHEN id % 100 = 99 THEN {at} END, '{_NOW}', '{_NOW}' "
        f"FROM targets WHERE (id * 31) % 1000 < {pick}",
        "INSERT INTO contact_points (target_id, whose, phone_hash, phone_sealed, source, "
        f"whatsapp_consent_at, created_at, updated_at) SELECT id, 'teen', 't' || id, 'x', "
        f"'list', CASE WHEN id % 100 < 65 THEN {at} END, '{_NOW}', '{_NOW}' "
        f"FROM targets WHERE (id * 31) % 1000 < {pick} AND id % 2 = 0",
        "INSERT INTO outbox (account_id, chat_id, summons_id, kind, message_key, params, "
        "language, due_at, state, attempts, channel, tried, urgent, created_at) "
        "SELECT NULL, -id, id, 'summons', 'summons', '{}', 'id', "
        f"'{_NOW}', 'failed', 1, 'sms', 'whatsapp,sms', "
        f"{'false' if dialect == 'postgresql' else '0'}, '{_NOW}' "
        "FROM summonses WHERE state = 'summoned' AND id % 250 = 3",
    ]


async def _build(database: Database, targets: int, numbers: float) -> None:
    await upgrade(database)
    dialect = database.engine.dialect.name
    async with database.engine.begin() as connection:
        for statement in _statements(dialect, targets, numbers):
            started = time.perf_counter()
            await connection.exec_driver_sql(statement)
            print(f"  {statement[:60]}…: {time.perf_counter() - started:.1f} s", flush=True)
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.exec_driver_sql("ANALYZE")


async def _built(database: Database) -> int:
    async with database.engine.connect() as connection:
        try:
            return int((await connection.scalar(text("SELECT count(*) FROM targets"))) or 0)
        except Exception:  # no schema yet
            return 0


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--targets", type=int, default=1_000_000)
    parser.add_argument("--numbers", type=float, default=0.8, help="share of records with numbers")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rekam-figures"))
    parser.add_argument("--database", help="a database URL (default: SQLite in --work)")
    parser.add_argument("--phones", default="whatsapp,sms", help="the office's phone channels")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--no-reach", action="store_true", help="count without reach (a terminal report's)"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite+aiosqlite:///{args.work / 'office.sqlite3'}"
    phones = tuple(name for name in args.phones.split(",") if name)
    database = Database(url, phones=phones)
    try:
        if args.rebuild or await _built(database) != args.targets:
            if args.rebuild and url.startswith("sqlite"):
                (args.work / "office.sqlite3").unlink(missing_ok=True)
                database = Database(url, phones=phones)
            print(f"building {args.targets:,} targets, numbers on {args.numbers:.0%}", flush=True)
            await _build(database, args.targets, args.numbers)
        await upgrade(database)  # an office built by older code gets the newer indexes
        times = []
        # (a copy of older code, put first on PYTHONPATH to compare, has no `reach` to pass)
        reach = {"reach": False} if args.no_reach else {}
        for _ in range(args.repeat + 1):
            started = time.perf_counter()
            counts = await figures.count(database.session, **reach)
            times.append(time.perf_counter() - started)
        whole = figures.total(figures.lines(counts, figures.By.KECAMATAN))
        times = times[1:]  # the first warms the caches
        print(f"figures: {whole}")
        print(
            f"figures.count over {args.repeat}: median {statistics.median(times) * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms"
        )
    finally:
        await database.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
