"""Presses during an upload (issue 22, item 7): teens press ✅ under their summons while an admin
uploads a 20 MB target list on the dashboard the same process serves; goal: press p99 < 1 s.

The bot by long polling, as `rekam run` does, with its dashboard (`running(app, web=True)`), on a
new SQLite file (or --database, which must be new and empty). The emulator runs in its own
process and makes the presses at --rate (docs/bench/presses.py: its office, its presses). Once
the presses have begun, the admin posts the file to the dashboard over HTTP and follows the
import until it has ended (the code before issue 22 answers the POST only then). Counted: the
presses made between the POST and the import's end (each press is made at its time from the
start of the presses, --rate per second), their latency from press to answer; the longest the
event loop of the bot's process went without running a ready task; and that process's memory.

The file (made once into --work, unless --file): docs/bench/office_files.py's generated list
(TARGET_MIN_AGE 16: every row goes in), as many rows as fit in 20 MB; --crafted N instead makes
the attacker's .xlsx of N rows to reject (tests/support/uploads.py).

Run (one benchmark at a time on a shared machine: flock):
    flock /tmp/rekam-bench.lock .venv/bin/python docs/bench/upload_presses.py --work /tmp/rekam-up
    ... --before /tmp/wt-old   # the same run first with older code (a checkout of it) on PYTHONPATH
    ... --database postgresql+asyncpg://postgres@127.0.0.1:5432/NEW \
        [--before /tmp/wt-old --before-database postgresql+asyncpg://postgres@127.0.0.1:5432/NEW2]
    (createdb -h 127.0.0.1 -U postgres NEW first: the bot brings it up to date; dropdb after)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ADMIN = 900_000_001
LIMIT = 20 * 1024 * 1024
TICK = 0.01


def report(line: str) -> None:
    print(line, flush=True)  # noqa: T201 (a benchmark script reports on stdout)


def the_file(args: argparse.Namespace) -> Path:
    """The file to upload: --file, else made once into --work."""
    if args.file:
        return Path(args.file)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    if args.crafted:
        sys.path.insert(0, str(HERE.parent.parent))
        from tests.support.uploads import crafted_workbook

        path = work / f"crafted-{args.crafted}.xlsx"
        return path if path.exists() else crafted_workbook(path, args.crafted)
    path = work / "targets-20mb.csv"
    if not path.exists():
        sys.path.insert(0, str(HERE))
        import office_files

        rows = 200_000
        while True:  # the most rows that fit in 20 MB
            office_files.write_targets(path, rows, date.today(), random.Random(7))
            if path.stat().st_size <= LIMIT - 64 * 1024:
                return path
            rows -= 5_000
    return path


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextlib.asynccontextmanager
async def watched() -> AsyncIterator[dict[str, float]]:
    """The event loop's longest delay and the process's most memory while the block runs."""
    seen = {"stall": 0.0, "rss": rss_mb(), "rss_before": rss_mb()}
    stop = asyncio.Event()

    async def tick() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(TICK)
            now = time.monotonic()
            seen["stall"] = max(seen["stall"], now - last - TICK)
            seen["rss"] = max(seen["rss"], rss_mb())
            last = now

    task = asyncio.create_task(tick())
    try:
        yield seen
    finally:
        stop.set()
        await task


async def signed_in_client(url: str, dashboard: str, data_key: str) -> Any:
    """An HTTP client signed in to the dashboard as an admin (a staff row and a login link
    made through the services, then the link's button pressed)."""
    import httpx

    from bot.db.engine import Database
    from bot.domain.kinds import Channel
    from bot.services import staff, web_access

    db = Database(url, data_key=data_key)
    try:
        async with db.session() as session:
            await staff.add(session, ADMIN, admin=True, by="bench", channel=Channel.CLI)
            token = await web_access.issue_link(session, ADMIN, now=datetime.now(UTC))
    finally:
        await db.dispose()
    client = httpx.AsyncClient(base_url=dashboard, timeout=900)
    shown = await client.get(f"/masuk/{token}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', shown.text)
    signed = await client.post(f"/masuk/{token}", data={"csrf": csrf.group(1)} if csrf else {})
    assert signed.status_code == 303, signed.text[:300]
    return client


async def uploaded(client: Any, path: Path) -> tuple[float, float, str]:
    """Post the file and follow its import until it ends: (started, ended, what it said)."""
    page = await client.get("/berkas")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text[:300]
    content = await asyncio.to_thread(path.read_bytes)
    started = time.monotonic()
    answer = await client.post(
        "/berkas/impor",
        data={"csrf": csrf.group(1), "jenis": "targets"},
        files={"berkas": (path.name, content, "application/octet-stream")},
    )
    if answer.status_code == 303:  # the import runs on; its page says when it has ended
        address = answer.headers["location"]
        while True:
            answer = await client.get(address)
            if not re.search(r'id="import-job"[^>]*data-live', answer.text):
                break
            await asyncio.sleep(0.25)
    ended = time.monotonic()
    said = re.search(r"Ditambah [^<\n]*|Berkas [^<\n]*", answer.text)
    return started, ended, said.group(0) if said else answer.text[:200]


async def main(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(HERE))
    import presses

    from bot.app import build_application
    from bot.config import load_settings
    from bot.db.engine import Database
    from bot.db.vault import new_key
    from bot.runtime import running
    from bot.web.server import free_port

    path = the_file(args)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        data_key = new_key()
        settings = load_settings(
            database_url=url,
            bot_token=presses.TOKEN,
            telegram_api_base_url=f"{presses.API}/bot",
            data_key=data_key,
            web_port=free_port("127.0.0.1"),
            office_region_codes="3599",
            target_min_age="16",
            election_date=date.today() + timedelta(days=90),
        )
        db = Database(url, data_key=data_key)
        async with presses.emulator_process() as (call, _pid):
            app = build_application(settings)
            async with running(app, poll_timeout=1, web=True):
                client = await signed_in_client(url, settings.dashboard_url, data_key)
                made = await presses.prepare(call, db, args)
                async with watched() as seen:
                    began = time.monotonic()
                    pressing = asyncio.create_task(
                        call("presses", {"presses": made, "rate": args.rate})
                    )
                    await asyncio.sleep(args.lead)
                    started, ended, said = await uploaded(client, path)
                    upload_seen = dict(seen)
                    queries = await pressing
                while len(answers := await call("answers", {"ids": queries})) < len(queries):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
                await client.aclose()
        await db.dispose()
    during = [
        answers[query]
        for index, query in enumerate(queries)
        if started <= began + index / args.rate <= ended
    ]
    last_press = began + len(queries) / args.rate
    covered = (min(ended, last_press) - started) / (ended - started)
    during.sort()
    p99 = during[max(int(len(during) * 0.99) - 1, 0)] if during else float("nan")
    report(
        f"| {args.label} | {path.name} ({path.stat().st_size / 1e6:.1f} MB) | {said} | "
        f"{ended - started:.1f} s | {len(during)} at {args.rate:.0f}/s ({covered:.0%}) | "
        f"{statistics.median(during) * 1000:,.0f} ms | {p99 * 1000:,.0f} ms | "
        f"{during[-1] * 1000:,.0f} ms | {upload_seen['stall'] * 1000:,.0f} ms | "
        f"+{upload_seen['rss'] - upload_seen['rss_before']:.0f} MB |"
    )


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[0]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/rekam-upload-bench", help="where files are made")
    parser.add_argument("--file", help="upload this file instead")
    parser.add_argument("--crafted", type=int, default=0, help="the attacker's .xlsx of N rows")
    parser.add_argument("--teens", type=int, default=4000)
    parser.add_argument("--rate", type=float, default=50, help="presses per second")
    parser.add_argument("--lead", type=float, default=2.0, help="seconds of presses before")
    parser.add_argument("--database", help="default: a new SQLite file")
    parser.add_argument("--label", default="this code")
    parser.add_argument("--before", help="a checkout of older code: run it first, then this")
    parser.add_argument("--before-database", help="with --before and --database: the older one's")
    arguments = parser.parse_args()
    if arguments.before:
        the_file(arguments)  # made once, for both
        command = [sys.executable, __file__, *sys.argv[1:]]
        for option in ("--before", "--database", "--before-database"):
            if option in command:
                at = command.index(option)
                del command[at : at + 2]
        if arguments.before_database:  # a database of its own: each run needs a new one
            command += ["--database", arguments.before_database]
        env = {**os.environ, "PYTHONPATH": str(Path(arguments.before).resolve())}
        subprocess.run([*command, "--label", "before"], env=env, check=True)
    report(f"{arguments.label}: load average {uptime()} at {time.strftime('%H:%M:%S')}")
    report(
        "| code | file | import said | upload to import's end | presses during it | p50 | p99 "
        "| max | longest loop stall | bot process memory |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    asyncio.run(main(arguments))
    report(f"{arguments.label}: load average {uptime()} at the end")
