"""The planner's sweep of abandoned conversations (each round): it ends those left for a day,
and leaves alone accounts whose conversation has already ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Account
from bot.domain.kinds import Role
from bot.domain.steps import Step
from bot.services import conversations, retention
from tests.support.harness import database as open_database

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def test_the_sweep_ends_abandoned_conversations_and_leaves_ended_ones_alone(
    database_url: str,
) -> None:
    db: Database = open_database(database_url)
    await upgrade(db)
    try:
        async with db.session() as session:
            ended, abandoned = (
                Account(telegram_id=501, language="id", role=Role.TEEN),
                Account(telegram_id=502, language="id", role=Role.TEEN),
            )
            session.add_all([ended, abandoned])
            await session.flush()
            await conversations.go(session, ended.id, Step.NIK)
            await conversations.end(session, ended.id)  # answered: nothing awaited any more
            await conversations.go(session, abandoned.id, Step.NIK)
            await session.execute(update(Account).values(updated_at=NOW - timedelta(days=2)))
        async with db.session() as session:
            assert await retention.forget_abandoned_conversations(session, NOW) == 1
        async with db.session() as session:
            rows = (await session.execute(select(Account).order_by(Account.telegram_id))).scalars()
            assert [(a.telegram_id, a.conversation) for a in rows] == [(501, None), (502, None)]
            # A later sweep finds nothing to do (an ended conversation is not rewritten).
            assert await retention.forget_abandoned_conversations(session, NOW + timedelta(1)) == 0
    finally:
        await db.dispose()
