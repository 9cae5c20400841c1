"""Small statements both backends need in their own dialect."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    SQLColumnExpression,
    String,
    Table,
    any_,
    bindparam,
    case,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import DeclarativeBase


@cache
def _or_ignore(dialect: str, model: type[DeclarativeBase], keys: tuple[str, ...]) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(core_table(model)).on_conflict_do_nothing(index_elements=list(keys))


async def insert_or_ignore(
    session: AsyncSession, model: type[DeclarativeBase], row: dict[str, Any], *keys: str
) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING of one row, for SQLite or PostgreSQL: whether
    it went in. The statement holds no values (they go beside it), so it is built and compiled
    once a process; with its values inside, SQLAlchemy compiled it again at every call, three
    times a phone answer (docs/benchmarks.md, issue 24). It is a Core statement, which does
    not flush the session's pending changes as an ORM one does: they are flushed first."""
    statement = _or_ignore(session.get_bind().dialect.name, model, keys)
    await session.flush()  # as an ORM statement would: a pending row with the key counts
    inserted = await session.execute(statement, row)
    return bool(inserted.rowcount)  # type: ignore[attr-defined]


async def insert_all_or_ignore(
    session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]], *keys: str
) -> None:
    """insert_or_ignore of several rows in one executemany; every row has the same columns
    (the first row's are the statement's)."""
    if rows:
        await session.flush()
        await session.execute(_or_ignore(session.get_bind().dialect.name, model, keys), rows)


def one_of(
    session: AsyncSession, column: SQLColumnExpression[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """column IN (values) as one parameter however many values there are (an array in
    PostgreSQL, a JSON list in SQLite): an import looks up tens of thousands of NIKs a chunk,
    and one parameter a value cost more than the look-up itself."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(String)))
    each = select(literal_column("value", String)).select_from(func.json_each(json.dumps(values)))
    return column.in_(each.scalar_subquery())


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0 for no rows: a count inside a GROUP BY."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def core_table(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model, for bulk statements that need none of the ORM's work."""
    return model.metadata.tables[str(model.__tablename__)]


# Parameters in one SQLite statement: well under the 32,766 it allows since version 3.32.
_SQLITE_PARAMETERS = 16_000


def _converted(step: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """Each value through its column's bind processor, each distinct value once: an import's
    dates, instants and enums repeat across thousands of rows."""
    done: dict[Any, Any] = {None: None}
    try:
        return [done[v] if v in done else done.setdefault(v, step(v)) for v in values]
    except TypeError:  # a value that cannot be a dictionary key: converted every time
        return [None if v is None else step(v) for v in values]


async def bulk_insert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    columns: Sequence[str],
    values: list[Sequence[Any]],
) -> None:
    """INSERT many rows, given column by column (`values[i]` holds every row's value of
    `columns[i]`), each distinct value converted once by its column's own type, and written
    the fastest way each database has. For imports of hundreds of thousands of rows:
    SQLAlchemy's per-row parameter handling cost as much as the database's own work."""
    if not values or not values[0]:
        return
    table = core_table(model)
    dialect = session.get_bind().dialect
    convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    by_column = [
        values[index] if step is None else _converted(step, values[index])
        for index, step in enumerate(convert)
    ]
    converted = list(zip(*by_column, strict=True))
    names = ", ".join(columns)
    connection = await session.connection()
    if dialect.name == "sqlite":
        # Many rows a statement: SQLite's work runs in the driver's thread without Python's
        # lock while the import checks the next chunk, and the lock is taken back once a
        # statement rather than once a row (it waits behind the import every time it is).
        per = max(1, _SQLITE_PARAMETERS // len(columns))
        marks = "(" + ", ".join("?" for _ in columns) + ")"
        for start in range(0, len(converted), per):
            part = converted[start : start + per]
            sql = f"INSERT INTO {table.name} ({names}) VALUES {', '.join([marks] * len(part))}"  # noqa: S608 (our own columns)
            await connection.exec_driver_sql(sql, tuple(chain.from_iterable(part)))
        return
    if dialect.name == "postgresql":
        await _copy(connection, table.name, columns, converted)
        return
    if dialect.paramstyle == "numeric_dollar":
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    else:
        marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({marks})"  # noqa: S608 (names are our own columns)
    await connection.exec_driver_sql(sql, converted)


async def _copy(
    connection: AsyncConnection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """The rows through PostgreSQL's COPY (asyncpg's binary copy), inside the unit of work's
    transaction: a tenth of an executemany's time. A broken constraint is an IntegrityError,
    as from any other statement."""
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:
        raise RuntimeError("no driver connection to copy through")
    try:
        await driver.copy_records_to_table(table, records=rows, columns=list(columns))
    except Exception as error:
        if str(getattr(error, "sqlstate", "")).startswith("23"):  # integrity constraint class
            raise IntegrityError(f"COPY {table}", None, error) from error
        raise
