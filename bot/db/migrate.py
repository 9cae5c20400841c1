"""Apply Alembic migrations from inside the running program."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db import keys
from bot.db.engine import Database
from bot.db.vault import Vault
from bot.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

VAULT_ATTRIBUTE = "rekam_vault"
# Any constant works; it only has to be the same in every process of one office.
_MIGRATION_LOCK_KEY = 7_351_202_400


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at our migrations, with no alembic.ini needed."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _newest() -> int:
    return max(
        (int(path.name[:4]) for path in (migrations_dir() / "versions").glob("[0-9]*.py")),
        default=0,
    )


def next_revision_id() -> str:
    """Revisions are numbered in order: 0001, 0002, ..."""
    return f"{_newest() + 1:04d}"


async def revision_of(database: Database) -> str | None:
    """The schema's revision, None when the database has none yet (read without loading
    Alembic: every `rekam` command checks it, and a report should not wait for it)."""
    try:
        async with database.engine.connect() as connection:
            found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        return None  # no schema yet
    return str(found) if found is not None else None


async def _is_current(database: Database) -> bool:
    """The schema is at the newest revision."""
    return await revision_of(database) == f"{_newest():04d}"


def _upgrade(connection: Connection, revision: str, vault: Vault | None) -> None:
    if connection.dialect.name == "postgresql":
        # Two bot processes starting together must not both run the same migration.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    # A migration that seals or hashes what was kept in clear takes the key from here
    # (DATA_KEY in the environment when Alembic runs on its own): VAULT_ATTRIBUTE.
    config.attributes[VAULT_ATTRIBUTE] = vault
    command.upgrade(config, revision)


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); then, for a handle with a
    DATA_KEY, check that it is the database's key (bot/db/keys.py: WrongDataKeyError)."""
    if revision != "head" or not await _is_current(database):
        await _migrate(database, revision)
    if revision == "head" and database.vault is not None:
        async with database.session() as session:
            await keys.check(session, database.vault)


async def _migrate(database: Database, revision: str) -> None:
    if database.engine.dialect.name != "sqlite":
        async with database.engine.begin() as connection:
            await connection.run_sync(_upgrade, revision, database.vault)
        return
    # SQLite alters a table by copying it and dropping the old one; with foreign keys on, that
    # drop deletes (ON DELETE CASCADE) every row that refers to it. So migrations run on a
    # connection of their own with foreign keys off (SQLite's default), and are checked after.
    engine = create_async_engine(database.url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, revision, database.vault)
            broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
            if broken:
                raise RuntimeError(f"migration left {len(broken)} rows pointing nowhere")
    finally:
        await engine.dispose()
