"""One file uploaded on the dashboard, imported in a process of its own
(`python -m bot.web.import_worker`, started and followed by bot/web/import_jobs.py).

Reading and checking a list takes seconds to minutes of CPU, and a crafted file's million bad
rows hundreds of megabytes: in the bot's own process that held up every button press for as
long (a 433 KB .xlsx stalled the event loop 7 s, a 2 MB one 33 s and kept 316 MB). Here the
bot's event loop waits for nothing, the import has a core of its own, and its memory goes back
to the system when it ends. The rows go in as `rekam import` puts them, through the same
service (bot/services/file_imports.py): a chunk at a time, each its own transaction.

The job comes in on standard input, pickled by the dashboard that started this process: it
holds the office's settings, DATA_KEY among them, which must not travel on a command line or
in the environment. Progress and the outcome go out on standard output, one JSON object a
line. The rejected rows go to a file of their own, readable by its owner only."""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.engine import Database
from bot.i18n import Catalogs
from bot.logs import setup_logging
from bot.presentation import tables
from bot.services import imports, sheets
from bot.services.file_imports import FileKind, import_file

log = logging.getLogger(__name__)
SHOWN = 1_000  # rejected rows the page lists; the file has all of them
_EVERY = 0.25  # seconds between two progress lines
# SQLite has one writer at a time, and gives the lock to whoever asks first once it is free.
# The import, its next chunk ready the moment the last one is committed, asks at once; a unit of
# work of the bot's, waiting in SQLite's busy handler, asks again only after a sleep of up to
# 100 ms. Left alone, the import took the lock chunk after chunk and the bot's button presses
# waited for the whole import: p50 4 s during a 20 MB list (docs/benchmarks.md). So on SQLite
# this process writes smaller chunks (5,000 rows, 0.1-0.3 s each, where 25,000 took about a
# second) and waits a quarter of a second before each, while the bot's waiting units of work
# go first: presses p99 0.3-0.6 s, for an import about twice as long. PostgreSQL locks rows,
# not the database: there the import runs as `rekam import` does.
SQLITE_CHUNK = 5_000
SQLITE_PAUSE = 0.25


@dataclass(frozen=True)
class Job:
    settings: Settings
    kind: FileKind
    upload: Path  # the uploaded copy: deleted once the import ends, however it ends
    report: Path  # where the rejected rows go (CSV)
    name: str  # the file's name as the office gave it, for what is said about it
    language: str  # the uploader's
    catalogs: Path  # the folder of the message catalogs
    now: datetime
    by: str
    limits: sheets.Limits


class Said:
    """Lines to the dashboard. Once it is gone (it stopped), the import still finishes: what
    is half done is a consistent database either way, and finished is better."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.gone = False
        self.last = 0.0

    def say(self, **values: Any) -> None:
        if self.gone:
            return
        try:
            self.stream.write(json.dumps(values, default=str) + "\n")
            self.stream.flush()
        except OSError:
            self.gone = True

    def counted(self, read: int, total: int) -> None:
        """sheets.Counted, a line at most every _EVERY seconds (and the last one)."""
        now = time.monotonic()
        if read >= total or now - self.last >= _EVERY:
            self.last = now
            self.say(read=read, total=total)


class _Courteous(Database):
    """SQLite for the import: every unit of work waits SQLITE_PAUSE before it asks for the
    write lock, so that the bot's own units of work, waiting for it, get it first."""

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        await asyncio.sleep(SQLITE_PAUSE)
        async with super().session() as session:
            yield session


def _database(url: str, key: str | None, phones: tuple[str, ...]) -> Database:
    if not url.startswith("sqlite"):
        return Database(url, data_key=key, phones=phones)
    # import_targets reads its chunk size from its module at every row; this process imports
    # one file and ends.
    imports.CHUNK = SQLITE_CHUNK
    return _Courteous(url, data_key=key, phones=phones)


async def run(job: Job, said: Said) -> None:
    """Import the file; say what it did (or why it was refused) and write its rejected rows."""
    settings = job.settings
    _ = Catalogs(job.catalogs, settings.default_language).gettext(job.language)
    key = settings.data_key.get_secret_value() if settings.data_key else None
    db = _database(settings.database_url, key, settings.phones)
    try:
        imported = await import_file(
            db,
            settings,
            job.kind,
            job.upload,
            now=job.now,
            by=job.by,
            limits=job.limits,
            counted=said.counted,
        )
    except tables.UNREADABLE as error:
        said.say(refused=tables.unreadable(error, _, job.name, job.language))
        return
    finally:
        await db.dispose()
    said.say(stage="report")
    rejected = imported.rejected
    if rejected:
        lines = tables.rejected_lines(rejected, imported.columns, _, job.language)
        sheets.write(job.report, tables.rejected_header(_, imported.columns), lines)
    counts = Counter((r.problem.value, r.column, r.age, _iso(r.on)) for r in rejected)
    result = imported.result
    said.say(
        done={
            "kind": imported.kind.value,
            "result": {
                f.name: getattr(result, f.name)
                for f in fields(result)
                if f.name not in ("rejected", "numbers_refused")
            }
            | {
                "rejected": len(result.rejected),
                "numbers_refused": len(getattr(result, "numbers_refused", ())),
            },
            "columns": imported.columns,
            "counts": [[*key, n] for key, n in counts.most_common()],
            "first": [
                [r.row, r.problem.value, r.column, r.name, r.nik, r.age, _iso(r.on)]
                for r in rejected[:SHOWN]
            ],
        }
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def main() -> int:
    setup_logging(logging.WARNING)
    job: Job = pickle.load(sys.stdin.buffer)  # from the dashboard that started this process
    said = Said(sys.stdout)
    try:
        asyncio.run(run(job, said))
    except Exception:
        log.exception("the import of an uploaded %s file failed", job.kind)
        said.say(failed=True)
        return 1
    finally:
        job.upload.unlink(missing_ok=True)  # residents' data: not kept past the import
    return 0


if __name__ == "__main__":
    sys.exit(main())
