"""Shared fixtures: databases (SQLite always, PostgreSQL when a server is there), the bot."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import main
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Account,
    Summons,
    Target,
)
from bot.domain.kinds import SummonsState
from tests.support.harness import TEST_DATA_KEY, BotHarness, make_settings, running_bot
from tests.support.harness import database as open_database
from tests.support.offices import seeded_office

POSTGRES_ENV = "REKAM_TEST_POSTGRES_URL"

# No deadline: on a busy machine one example can take longer than Hypothesis's 200 ms for no
# fault of the code, and a deadline is not what these properties are about. A test that asks
# for more or fewer examples still says so with its own @settings.
hypothesis_settings.register_profile("rekam", deadline=None, max_examples=100)
hypothesis_settings.load_profile("rekam")
_SKIP_TEXTS = ("PostgreSQL not tested:", "PostgreSQL not reachable at")


def _admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """`rekam` commands set up logging on the stderr of their moment; under pytest that stream
    is closed once the test ends, so put the root logger back for the next test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _data_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """`rekam` commands run by tests read DATA_KEY from the environment, as in an office."""
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)


def _wants_empty(request: pytest.FixtureRequest) -> bool:
    """A test about the migrations themselves starts from a database with no schema."""
    return request.node.get_closest_marker("empty_database") is not None


# Migrating from nothing costs about 0.6 s of CPU, and nearly every test needs a schema: each
# xdist worker migrates one template per backend and every test starts from a copy of it. The
# template has the schema only; the first handle with a DATA_KEY still records its key, as in a
# new office. (The migrations themselves are tested from empty: @pytest.mark.empty_database.)
@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "office.db"

    async def make() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")  # no key: the schema only
        await upgrade(db)
        await db.dispose()

    asyncio.run(make())
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str | None]:
    admin = _admin_url()
    name = f"rekam_template_{uuid.uuid4().hex[:12]}"
    if admin is None:
        yield None
        return

    async def run(statement: str) -> None:
        engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    async def make() -> None:
        await run(f'CREATE DATABASE "{name}"')
        db = Database(make_url(admin).set(database=name).render_as_string(hide_password=False))
        await upgrade(db)
        await db.dispose()

    try:
        asyncio.run(make())
    except OSError:
        yield None  # no server: postgres_url says so and skips
        return
    yield name
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
async def postgres_url(
    request: pytest.FixtureRequest, _postgres_template: str | None
) -> AsyncIterator[str]:
    """A fresh PostgreSQL database for one test (the migrated template's copy, or empty for an
    @pytest.mark.empty_database test), dropped afterwards."""
    admin = _admin_url()
    if admin is None:
        pytest.skip(f"PostgreSQL not tested: {POSTGRES_ENV} is not set")
    name = f"rekam_test_{uuid.uuid4().hex[:12]}"
    copy = "" if _wants_empty(request) or _postgres_template is None else _postgres_template
    engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            template = f' TEMPLATE "{copy}"' if copy else ""
            await connection.execute(text(f'CREATE DATABASE "{name}"{template}'))
    except OSError as error:
        await engine.dispose()
        pytest.skip(f"PostgreSQL not reachable at {admin}: {error}")
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        async with engine.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, request: pytest.FixtureRequest, _sqlite_template: Path) -> str:
    """A fresh SQLite office (the migrated template's copy, mode 0600 as the bot makes it, or
    no file for an @pytest.mark.empty_database test)."""
    path = tmp_path / "office.db"
    if not _wants_empty(request):
        shutil.copyfile(_sqlite_template, path)
        path.chmod(0o600)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Both backends: the test runs once on SQLite and once on PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    yield request.getfixturevalue(name)


@pytest.fixture
async def bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    """The bot on a fresh SQLite office, polling the in-process emulator."""
    async with running_bot(make_settings(sqlite_url)) as harness:
        yield harness


def _postgres_skips(terminalreporter: pytest.TerminalReporter) -> list[str]:
    """The reasons of the tests skipped for want of PostgreSQL. Read from the skip reports,
    which under xdist reach the controller (a worker's own terminal summary is never shown)."""
    reasons = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = str(reason).removeprefix("Skipped: ")
        if reason.startswith(_SKIP_TEXTS):
            reasons.append(reason)
    return reasons


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = _postgres_skips(terminalreporter)
    if skipped:
        bar = "!" * 78
        terminalreporter.write_line(bar, red=True, bold=True)
        terminalreporter.write_line(
            f"PostgreSQL tests were SKIPPED ({len(skipped)}): "
            f"{skipped[0]}. Set {POSTGRES_ENV} (see .ci/run).",
            red=True,
            bold=True,
        )
        terminalreporter.write_line(bar, red=True, bold=True)


@contextlib.asynccontextmanager
async def _migrated(url: str) -> AsyncIterator[Database]:
    db = open_database(url)
    await upgrade(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated office database on each backend."""
    async with _migrated(database_url) as db:
        yield db


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    """A migrated office database on SQLite, for a service-level test that is about rules,
    not the backend."""
    async with _migrated(sqlite_url) as db:
        yield db


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An office database with six teens summoned (two waiting), one recorded, one confirmed."""
    url = f"sqlite+aiosqlite:///{tmp_path}/office.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("BOT_USERNAME", "RekamUjiBot")

    async def prepare() -> str:
        db = open_database(url)
        await upgrade(db)
        found = await seeded_office(db, make_settings(url).zone, capacity=2)
        await db.dispose()
        return found["election"].isoformat()

    monkeypatch.setenv("ELECTION_DATE", asyncio.run(prepare()))
    assert main(["summon"]) == 0

    async def answers() -> None:
        db = open_database(url)
        async with db.session() as session:
            await session.execute(
                update(Target)
                .where(Target.name == "Remaja 6")
                .values(recorded_at=datetime.now(UTC))
            )
            first = await session.scalar(
                select(Summons).where(
                    Summons.target_id
                    == select(Target.id).where(Target.name == "Remaja 5").scalar_subquery()
                )
            )
            assert first is not None
            first.state = SummonsState.CONFIRMED
            teen = await session.scalar(select(Target).where(Target.name == "Remaja 1"))
            assert teen is not None
            session.add(Account(telegram_id=777, language="id", target_id=teen.id))
        await db.dispose()

    asyncio.run(answers())
    return url


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder whose office.db the `rekam` commands use, for the office's region."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/office.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    return tmp_path
