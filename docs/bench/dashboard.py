"""Dashboard benchmark: every page of `rekam web` timed over HTTP against a city-sized office.

Builds an office once (the generated target list and sessions of docs/bench/office_files.py,
imported and summoned with the real `rekam` commands; then a share recorded through
`rekam import recorded`, some teens on Telegram, home-visit requests and /daftar registrations
waiting for review, and the first day's sessions moved to today), keeps it in --work, then
starts `rekam web` in its own process, signs in as an admin and asks every page --repeat times
after a warm-up, printing p50 / p95 / max per page.

The overview's figures are cached for 30 s inside the web process (bot/web/figures_cache.py):
"warm" rows are served from that cache; "cold" rows are each asked right after a dashboard
change (a session's capacity set to what it already is), which makes the next overview count
afresh: the time of that first request, the change itself not included.

Run:
    python docs/bench/dashboard.py --targets 1000000 --work /tmp/rekam-dash-1m
    python docs/bench/dashboard.py --work /tmp/rekam-dash-1m            # reuse the built office
    python docs/bench/dashboard.py --work /tmp/rekam-dash-pg --targets 1000000 \
        --database postgresql+asyncpg://postgres@127.0.0.1:5432/rekam_bench_dash
The PostgreSQL database must exist and be empty the first time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
ADMIN = 900_000_001
SESSIONS = 2_000


def _environment(args: argparse.Namespace, work: Path) -> dict[str, str]:
    key_file = work / "data_key"
    if not key_file.exists():
        key_file.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    return {
        **os.environ,
        "DATABASE_URL": args.database or f"sqlite+aiosqlite:///{work}/office.db",
        "OFFICE_REGION_CODES": "3599",
        "ELECTION_DATE": (date.today() + timedelta(days=90)).isoformat(),
        "DATA_KEY": key_file.read_text().strip(),
        "TARGET_MIN_AGE": "16",
    }


def _rekam(label: str, args: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"{label} failed:\n{result.stdout}\n{result.stderr}")
    last = [line for line in result.stdout.splitlines() if line.strip()][-1:]
    print(f"  {label:<22} {time.perf_counter() - started:7.1f} s  {' '.join(last)[:90]}")


def _recorded_file(work: Path, share: float) -> Path:
    """Every so many NIKs of the target list, recorded on one of the last 30 days."""
    rng = random.Random(15)
    out = work / "recorded.csv"
    today = date.today()
    with (work / "targets.csv").open(encoding="utf-8") as source, out.open("w") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nik", "tanggal_rekam", "status"])
        for row in csv.DictReader(source):
            if rng.random() < share:
                day = today - timedelta(days=rng.randrange(0, 30))
                writer.writerow([row["nik"], day.strftime("%d-%m-%Y"), "sudah rekam"])
    return out


async def _extras(env: dict[str, str], linked: int, visits: int, claims: int) -> None:
    """Teens on Telegram, home-visit requests, registrations waiting, today's sessions, and
    the admin who signs in."""
    from sqlalchemy import func, insert, select, update

    from bot.db.engine import Database
    from bot.db.models import Account, Claim, HomeVisit, ServiceSession, Summons, Target
    from bot.domain.kinds import Channel, HomeVisitState, Role, SummonsState
    from bot.services import staff

    db = Database(env["DATABASE_URL"], data_key=env["DATA_KEY"])
    rng = random.Random(16)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            # Ids as they are (PostgreSQL's sequence leaves gaps where an import retried).
            ids = list(await session.scalars(select(Target.id).order_by(Target.id)))
            chosen = rng.sample(ids, linked + visits + claims)
            teens, visiting, claimed = (
                chosen[:linked],
                chosen[linked : linked + visits],
                chosen[linked + visits :],
            )
            accounts = [
                {
                    "telegram_id": 5_000_000_000 + n,
                    "language": "id",
                    "role": Role.TEEN,
                    "target_id": target_id,
                }
                for n, target_id in enumerate(teens)
            ]
            for start in range(0, len(accounts), 5000):
                await session.execute(insert(Account), accounts[start : start + 5000])
            await session.execute(
                insert(HomeVisit),
                [
                    {
                        "target_id": target_id,
                        "reason": "Disabilitas, tidak bisa datang",
                        "requested_at": now - timedelta(hours=n),
                        "state": HomeVisitState.REQUESTED,
                    }
                    for n, target_id in enumerate(visiting)
                ],
            )
            # A request waits in the queue while the teen's summons says so (home_visits.queue).
            await session.execute(
                update(Summons)
                .where(Summons.target_id.in_(visiting))
                .values(state=SummonsState.HOME_VISIT)
            )
            targets = {
                row.id: row
                for row in await session.execute(
                    select(Target.id, Target.name, Target.birth_date).where(Target.id.in_(claimed))
                )
            }
            for n, target_id in enumerate(claimed):
                account_id = await session.scalar(
                    insert(Account)
                    .values(telegram_id=6_000_000_000 + n, language="id", role=Role.NONE)
                    .returning(Account.id)
                )
                await session.execute(
                    insert(Claim).values(
                        account_id=account_id,
                        target_id=target_id,
                        name=targets[target_id].name,
                        birth_date=targets[target_id].birth_date,
                        created_at=now - timedelta(minutes=n),
                    )
                )
            # The first day's sessions, today at the same hours.
            first = await session.scalar(select(func.min(ServiceSession.starts_at)))
            assert first
            shift = timedelta(days=(first.date() - now.date()).days)
            first_day = await session.execute(
                select(ServiceSession.id, ServiceSession.starts_at, ServiceSession.ends_at).where(
                    ServiceSession.starts_at < first + timedelta(hours=20)
                )
            )
            for session_id, starts_at, ends_at in list(first_day):
                await session.execute(
                    update(ServiceSession)
                    .where(ServiceSession.id == session_id)
                    .values(starts_at=starts_at - shift, ends_at=ends_at - shift)
                )
            await staff.add(session, ADMIN, admin=True, by="bench", channel=Channel.CLI)
    finally:
        await db.dispose()


def build(args: argparse.Namespace, work: Path, env: dict[str, str]) -> None:
    print(f"building an office of {args.targets:,} targets in {work}")
    subprocess.run(
        [
            sys.executable,
            str(HERE / "office_files.py"),
            "--targets",
            str(args.targets),
            "--sessions",
            str(SESSIONS),
            "--out",
            str(work),
        ],
        check=True,
        capture_output=True,
    )
    _rekam("import targets", ["import", "targets", str(work / "targets.csv")], env)
    _rekam("import sessions", ["import", "sessions", str(work / "sessions.csv")], env)
    _rekam("summon", ["summon"], env)
    _rekam("import recorded", ["import", "recorded", str(_recorded_file(work, 0.12))], env)
    started = time.perf_counter()
    scale = args.targets / 1_000_000
    asyncio.run(
        _extras(
            env,
            linked=int(60_000 * scale),
            visits=max(20, int(800 * scale)),
            claims=max(20, int(300 * scale)),
        )
    )
    print(f"  {'extras':<22} {time.perf_counter() - started:7.1f} s")
    (work / "built").write_text(env["DATABASE_URL"])


async def _facts(env: dict[str, str], work: Path) -> dict[str, object]:
    """What the pages are asked about: an area, a person, a session, and a login link."""
    from sqlalchemy import select

    from bot.db.engine import Database
    from bot.db.models import Region, ServiceSession, Summons, Target
    from bot.db.vault import vault_of
    from bot.services import web_access

    db = Database(env["DATABASE_URL"], data_key=env["DATA_KEY"])
    try:
        async with db.session() as session:
            region = (
                await session.execute(select(Region).order_by(Region.id).limit(1))
            ).scalar_one()
            today = datetime.now(UTC)
            busiest = await session.scalar(
                select(ServiceSession.id)
                .where(ServiceSession.starts_at > today)
                .order_by(ServiceSession.booked.desc(), ServiceSession.starts_at)
                .limit(1)
            )
            person = (
                await session.execute(
                    select(Target)
                    .join(Summons, Summons.target_id == Target.id)
                    .where(Target.recorded_at.is_(None))
                    .order_by(Target.id.desc())
                    .limit(1)
                )
            ).scalar_one()
            capacity = await session.scalar(
                select(ServiceSession.capacity).where(ServiceSession.id == busiest)
            )
            token = await web_access.issue_link(session, ADMIN, now=today)
            return {
                "kecamatan": region.kecamatan,
                "kelurahan": region.kelurahan,
                "region_id": region.id,
                "session_id": busiest,
                "capacity": capacity,
                "target_id": person.id,
                "nik": vault_of(session).open(person.nik_sealed),
                "name": person.name,
                "birth_date": person.birth_date.strftime("%d-%m-%Y"),
                "attend_code": vault_of(session).open_code(person.attend_sealed),
                "token": token,
            }
    finally:
        await db.dispose()


async def _recount(env: dict[str, str], times: int) -> list[dict[str, object]]:
    """What a cold overview costs the server: the figures counted in this process as the
    dashboard counts them (one report and the trend, at once), nothing else running."""
    from zoneinfo import ZoneInfo

    from bot.db.engine import Database
    from bot.services import figures

    db = Database(env["DATABASE_URL"], data_key=env["DATA_KEY"])
    zone = ZoneInfo("Asia/Jakarta")
    spent: list[float] = []
    try:
        for _ in range(times):
            started = time.perf_counter()
            await asyncio.gather(
                figures.report(db.reading, figures.By.KECAMATAN),
                figures.recorded_per_day(db.reading, zone),
            )
            spent.append((time.perf_counter() - started) * 1000)
    finally:
        await db.dispose()
    return [_row("figures counted (in process, no HTTP)", spent)]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _row(label: str, times: list[float], status: str = "") -> dict[str, object]:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    row = {
        "page": label,
        "n": len(times),
        "p50": statistics.median(times),
        "p95": p95,
        "max": times[-1],
    }
    flag = "  OVER" if p95 > 300 else ""
    print(
        f"{label:<44} {len(times):>4} {row['p50']:8.1f} {p95:8.1f} {times[-1]:8.1f}{flag} {status}",
        flush=True,
    )
    return row


def measure(args: argparse.Namespace, work: Path, env: dict[str, str]) -> list[dict[str, object]]:
    facts = asyncio.run(_facts(env, work))
    port = _free_port()
    web_env = {**env, "WEB_PORT": str(port), "WEB_LISTEN": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"],
        env=web_env,
        stdout=subprocess.DEVNULL,
        stderr=open(work / "web.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{port}"
    results: list[dict[str, object]] = []
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for _ in range(300):
                try:
                    client.get("/static/missing")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            signed = client.post(f"/masuk/{facts['token']}")
            assert signed.status_code == 303, signed.status_code
            page = client.get("/siaran")
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert found, "no csrf field"
            csrf = found.group(1)
            kec, kel = quote(str(facts["kecamatan"])), quote(str(facts["kelurahan"]))
            gets = [
                ("/", "/"),
                ("/?kecamatan=…", f"/?kecamatan={kec}"),
                ("/?kecamatan=…&kelurahan=…", f"/?kecamatan={kec}&kelurahan={kel}"),
                ("/hari-ini", "/hari-ini"),
                ("/meja?q=<NIK>", f"/meja?q={facts['nik']}"),
                (
                    "/meja?q=<name, birth date>",
                    "/meja?q=" + quote(f"{facts['name']}, {facts['birth_date']}"),
                ),
                ("/meja?q=<attendance code>", f"/meja?q={facts['attend_code']}"),
                ("/orang/<id>", f"/orang/{facts['target_id']}"),
                ("/kunjungan", "/kunjungan"),
                ("/tinjauan", "/tinjauan"),
                ("/jadwal", "/jadwal"),
                ("/jadwal/<id> (busiest session)", f"/jadwal/{facts['session_id']}"),
                ("/siaran", "/siaran"),
                ("/berkas", "/berkas"),
                ("/petugas", "/petugas"),
            ]
            posts = [
                (
                    "POST /siaran/pratinjau (all_pending)",
                    "/siaran/pratinjau",
                    {"csrf": csrf, "audience": "all_pending", "teks": "Ayo rekam KTP-el."},
                ),
                (
                    "POST /siaran/pratinjau (one kelurahan)",
                    "/siaran/pratinjau",
                    {
                        "csrf": csrf,
                        "audience": "kelurahan",
                        "kelurahan": str(facts["region_id"]),
                        "teks": "Ayo rekam KTP-el.",
                    },
                ),
            ]
            print(f"{'page':<44} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}", flush=True)

            def timed(method: str, path: str, data: dict[str, str] | None = None) -> float:
                started = time.perf_counter()
                answer = client.request(method, path, data=data)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    raise SystemExit(f"{method} {path}: {answer.status_code}\n{answer.text[:500]}")
                return elapsed

            if args.only:
                gets = [g for g in gets if args.only in g[0]]
                posts = [p for p in posts if args.only in p[0]]
            # Cold overview first: each right after a change that makes it count afresh.
            for label, path in [g for g in gets if g[1].startswith("/?") or g[1] == "/"]:
                cold = []
                for _ in range(args.cold):
                    changed = client.post(
                        f"/jadwal/{facts['session_id']}/tempat",
                        data={"csrf": csrf, "kapasitas": str(facts["capacity"])},
                    )
                    assert changed.status_code == 303, changed.status_code
                    cold.append(timed("GET", path))
                results.append(_row(f"{label} cold", cold))
                print("    in order:", " ".join(f"{ms:.0f}" for ms in cold), flush=True)
            for label, path in gets:
                for _ in range(args.warmup):
                    timed("GET", path)
                times = [timed("GET", path) for _ in range(args.repeat)]
                results.append(
                    _row(label + (" warm" if path.startswith("/?") or path == "/" else ""), times)
                )
            for label, path, data in posts:
                for _ in range(args.warmup):
                    timed("POST", path, data)
                results.append(_row(label, [timed("POST", path, data) for _ in range(args.repeat)]))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--targets", type=int, default=1_000_000)
    parser.add_argument("--work", default=None, help="folder kept between runs (the office)")
    parser.add_argument("--database", help="a database URL (default: SQLite in --work)")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--cold", type=int, default=10)
    parser.add_argument("--json", help="write the rows here too")
    parser.add_argument("--only", help="only the pages whose label contains this")
    args = parser.parse_args()
    work = Path(args.work or f"/tmp/rekam-dash-{args.targets}")
    work.mkdir(parents=True, exist_ok=True)
    env = _environment(args, work)
    if not (work / "built").exists():
        build(args, work, env)
    backend = env["DATABASE_URL"].split(":")[0]
    print(f"{backend}, office in {work}; {args.repeat} requests per page after {args.warmup}")
    rows = measure(args, work, env)
    if not args.only:
        rows += asyncio.run(_recount(env, args.cold))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
