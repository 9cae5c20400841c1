"""The dashboard's imports, each run by a process of its own (bot/web/import_worker.py) and
followed from here: how far it has read, then what it did.

One import at a time: two lists going in at once would race for the same NIKs, and a second
process is a second core the bot no longer has. Each upload gets a folder of its own (0700)
inside this dashboard's; the uploaded copy is deleted once it is read, and the rejected rows
stay on disk (a file readable by its owner only: row number, column and reason, and who the
row is, as the name and the masked NIK it gives, or a session's place and day, never a whole
NIK or the rest of the row) for an hour after the import ends, for the staff member who
uploaded it alone. The
page shows their counts and the first thousand; the whole file downloads from disk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import pickle
import secrets
import shutil
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import bot
from bot.clock import Clock
from bot.config import Settings
from bot.domain.table_rows import Problem, Rejected
from bot.services.file_imports import FileKind
from bot.services.sheets import Limits
from bot.web.import_worker import Job

log = logging.getLogger(__name__)
# The folder `bot` is imported from: the worker runs this very code, whatever the current
# folder or the environment would have it import.
_CODE = str(Path(bot.__file__).resolve().parent.parent)
_LINE = 1 << 20  # the longest line the worker says: its outcome, with a thousand rows


def _day(iso: str | None) -> date | None:
    return date.fromisoformat(iso) if iso else None


@dataclass(frozen=True)
class Outcome:
    """What an import did: the totals of its result (ImportResult or RecordImport, by field
    name, `rejected` a count), the file's own column names, the rejected rows counted by
    problem and column (most first), and the first of them."""

    kind: FileKind
    result: dict[str, int]
    columns: dict[str, str]
    counts: tuple[tuple[Rejected, int], ...]
    first: tuple[Rejected, ...]

    @classmethod
    def of(cls, said: dict[str, Any]) -> Outcome:
        return cls(
            kind=FileKind(said["kind"]),
            result=said["result"],
            columns=said["columns"],
            counts=tuple(
                (Rejected(0, Problem(p), c, age=age, on=_day(on)), n)
                for p, c, age, on, n in said["counts"]
            ),
            first=tuple(
                Rejected(row, Problem(p), c, name, nik, age, _day(on))
                for row, p, c, name, nik, age, on in said["first"]
            ),
        )


@dataclass(frozen=True)
class Progress:
    """An import as its page shows it. Running: `read` of `total` rows (total None while the
    file is measured), `reporting` once the rejected rows are being written. Ended: `refused`
    (why, in the uploader's language), `failed`, or an `outcome`."""

    token: str
    kind: FileKind
    name: str
    running: bool
    read: int
    total: int | None
    reporting: bool
    refused: str | None
    failed: bool
    outcome: Outcome | None


@dataclass
class _Import:
    token: str
    owner: int
    kind: FileKind
    name: str
    download: str  # the rejected rows' file name, as offered
    folder: Path
    read: int = 0
    total: int | None = None
    reporting: bool = False
    refused: str | None = None
    failed: bool = False
    outcome: Outcome | None = None
    ended: datetime | None = None
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)

    @property
    def report(self) -> Path:
        return self.folder / "ditolak.csv"

    def progress(self) -> Progress:
        return Progress(
            token=self.token,
            kind=self.kind,
            name=self.name,
            running=self.ended is None,
            read=min(self.read, self.total or 0),
            total=self.total,
            reporting=self.reporting,
            refused=self.refused,
            failed=self.failed,
            outcome=self.outcome,
        )

    def heard(self, said: dict[str, Any]) -> None:
        """One line of the worker's."""
        if "read" in said:
            self.read, self.total = int(said["read"]), int(said["total"])
        elif said.get("stage") == "report":
            self.reporting = True
        elif "refused" in said:
            self.refused = str(said["refused"])
        elif "done" in said:
            self.outcome = Outcome.of(said["done"])
        elif said.get("failed"):
            self.failed = True


@dataclass(frozen=True)
class Upload:
    """An uploaded file, saved, and what its import needs to know besides the office's
    settings: who, in what language, at what moment, within what limits."""

    owner: int
    by: str
    kind: FileKind
    path: Path  # inside a folder of ImportJobs.folder()
    name: str
    download: str
    language: str
    now: datetime


