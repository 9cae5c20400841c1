"""`rekam import recorded`: the office's recording list (NIK, the day recorded, a status) marks
the teens on our target list as recorded, with every consequence (bot/services/recording.py).

The file is read a chunk at a time, each chunk its own transaction, like the target list. A
NIK that is not on our list is counted, never added: this list says who was recorded, not who
should be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import Target
from bot.db.vault import vault_of
from bot.domain import record_rows
from bot.domain.kinds import Actor, Channel
from bot.domain.nik import mask
from bot.domain.record_rows import RecordRow
from bot.domain.table_rows import Problem, Rejected, RowError, header_fields, masked_nik
from bot.services import events, recording

CHUNK = 2000


@dataclass
class RecordImport:
    marked: int = 0  # newly recorded, with every consequence
    already: int = 0  # recorded before (by the desk, the target list or an earlier import)
    not_on_list: int = 0  # a NIK our target list does not hold
    skipped: int = 0  # a status that does not mean recorded
    rejected: list[Rejected] = field(default_factory=list)


def _moment(day: date, zone: ZoneInfo) -> datetime:
    """The list says a day; the record keeps noon of that day in the office's zone, so it stays
    on the same date wherever it is shown."""
    return datetime.combine(day, time(12), zone).astimezone(UTC)


async def _store(
    session: AsyncSession,
    rows: list[RecordRow],
    *,
    zone: ZoneInfo,
    now: datetime,
    by: str,
    result: RecordImport,
) -> None:
    vault = vault_of(session)
    hashes = {vault.hash(row.nik): row for row in rows}
    found = await session.execute(
        select(Target.id, Target.nik_hash, Target.recorded_at).where(
            Target.nik_hash.in_(hashes.keys())
        )
    )
    by_day: dict[date, list[int]] = defaultdict(list)
    known = 0
    for target_id, nik_hash, recorded_at in found:
        known += 1
        if recorded_at is not None:
            result.already += 1
        else:
            by_day[hashes[nik_hash].recorded_on].append(target_id)
    result.not_on_list += len(rows) - known
    for day, target_ids in sorted(by_day.items()):
        marked = await recording.mark_recorded(
            session,
            target_ids,
            at=_moment(day, zone),
            source=recording.Source.RECORDS,
            by=by,
            channel=Channel.CLI,
            now=now,
        )
        result.marked += len(marked)
        result.already += len(target_ids) - len(marked)  # marked meanwhile, by the desk


async def import_recorded(
    db: Database,
    header: list[Any],
    rows: Iterable[tuple[int, list[Any] | None]],
    *,
    today: date,
    now: datetime,
    zone: ZoneInfo,
    statuses: tuple[str, ...],
    by: str = "cli",
) -> RecordImport:
    """Mark recorded every teen of ours the list says was recorded; count the rest and say why
    each row that could not be read was left out (a row of None: one the reader could not hold)."""
    fields = header_fields(header, record_rows.RECORD_HEADERS, record_rows.RECORD_REQUIRED)
    words = frozenset(statuses)
    result = RecordImport()
    seen: set[str] = set()
    chunk: list[RecordRow] = []

    async def flush() -> None:
        async with db.session() as session:
            await _store(session, chunk, zone=zone, now=now, by=by, result=result)
        chunk.clear()

    for number, cells in rows:
        if cells is None:
            result.rejected.append(Rejected(number, Problem.CELL_TOO_LARGE))
            continue
        values = {f: cell for f, cell in zip(fields, cells, strict=False) if f}
        try:
            row = record_rows.record_row(values, today=today, statuses=words)
        except RowError as error:
            nik = masked_nik(values.get("nik"))
            result.rejected.append(Rejected(number, error.problem, error.column, nik=nik))
            continue
        if row is None:
            result.skipped += 1
            continue
        if row.nik in seen:
            result.rejected.append(Rejected(number, Problem.DUPLICATE, "nik", nik=mask(row.nik)))
            continue
        seen.add(row.nik)
        chunk.append(row)
        if len(chunk) >= CHUNK:
            await flush()
    if chunk:
        await flush()
    async with db.session() as session:
        events.record(
            session,
            "recorded_imported",
            actor=Actor.STAFF,
            channel=Channel.CLI,
            marked=result.marked,
            already=result.already,
            not_on_list=result.not_on_list,
            skipped=result.skipped,
            rejected=len(result.rejected),
            by=by,
        )
    return result
