"""Small statements both backends need in their own dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, Table, case, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


def insert_or_ignore(
    session: AsyncSession, model: type[DeclarativeBase], rows: list[dict[str, Any]], *keys: str
) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO NOTHING, for SQLite or PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).values(rows).on_conflict_do_nothing(index_elements=list(keys))


def count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END), 0 for no rows: a count inside a GROUP BY."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def core_table(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model, for bulk statements that need none of the ORM's work."""
    return model.metadata.tables[str(model.__tablename__)]


async def bulk_insert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> None:
    """INSERT many rows through the driver's executemany, each value converted once by its
    column's own type. For imports of hundreds of thousands of rows: SQLAlchemy's per-row
    parameter handling cost as much as the database's own work."""
    if not rows:
        return
    table = core_table(model)
    dialect = session.get_bind().dialect
    convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    if dialect.paramstyle == "numeric_dollar":
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    else:
        marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (names are our own columns)
    # The same object in every row (an import's `now`) is converted once, not once a row.
    last: list[tuple[Any, Any]] = [(object(), None)] * len(columns)

    def value_of(index: int, value: Any) -> Any:
        step = convert[index]
        if step is None or value is None:
            return value
        seen, done = last[index]
        if value is not seen:
            done = step(value)
            last[index] = (value, done)
        return done

    converted = [tuple(value_of(i, value) for i, value in enumerate(row)) for row in rows]
    connection = await session.connection()
    await connection.exec_driver_sql(sql, converted)