class ImportJobs:
    """This dashboard's imports, by token."""

    KEEP = timedelta(hours=1)
    MOST = 20
    STOP_WAIT = 5.0  # seconds a worker has to end when the dashboard stops

    def __init__(self, clock: Clock, changed: Callable[[], None]) -> None:
        self._clock = clock
        self._changed = changed  # the office's figures moved (or may have)
        self._imports: OrderedDict[str, _Import] = OrderedDict()
        self._root: Path | None = None
        self._following: set[asyncio.Task[None]] = set()

    def folder(self) -> Path:
        """A new folder for one upload, its owner's alone (mkdtemp makes it 0700)."""
        if self._root is None or not self._root.is_dir():
            self._root = Path(tempfile.mkdtemp(prefix="rekam-impor-"))
        return Path(tempfile.mkdtemp(dir=self._root))

    def busy(self) -> bool:
        return any(job.ended is None for job in self._imports.values())

    def latest(self, owner: int) -> str | None:
        """The token of this staff member's latest import still kept."""
        mine = [token for token, job in self._imports.items() if job.owner == owner]
        return mine[-1] if mine else None

    async def start(
        self, upload: Upload, *, settings: Settings, catalogs: Path, limits: Limits
    ) -> str | None:
        """The upload's import started in a worker; its token, or None (and the folder gone)
        while another import runs."""
        self._sweep(upload.now)
        if self.busy():
            shutil.rmtree(upload.path.parent, ignore_errors=True)
            return None
        token = secrets.token_urlsafe(16)
        job = _Import(
            token, upload.owner, upload.kind, upload.name, upload.download, upload.path.parent
        )
        self._imports[token] = job  # before the first await: a second upload finds it busy
        work = Job(
            settings=settings,
            kind=upload.kind,
            upload=upload.path,
            report=job.report,
            name=upload.name,
            language=upload.language,
            catalogs=catalogs,
            now=upload.now,
            by=upload.by,
            limits=limits,
        )
        try:
            job.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.web.import_worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                limit=_LINE,
                env={**os.environ, "PYTHONPATH": os.pathsep.join([_CODE, *_python_path()])},
            )
        except OSError:
            log.exception("the import worker could not be started")
            self._ended(job, failed=True)
            return token
        task = asyncio.create_task(self._follow(job, pickle.dumps(work)), name="import")
        self._following.add(task)
        task.add_done_callback(self._following.discard)
        return token

    async def _follow(self, job: _Import, work: bytes) -> None:
        process = job.process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(work)
            await process.stdin.drain()
            process.stdin.close()
            async for line in process.stdout:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    said = json.loads(line)
                    if isinstance(said, dict):
                        job.heard(said)
            code = await process.wait()
        except (OSError, ValueError):  # it died before reading its job, or said too much
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            code = await process.wait()
        ended_well = job.outcome is not None or job.refused is not None
        if code != 0 and not ended_well:
            log.error("the import worker ended with code %s", code)
        self._ended(job, failed=not ended_well)

    def _ended(self, job: _Import, *, failed: bool) -> None:
        job.failed = failed
        job.ended = self._clock.now()
        job.process = None
        self._changed()  # some rows may be in, even when it failed halfway

    def progress(self, token: str, owner: int, now: datetime) -> Progress | None:
        """An import of this staff member's, as far as it has got; None when there is no
        such import for them (any more)."""
        self._sweep(now)
        job = self._imports.get(token)
        if job is None or job.owner != owner:
            return None
        return job.progress()

    def report(self, token: str, owner: int, now: datetime) -> tuple[Path, str] | None:
        """The rejected rows' file of an import of this staff member's, and its name to
        download it under; None when there is none (any more)."""
        self._sweep(now)
        job = self._imports.get(token)
        if job is None or job.owner != owner or job.ended is None or not job.report.is_file():
            return None
        return job.report, job.download

    def _sweep(self, now: datetime) -> None:
        """Forget imports that ended over KEEP ago, and the oldest ended ones past MOST, with
        their files."""
        ended = [token for token, job in self._imports.items() if job.ended is not None]
        old = {t for t in ended if (self._imports[t].ended or now) + self.KEEP < now}
        old.update(ended[: max(len(ended) - self.MOST, 0)])
        for token in old:
            job = self._imports.pop(token)
            shutil.rmtree(job.folder, ignore_errors=True)

    async def close(self) -> None:
        """Stop every running worker (a chunk being written is rolled back; the ones before
        it stay, and importing the file again is safe) and remove every file."""
        for job in self._imports.values():
            if job.process is not None and job.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    job.process.terminate()
        if self._following:
            _, late = await asyncio.wait(self._following, timeout=self.STOP_WAIT)
            for task in late:
                task.cancel()
        for job in self._imports.values():
            if job.process is not None and job.process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    job.process.kill()
        self._imports.clear()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None


def _python_path() -> list[str]:
    found = os.environ.get("PYTHONPATH", "")
    return [part for part in found.split(os.pathsep) if part]
