"""Importing the office's target list (keyed by NIK); the sessions file: session_imports.py.

The target list is read a chunk at a time, each chunk its own transaction, so a city-sized
file needs little memory and the bot keeps answering while it runs. Importing again is safe:
rows are matched by NIK, changed details are updated, and what the office recorded (answers,
attendance) lives in other tables that an import never touches.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import Database
from bot.db.models import Target
from bot.db.queries import bulk_insert, one_of
from bot.db.vault import Vault, vault_of
from bot.domain import table_rows, target_rows
from bot.domain.codes import new_codes
from bot.domain.eligibility import AgeProblem, AgeRefusal
from bot.domain.kinds import (
    Actor,
    Channel,
    PreferredDays,
    TargetReview,
    TargetSource,
)
from bot.domain.nik import mask
from bot.domain.table_rows import Problem, Rejected, RowError
from bot.domain.target_rows import TargetRow
from bot.services import contacts, events, holding, recording
from bot.services.directory import Directory

# Rows written in one transaction. Each commit writes every index page its rows touched, and
# the NIK hash and the codes are random, so a chunk touches pages all over those indexes:
# bigger chunks mean fewer times the same pages are written (5,000 rows a chunk spent more time
# committing than inserting at a city's size). Two chunks are in memory at once (one checked,
# one written): 25,000 keeps a million-row import well under 400 MB.
CHUNK = 25_000
# SQLite while importing: a page cache the random indexes of a city's list fit in (its default,
# 2 MB, does not, and every page read back cost as much as a row), and a checkpoint once the
# log holds 256 MB rather than 4 MB, that is after a few chunks rather than after each: each
# checkpoint copies back every index page its chunks touched, the same pages chunk after chunk.
# The settings are put back when the import ends.
_SQLITE_IMPORTING = ("PRAGMA cache_size = -65536", "PRAGMA wal_autocheckpoint = 65536")
_SQLITE_AFTER = ("PRAGMA cache_size = -2000", "PRAGMA wal_autocheckpoint = 1000")


_AGE_PROBLEMS = {AgeProblem.TOO_YOUNG: Problem.TOO_YOUNG, AgeProblem.TOO_OLD: Problem.TOO_OLD}


async def _sqlite_settings(session: AsyncSession, pragmas: tuple[str, ...]) -> None:
    if session.get_bind().dialect.name == "sqlite":
        for pragma in pragmas:
            await session.execute(text(pragma))


# Every column of a new target, in the order the bulk insert gives them (no ORM defaults there).
_INSERTED = (
    "nik_hash",
    "nik_sealed",
    "name",
    "birth_date",
    "sex",
    "region_id",
    "address",
    "school_id",
    "category",
    "institution",
    "recorded_at",
    "preferred_days",
    "invite_hash",
    "invite_sealed",
    "attend_hash",
    "attend_sealed",
    "source",
    "review",
    "created_at",
    "updated_at",
)
# Fields an import may change on a target already on the list.
_UPDATABLE = (
    "name",
    "birth_date",
    "sex",
    "region_id",
    "address",
    "school_id",
    "category",
    "institution",
)


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    marked_recorded: int = 0
    moved: int = 0  # sessions moved by a re-import (their code said which)
    told: int = 0  # teens told of those moves (in their own chat or a parent's)
    untold: int = 0  # teens of those moves nobody could tell
    rejected: list[Rejected] = field(default_factory=list)
    # Phone numbers left out of rows that went in: the report lists them after the rows.
    numbers_refused: list[Rejected] = field(default_factory=list)
    numbers_changed: int = 0  # records whose numbers the list put or replaced


def _code_columns(vault: Vault, count: int) -> list[Sequence[str]]:
    """Fresh invitation and attendance codes for `count` new targets, each as its keyed hash
    and its sealed copy (bot/db/codes.py), hashed and sealed a list at a time."""
    codes = new_codes(2 * count)  # distinct from one another: no collision inside
    # Invitation codes in the order of their hashes, as the rows are in the order of theirs
    # (see _store_targets), so that index too takes the chunk in one sweep; attendance codes
    # not, so that one of a teen's codes says nothing about the other.
    invite = sorted(zip(vault.code_hashes(codes[0::2]), codes[0::2], strict=True))
    attend = codes[1::2]
    return [
        [digest for digest, _ in invite],
        vault.seal_codes([code for _, code in invite]),
        vault.code_hashes(attend),
        vault.seal_codes(attend),
    ]


async def _insert_new(
    session: AsyncSession, vault: Vault, new: list[Sequence[Any]], now: datetime
) -> None:
    """Insert new targets, given column by column (those of _INSERTED up to the codes), with
    fresh invitation and attendance codes. Random 8-character codes do collide with those
    already given among a million; a collision fails the insert (unique index), and the chunk
    is tried again with new codes inside a savepoint, which is cheaper than looking every code
    up first."""
    count = len(new[0])
    constant: list[list[Any]] = [
        [value] * count for value in (TargetSource.IMPORTED, TargetReview.ACCEPTED, now, now)
    ]
    for attempt in range(5):
        codes = _code_columns(vault, count)
        try:
            async with session.begin_nested():
                await bulk_insert(session, Target, _INSERTED, [*new, *codes, *constant])
            return
        except IntegrityError:
            if attempt == 4:
                raise


async def _existing(session: AsyncSession, hashes: list[str]) -> dict[str, Any]:
    """The targets already on the list among these NIK hashes, by hash."""
    found = await session.execute(
        select(
            Target.id,
            Target.nik_hash,
            Target.recorded_at,
            Target.source,
            *(getattr(Target, f) for f in _UPDATABLE),
        ).where(one_of(session, Target.nik_hash, hashes))
    )
    return {r.nik_hash: r for r in found}


async def _store_targets(
    session: AsyncSession,
    rows: list[TargetRow],
    directory: Directory,
    now: datetime,
    result: ImportResult,
    by: str,
) -> None:
    vault = vault_of(session)
    hashes = [vault.hash(row.nik) for row in rows]
    existing = await _existing(session, hashes)
    ids = await directory.ids_of(session, rows)
    new: list[tuple[Any, ...]] = []
    new_niks: list[str] = []
    changed: list[dict[str, Any]] = []
    recorded: list[int] = []
    listed_now: list[int] = []
    added_recorded = 0
    for row, nik_hash, (region_id, school_id) in zip(rows, hashes, ids, strict=True):
        old = existing.get(nik_hash)
        if old is None:
            # Vocational students are on internships on weekdays (SPEC section 1).
            smk = row.category is not None and "smk" in row.category.casefold()
            added_recorded += row.recorded
            new_niks.append(row.nik)
            new.append(
                (  # the columns of _INSERTED up to the codes; the seal is put in below
                    nik_hash,
                    None,
                    row.name,
                    row.birth_date,
                    row.sex,
                    region_id,
                    row.address,
                    school_id,
                    row.category,
                    row.institution,
                    now if row.recorded else None,
                    PreferredDays.WEEKEND if smk else PreferredDays.ANY,
                )
            )
            continue
        values: dict[str, Any] = {
            "name": row.name,
            "birth_date": row.birth_date,
            "sex": row.sex,
            "region_id": region_id,
            "address": row.address,
            "school_id": school_id,
            "category": row.category,
            "institution": row.institution,
        }
        if old.source == TargetSource.SELF_REGISTERED:
            # The office's list wins over a self-registration (whoever made it): the record
            # is now the office's; who may hold it from now on is holding.list_arrived's rule.
            values |= {"source": TargetSource.IMPORTED, "review": TargetReview.ACCEPTED}
            changed.append({"id": old.id, **values, "updated_at": now})
            listed_now.append(old.id)
        elif any(getattr(old, f) != values[f] for f in _UPDATABLE):
            changed.append({"id": old.id, **values, "updated_at": now})
        else:
            result.unchanged += 1
        # A recording is never undone by a list that has not caught up with it.
        if row.recorded and old.recorded_at is None:
            recorded.append(old.id)
    if new:
        # In NIK-hash order, with the invitation codes' hashes sorted too (_code_columns): two
        # of the three random unique indexes then take the chunk's keys in one sweep each, every page
        # touched once, where random order read pages back again and again once the indexes
        # outgrew the page cache (docs/benchmarks.md). So a chunk's ids follow the keyed hash,
        # not the file; where ids break a tie (teens of one birth date, summoned in id order),
        # file order gave way to an order nobody chose, which is no less fair. Given their ids in
        # file order instead, rows went into the table's own tree out of order, and that cost the
        # gain back.
        paired = sorted(zip(new, new_niks, strict=True), key=lambda pair: pair[0][0])
        columns: list[Sequence[Any]] = list(zip(*(row for row, _ in paired), strict=True))
        columns[1] = vault.seal_many([nik for _, nik in paired])
        await _insert_new(session, vault, columns, now)
    if changed:
        await session.execute(update(Target), changed)
    listed = [
        contacts.Listed(nik_hash, row.phone, row.guardian_phone, row.whatsapp_consent)
        for row, nik_hash in zip(rows, hashes, strict=True)
        if row.phone is not None or row.guardian_phone is not None
    ]
    result.numbers_changed += await contacts.put_listed(session, listed, now=now, by=by)
    if listed_now:
        await holding.list_arrived(session, listed_now, now=now)
    if recorded:  # the list says so: every consequence, as for a mark at the desk
        await recording.mark_recorded(
            session,
            recorded,
            at=now,
            source=recording.Source.LIST,
            by=by,
            channel=Channel.CLI,
            now=now,
        )
    result.added += len(new)
    result.updated += len(changed)
    result.marked_recorded += len(recorded) + added_recorded


async def import_targets(
    db: Database,
    header: list[Any],
    rows: Iterable[tuple[int, list[Any] | None]],
    *,
    today: date,
    now: datetime,
    regions: tuple[str, ...],
    progress: Callable[[int], None] | None = None,
    by: str = "cli",
    age_of: Callable[[date], AgeRefusal | None] | None = None,
) -> ImportResult:
    """Add or update every good row of a target list; say why each other row was left out,
    with the name and masked NIK it gives (a row of None: one the file's reader could not
    hold). `age_of`: why a birth date is not of the list's age (eligibility.target_age), or
    None; a row refused is left out, with the day the rule looks at and the age then."""
    fields = table_rows.header_fields(
        header, target_rows.TARGET_HEADERS, target_rows.TARGET_REQUIRED
    )
    read = target_rows.target_reader(fields, today=today, regions=regions)
    result = ImportResult()
    directory = Directory()
    # NIKs met so far, as numbers: a million of them take half the memory of their text.
    seen: set[int] = set()
    ages: dict[date, AgeRefusal | None] = {}  # age_of's answer for each birth date met
    chunk: list[TargetRow] = []
    writing: asyncio.Task[None] | None = None

    async def store(rows: list[TargetRow]) -> None:
        async with db.session() as session:
            await _sqlite_settings(session, _SQLITE_IMPORTING)
            await _store_targets(session, rows, directory, now, result, by)
        if progress is not None:
            progress(len(rows))

    async def flush() -> None:
        # The database writes one chunk (in its own thread) while the next is being checked;
        # chunks are still written one after another, in file order.
        nonlocal writing, chunk
        if writing is not None:
            await writing
        writing = asyncio.create_task(store(chunk))
        chunk = []

    for count, (number, cells) in enumerate(rows):
        if count % 500 == 0:
            await asyncio.sleep(0)  # let the chunk being written reach the database
        if cells is None:
            result.rejected.append(Rejected(number, Problem.CELL_TOO_LARGE))
            continue
        try:
            row = read(cells)
        except RowError as error:
            name, nik = target_rows.who(fields, cells)
            result.rejected.append(Rejected(number, error.problem, error.column, name, nik))
            continue
        if age_of is not None:
            if row.birth_date not in ages:
                ages[row.birth_date] = age_of(row.birth_date)
            refused = ages[row.birth_date]
            if refused is not None:
                problem = _AGE_PROBLEMS[refused.problem]
                result.rejected.append(
                    Rejected(
                        number,
                        problem,
                        "birth_date",
                        row.name,
                        mask(row.nik),
                        age=refused.age,
                        on=refused.on,
                    )
                )
                continue
        key = int(row.nik)
        if key in seen:
            result.rejected.append(
                Rejected(number, Problem.DUPLICATE, "nik", row.name, mask(row.nik))
            )
            continue
        seen.add(key)
        for column, problem in row.refused_numbers:
            result.numbers_refused.append(
                Rejected(number, problem, column, row.name, mask(row.nik))
            )
        chunk.append(row)
        if len(chunk) >= CHUNK:
            await flush()
    if chunk:
        await flush()
    if writing is not None:
        await writing
    async with db.session() as session:
        await _sqlite_settings(session, _SQLITE_AFTER)
        events.record(
            session,
            "targets_imported",
            actor=Actor.STAFF,
            channel=Channel.CLI,
            added=result.added,
            updated=result.updated,
            rejected=len(result.rejected),
            numbers_refused=len(result.numbers_refused),
            by=by,
        )
    return result
