"""One engine per process and a session scope per unit of work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Dialect, event
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db.vault import INFO_KEY, Vault
from bot.files import create_private

READ_ONLY = "rekam_read_only"
# PostgreSQL: a pooled connection that sat unused this long is pinged before a unit of work gets
# it (the server may have closed it meanwhile: a restart, an idle timeout, a network break). One
# used less than this ago is not: if the server restarted in between, the unit of work that gets
# it fails (the person is told to try again) and the pool is replaced from that failure on.
# SQLAlchemy's pool_pre_ping pings at every checkout, and on asyncpg a ping is three round trips
# (BEGIN, ";", ROLLBACK): under a burst of presses, where connections go back and forth within
# milliseconds, a third of a press's round trips to the database.
PING_IDLE_AFTER = 10.0  # seconds
_IDLE_SINCE = "rekam_idle_since"


def _begin_immediate(connection: Any) -> None:
    # A deferred SQLite transaction that reads and then writes fails outright ("database is
    # locked", no waiting) when another writer committed in between. Taking the write lock at
    # BEGIN makes concurrent units of work queue behind each other instead. A unit of work
    # that only reads (Database.reading) needs no lock, and runs beside the others.
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, decide how a transaction starts.
    dbapi_connection.isolation_level = None
    # WAL lets the dispatcher read while a handler writes; the busy timeout turns a
    # momentary lock into a short wait instead of "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Any:
    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < PING_IDLE_AFTER:
            return  # just connected, or back in the pool a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # As pool_pre_ping does: the server went away (a restart, most often), so every
            # connection made before now is replaced at its next checkout, not only this one;
            # one pinged recently would otherwise be handed out dead.
            raise InvalidatePoolError("a pooled connection no longer answers") from error

    return checkout


def _create_private_file(url: URL) -> None:
    # SQLite creates a missing database file with the umask's mode, often readable by every
    # account on the computer. Created here first, 0600, before anything connects, it stays its
    # owner's; SQLite gives its -wal and -shm files the mode of the database file.
    name = url.database
    if not name or name == ":memory:" or name.startswith("file:") or url.query.get("uri"):
        return  # in memory, or a URI that SQLite reads its own way
    create_private(Path(name))


PHONES_KEY = "rekam_phones"


def phones_of(session: AsyncSession) -> tuple[str, ...]:
    """The channels beyond Telegram the unit of work's office sends on ("whatsapp", "sms")."""
    found = session.info.get(PHONES_KEY, ())
    return tuple(found)


class Database:
    """The engine and a factory of sessions, handed to whoever needs them."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        data_key: str | None = None,
        phones: tuple[str, ...] = (),
    ) -> None:
        self.url = url
        # hide_parameters: a failed statement's message must never carry a NIK into a log.
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if not url.startswith("sqlite"):
            # Last in, first out: under light traffic the same few connections are used and stay
            # fresh (no ping), and the rest age in the pool.
            kwargs.update(pool_size=10, max_overflow=10, pool_use_lifo=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.engine.dialect.name != "sqlite":
            event.listen(self.engine.sync_engine, "checkin", _note_idle)
            event.listen(self.engine.sync_engine, "checkout", _ping_if_idle(self.engine.dialect))
        if self.engine.dialect.name == "sqlite":
            _create_private_file(self.engine.url)
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
            event.listen(self.engine.sync_engine, "begin", _begin_immediate)
        # Every unit of work finds the NIK vault here (bot/db/vault.py: vault_of); without
        # DATA_KEY a unit of work still runs, and fails only where it touches a NIK.
        self.vault = Vault(data_key) if data_key else None
        info: dict[str, Any] = {INFO_KEY: self.vault} if self.vault else {}
        # The channels beyond Telegram this office sends on, in ladder order (Settings.phones):
        # who a change reaches depends on them (bot/services/outbox.py: recipients_of).
        info[PHONES_KEY] = phones
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False, info=info)
        # SQLite has one writer at a time. Inside this process units of work queue for it here,
        # first come first served; left to SQLite's busy handler they poll with growing sleeps,
        # and under a burst of presses a few waited seconds while the lock stood free.
        self._writer = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None
        self._writing: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def _one_writer(self) -> AsyncIterator[None]:
        if self._writer is None:
            yield
            return
        if self._writing is not None and self._writing is asyncio.current_task():
            # It would wait for itself forever: say so instead.
            raise RuntimeError("a unit of work opened inside another on SQLite")
        async with self._writer:
            self._writing = asyncio.current_task()
            try:
                yield
            finally:
                self._writing = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends, rolled back when it raises."""
        async with self._one_writer(), self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads: on SQLite it takes no write lock, so several run
        at once (reports); nothing it does is committed."""
        async with self._sessions() as session:
            try:
                await session.connection(execution_options={READ_ONLY: True})
                yield session
            finally:
                await session.rollback()

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
