"""The staff list's rules live in bot/services/staff.py, so Telegram, the dashboard and
`rekam staff` keep the same ones: nobody changes their own role or removes themself, and the
office's only admin cannot be removed or made plain staff, by anyone, from anywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Staff
from bot.domain.kinds import Channel
from bot.services import staff
from bot.services.staff import Roster
from tests.support.harness import database

ADMIN, OTHER, CLERK = 5_001, 5_002, 5_003


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    opened = database(database_url)
    await upgrade(opened)
    async with opened.session() as session:
        await staff.add(session, ADMIN, admin=True, by="operator", channel=Channel.CLI)
        await staff.add(session, CLERK, admin=False, by="operator", channel=Channel.CLI)
    yield opened
    await opened.dispose()


async def roles(db: Database) -> dict[int, bool]:
    async with db.session() as session:
        rows = await session.execute(select(Staff.telegram_id, Staff.is_admin))
    return {telegram_id: admin for telegram_id, admin in rows}


async def test_the_only_admin_stays_one_whoever_asks(db: Database) -> None:
    async with db.session() as session:
        assert await staff.remove(session, ADMIN, by="operator", channel=Channel.CLI) == (
            Roster.LAST_ADMIN
        )
        assert await staff.add(session, ADMIN, admin=False, by="operator", channel=Channel.CLI) == (
            Roster.LAST_ADMIN
        )
        assert await staff.remove(session, ADMIN, by=CLERK, channel=Channel.WEB) == (
            Roster.LAST_ADMIN
        )
    assert await roles(db) == {ADMIN: True, CLERK: False}


async def test_with_a_second_admin_one_may_go_and_then_the_other_is_the_only_one(
    db: Database,
) -> None:
    async with db.session() as session:
        assert await staff.add(session, OTHER, admin=True, by=ADMIN, channel=Channel.TELEGRAM) == (
            Roster.ADDED
        )
    async with db.session() as session:
        assert await staff.remove(session, ADMIN, by=OTHER, channel=Channel.WEB) == Roster.REMOVED
    async with db.session() as session:
        assert await staff.add(session, OTHER, admin=False, by="operator", channel=Channel.CLI) == (
            Roster.LAST_ADMIN
        )
    assert await roles(db) == {OTHER: True, CLERK: False}


async def test_nobody_changes_their_own_role_or_removes_themself(db: Database) -> None:
    async with db.session() as session:
        await staff.add(session, OTHER, admin=True, by=ADMIN, channel=Channel.TELEGRAM)
    async with db.session() as session:
        assert await staff.remove(session, ADMIN, by=ADMIN, channel=Channel.TELEGRAM) == (
            Roster.YOURSELF
        )
        assert await staff.add(session, ADMIN, admin=False, by=ADMIN, channel=Channel.WEB) == (
            Roster.YOURSELF
        )
        assert await staff.remove(session, 9_999, by=ADMIN, channel=Channel.WEB) == (
            Roster.NOT_STAFF
        )
    assert await roles(db) == {ADMIN: True, OTHER: True, CLERK: False}


def test_rekam_staff_refuses_the_only_admin_and_says_why(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["staff", "add", str(ADMIN), "--admin"]) == 0
    assert main(["staff", "remove", str(ADMIN)]) == 1
    assert main(["staff", "add", str(ADMIN)]) == 1  # without --admin: plain staff
    out = capsys.readouterr().out.splitlines()
    assert (
        out[1:]
        == [
            f"{ADMIN} adalah satu-satunya admin kantor ini. Jadikan orang lain admin dulu.",
        ]
        * 2
    )
