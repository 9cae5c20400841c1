"""The pool's connections on PostgreSQL: pinged only after sitting idle; once one is found closed
by the server, every older one is replaced."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import engine as engine_module
from bot.db.engine import Database


async def _close_everyone_elses_connections(url: str) -> int:
    """What a server restart does to the pool: every other connection to the database is cut."""
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            cut = await connection.scalars(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return sum(1 for ok in cut if ok)
    finally:
        await admin.dispose()


async def _backend(database: Database) -> int:
    async with database.session() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    assert isinstance(pid, int)
    return pid


@pytest.fixture
async def pinged(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Database, list[int]]]:
    """A database on PostgreSQL, and the pings its pool makes (one entry each)."""
    database = Database(postgres_url)
    pings: list[int] = []
    dialect: Any = database.engine.dialect
    real = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return bool(real(dbapi_connection))

    monkeypatch.setattr(dialect, "do_ping", counted)
    try:
        yield database, pings
    finally:
        await database.dispose()


async def _two_at_once(database: Database) -> set[int]:
    """Two units of work at the same time: two pooled connections (PostgreSQL)."""
    async with database.reading() as one, database.reading() as two:
        pids = [await each.scalar(text("SELECT pg_backend_pid()")) for each in (one, two)]
    return {int(pid) for pid in pids}


async def test_after_the_server_closed_the_pool_every_unit_of_work_gets_a_live_connection(
    pinged: tuple[Database, list[int]], postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, pings = pinged
    before = await _two_at_once(database)
    assert len(before) == 2
    assert await _close_everyone_elses_connections(postgres_url) == 2  # a restart, say
    monkeypatch.setattr(engine_module, "PING_IDLE_AFTER", 0.0)  # it has sat "long enough"
    # The first unit of work after it: its connection is pinged, found dead, replaced.
    assert await _backend(database) not in before
    assert len(pings) == 1
    # The other connection was used a moment ago and is not pinged, yet it is not handed out
    # dead either: the failed ping replaced every connection made before it.
    monkeypatch.setattr(engine_module, "PING_IDLE_AFTER", 3600.0)
    assert not (await _two_at_once(database)) & before
    assert len(pings) == 1


async def test_a_connection_that_sat_idle_is_pinged_and_kept_when_it_answers(
    pinged: tuple[Database, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    database, pings = pinged
    monkeypatch.setattr(engine_module, "PING_IDLE_AFTER", 0.0)
    first = await _backend(database)  # a new connection: nothing to ask
    assert pings == []
    assert await _backend(database) == first
    assert len(pings) == 1


async def test_a_connection_in_steady_use_is_not_pinged(
    pinged: tuple[Database, list[int]],
) -> None:
    database, pings = pinged
    backends = {await _backend(database) for _ in range(5)}
    assert len(backends) == 1  # the same pooled connection, back and forth
    assert pings == []  # no round trips spent asking whether it still works
