"""Finding the person in front of staff at the recording desk (Telegram /meja, the dashboard's
Meja perekaman, `rekam desk`): by attendance code, by NIK, or by name with or without a birth
date, in any case and with or without accents ("gita" finds "Gîta", "GÎTA" finds "Gita").

Names are compared as `names.name_tokens` folds them: every word typed must begin a word of
the listed name, in any order. The database cannot fold accents the same way in SQLite and
PostgreSQL, so the query narrows by a pattern in which every letter that may carry an accent is
a one-character wildcard (and by the birth date's index when one is typed), and the fold
decides among the rows it streams, stopping at the MOST-th match: a common name typed alone
shows MOST of its bearers and asks for the birth date, it never hides them behind a cut-off.

A search is an event (`person_listed`, who looked and through which channel) for every person
shown, so the office can see who looked at whom; the person's history leaves these out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.codes import Code, find_by_code
from bot.db.models import Place, Region, School, ServiceSession, Summons, Target
from bot.db.vault import vault_of
from bot.domain.desk import ByCode, ByName, ByNik, Query
from bot.domain.kinds import Actor, Channel, SummonsState
from bot.domain.names import name_tokens
from bot.domain.nik import mask
from bot.services import events

MOST = 10  # matches shown for a name; more means the staff should type the birth date or NIK
# Letters that carry accents in names people write ("é", "ñ", "ç", "ÿ"): matched by any one
# character in the database's pattern, decided by the fold afterwards.
_ACCENTED = frozenset("aeiouycn")
LISTED = "person_listed"


@dataclass(frozen=True)
class Found:
    target_id: int
    name: str
    nik: str  # masked
    birth_date: date
    school: str | None
    kelurahan: str | None
    recorded_at: datetime | None
    summons_state: SummonsState | None
    place: str | None
    starts_at: datetime | None


def _found_query() -> Any:  # the Select of one Found's columns
    return (
        select(
            Target.id,
            Target.name,
            Target.nik_sealed,
            Target.birth_date,
            School.name,
            Region.kelurahan,
            Target.recorded_at,
            Summons.state,
            Place.name,
            ServiceSession.starts_at,
        )
        .outerjoin(School, School.id == Target.school_id)
        .outerjoin(Region, Region.id == Target.region_id)
        .outerjoin(Summons, Summons.target_id == Target.id)
        .outerjoin(ServiceSession, ServiceSession.id == Summons.session_id)
        .outerjoin(Place, Place.id == ServiceSession.place_id)
    )


def _pattern(token: str) -> str:
    """'gita' -> '%g_t_%': a LIKE pattern any spelling of the word with accents matches."""
    escaped = "".join(
        "_" if char in _ACCENTED else char for char in token if char.isascii() and char.isalnum()
    )
    return f"%{escaped}%"


def name_matches(typed: tuple[str, ...], listed: str) -> bool:
    """Every typed word begins some word of the listed name ('rin les' finds 'Rina Lestari'),
    where the listed words may run on into the next: a name is written with and without its
    apostrophe, hyphen or space ('nuraini' finds "Nur'aini", 'nur aini' finds 'Nuraini')."""
    words = name_tokens(listed)
    runs = ["".join(words[i:]) for i in range(len(words))]

    def begins(part: str) -> bool:
        return any(run.startswith(part) for run in runs)

    return all(begins(part) for part in typed) or begins("".join(typed))


def _squashed(column: Any) -> Any:
    """The name in lower case without the marks people write or leave out between its parts
    (space, apostrophes, hyphen, dot), for the database to narrow on."""
    for mark in (" ", "\u00a0", "'", "\u2018", "\u2019", "\u02bc", "`", "-", "."):
        column = func.replace(column, mark, "")
    return column


async def _by_name(session: AsyncSession, query: ByName) -> list[int]:
    typed = name_tokens(query.name)
    if not typed:
        return []
    narrow = select(Target.id, Target.name)
    if query.birth_date is not None:
        narrow = narrow.where(Target.birth_date == query.birth_date)
    squashed = _squashed(func.lower(Target.name))
    for token in typed:  # each word is inside the squashed name, whichever way it matches
        narrow = narrow.where(squashed.like(_pattern(token)))
    found: list[int] = []
    rows = await session.stream(narrow.execution_options(yield_per=1_000))
    async for t_id, name in rows:
        if name_matches(typed, name):
            found.append(t_id)
            if len(found) == MOST:
                break
    await rows.close()
    return found


async def search(session: AsyncSession, query: Query) -> list[Found]:
    """Everyone matching what staff typed (at most MOST), ordered by name."""
    if isinstance(query, ByCode) or (isinstance(query, ByName) and query.maybe_code):
        code = query.code if isinstance(query, ByCode) else query.maybe_code
        assert code is not None
        found = await find_by_code(session, code, Code.ATTEND)
        if found is not None:
            return await _load(session, [found.id])
        if isinstance(query, ByCode):
            return []
    if isinstance(query, ByNik):
        where = Target.nik_hash == vault_of(session).hash(query.nik)
        rows = await session.execute(_found_query().where(where).limit(MOST))
        return _found(session, rows)
    assert isinstance(query, ByName)
    return await _load(session, await _by_name(session, query))


async def _load(session: AsyncSession, ids: list[int]) -> list[Found]:
    if not ids:
        return []
    rows = await session.execute(
        _found_query().where(Target.id.in_(ids)).order_by(Target.name, Target.id)
    )
    return _found(session, rows)


def _found(session: AsyncSession, rows: Any) -> list[Found]:
    vault = vault_of(session)
    return [
        Found(t_id, name, mask(vault.open(sealed)), born, school, kel, rec, state, place, starts)
        for t_id, name, sealed, born, school, kel, rec, state, place, starts in rows
    ]


async def one(session: AsyncSession, target_id: int) -> Found | None:
    """One person as the desk shows them (after a button press)."""
    found = await _load(session, [target_id])
    return found[0] if found else None


def _listed(session: AsyncSession, target_id: int, by: str, channel: Channel) -> None:
    events.record(session, LISTED, actor=Actor.STAFF, channel=channel, target_id=target_id, by=by)


async def look_up(session: AsyncSession, query: Query, *, by: str, channel: Channel) -> list[Found]:
    """`search`, and for each person shown the event that `by` saw them listed."""
    found = await search(session, query)
    for match in found:
        _listed(session, match.target_id, by, channel)
    return found


async def look_at(
    session: AsyncSession, target_id: int, *, by: str, channel: Channel
) -> Found | None:
    """`one`, shown to `by`: the event that they saw this person."""
    found = await one(session, target_id)
    if found is not None:
        _listed(session, target_id, by, channel)
    return found
