"""Apply Alembic migrations from inside the running program."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from bot.db.engine import Database
from bot.paths import migrations_dir

# Any constant works; it only has to be the same in every process of one office.
_MIGRATION_LOCK_KEY = 7_351_202_400


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at our migrations, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def next_revision_id() -> str:
    """Revisions are numbered in order: 0001, 0002, ..."""
    numbers = [int(path.name[:4]) for path in (migrations_dir() / "versions").glob("[0-9]*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        # Two bot processes starting together must not both run the same migration.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default)."""
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)
