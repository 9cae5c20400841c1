"""One office file imported, whoever hands it in: `rekam import targets|sessions|recorded FILE`
and the dashboard's upload run this same function, so a file goes in the same way from both."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from bot.config import Settings
from bot.db.engine import Database
from bot.domain.eligibility import target_age
from bot.domain.record_rows import RECORD_HEADERS
from bot.domain.session_rows import SESSION_HEADERS
from bot.domain.table_rows import Rejected, column_names
from bot.domain.target_rows import TARGET_HEADERS
from bot.services import imports, record_imports, session_imports, sheets
from bot.services.imports import ImportResult
from bot.services.office import Office
from bot.services.record_imports import RecordImport


class FileKind(enum.StrEnum):
    TARGETS = "targets"
    SESSIONS = "sessions"
    RECORDED = "recorded"


_HEADERS = {
    FileKind.TARGETS: TARGET_HEADERS,
    FileKind.SESSIONS: SESSION_HEADERS,
    FileKind.RECORDED: RECORD_HEADERS,
}


@dataclass(frozen=True)
class Imported:
    """What a file did: `result` (ImportResult for targets and sessions, RecordImport for the
    recorded list) and each field's column name as the file spells it (for the reasons)."""

    kind: FileKind
    result: ImportResult | RecordImport
    columns: dict[str, str]

    @property
    def rejected(self) -> list[Rejected]:
        """What the report lists: the rows left out, then the phone numbers left out of rows
        that went in (their reason says so)."""
        if isinstance(self.result, ImportResult):
            return self.result.rejected + self.result.numbers_refused
        return self.result.rejected


async def import_file(
    db: Database,
    settings: Settings,
    kind: FileKind,
    path: Path,
    *,
    now: datetime,
    by: str,
    progress: Callable[[int], None] | None = None,
    limits: sheets.Limits = sheets.FILE_LIMITS,
    counted: sheets.Counted | None = None,
) -> Imported:
    """Import the CSV or XLSX file at `path` as `kind`. A file that cannot be read at all, or
    is past `limits`, raises what bot.services.sheets and the header check raise (HeaderError,
    OverLimitError, ...) before any row goes in. `progress`: target rows stored, a chunk at a
    time; `counted`: rows read from the file, of how many (sheets.opened)."""
    today = now.astimezone(settings.zone).date()  # the office's date of that same instant
    with sheets.opened(path, limits, counted=counted) as (header, rows):
        columns = column_names(header, _HEADERS[kind])
        result: ImportResult | RecordImport
        if kind == FileKind.TARGETS:
            result = await imports.import_targets(
                db,
                header,
                rows,
                today=today,
                now=now,
                regions=settings.office_region_codes,
                progress=progress,
                by=by,
                age_of=partial(
                    target_age,
                    rule=settings.target_min_age,
                    today=today,
                    election=settings.election_date,
                ),
            )
        elif kind == FileKind.SESSIONS:
            office = Office.of(settings)
            result = await session_imports.import_sessions(
                db,
                header,
                rows,
                today=today,
                zone=settings.zone,
                moving=session_imports.Moving(
                    now=now,
                    deadline=office.deadline,
                    policy=office.policy,
                    by=by,
                ),
            )
        else:
            result = await record_imports.import_recorded(
                db,
                header,
                rows,
                today=today,
                now=now,
                zone=settings.zone,
                statuses=settings.recorded_statuses,
                by=by,
            )
    return Imported(kind, result, columns)
