"""Small statements both backends need in their own dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
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
