"""The schema comes from migrations, and the migrations say exactly what the models say."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Base
from bot.db.vault import Vault, new_key

pytestmark = pytest.mark.empty_database  # each test starts from no schema at all


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_apply_from_empty_and_match_the_models(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database)
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            differences = await connection.run_sync(_differences)
    finally:
        await database.dispose()
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
    assert differences == []


async def test_upgrading_twice_is_harmless(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        await upgrade(database)
        await upgrade(database)
        async with database.engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await database.dispose()
    assert differences == []


async def test_sqlite_never_reuses_an_erased_account_s_id(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        await upgrade(database)
        async with database.engine.begin() as connection:
            insert = text(
                "INSERT INTO accounts (telegram_id, language, language_chosen, role, "
                "created_at, updated_at) VALUES (:t, 'id', 0, 'none', :now, :now)"
            )
            now = datetime.now(UTC)
            await connection.execute(insert, {"t": 111, "now": now})
            first = await connection.scalar(text("SELECT max(id) FROM accounts"))
            await connection.execute(text("DELETE FROM accounts"))
            await connection.execute(insert, {"t": 222, "now": now})
            second = await connection.scalar(text("SELECT max(id) FROM accounts"))
    finally:
        await database.dispose()
    assert second == first + 1


async def test_an_office_database_with_data_keeps_every_row_through_the_upgrade(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite alters tables by copying them: no row that refers to one may be lost, and the
    NIKs come out of clear text."""
    key = new_key()
    monkeypatch.setenv("DATA_KEY", key)
    database = Database(sqlite_url)
    nik = "3599014503080001"
    try:
        await upgrade(database, "0007")
        now = datetime.now(UTC)
        async with database.engine.begin() as connection:
            for statement in (
                "INSERT INTO targets (id, nik, name, birth_date, source, review, preferred_days,"
                " invite_code, invite_failures, created_at, updated_at) VALUES (1, :nik,"
                " 'Rina', '2008-03-05', 'imported', 'accepted', 'any', 'RINA2345', 0, :now, :now)",
                "INSERT INTO places (id, name, address, kind) VALUES (1, 'MPP', '', 'mpp')",
                "INSERT INTO service_sessions (id, place_id, starts_at, ends_at, capacity, booked,"
                " services, bring, state, created_at, updated_at) VALUES (1, 1, :now, :now, 10,"
                " 1, '[]', '', 'open', :now, :now)",
                "INSERT INTO summonses (id, target_id, session_id, state, revision, created_at,"
                " updated_at) VALUES (1, 1, 1, 'summoned', 0, :now, :now)",
                "INSERT INTO accounts (id, telegram_id, language, language_chosen, role,"
                " target_id, created_at, updated_at) VALUES (1, 7, 'id', 1, 'teen', 1, :now,"
                " :now)",
                "INSERT INTO consents (id, account_id, notice_version, given_at) VALUES"
                " (1, 1, 'v', :now)",
            ):
                await connection.execute(text(statement), {"nik": nik, "now": now})
        await upgrade(database)
        async with database.engine.connect() as connection:
            counts = [
                await connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("targets", "summonses", "accounts", "consents", "places")
            ]
            stored = (await connection.execute(text("SELECT * FROM targets"))).mappings().one()
    finally:
        await database.dispose()
    assert counts == [1, 1, 1, 1, 1]
    assert "nik" not in stored and nik not in str(dict(stored))
    assert stored["nik_hash"] == Vault(key).hash(nik)
    assert Vault(key).open(stored["nik_sealed"]) == nik


async def test_a_number_a_teen_shared_leaves_the_clear_for_her_record_s_sealed_numbers(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0018: accounts.phone held the 📱 number in clear; a linked teen's mobile becomes her
    record's own contact point, sealed; a landline and an unlinked account's number go."""
    key = new_key()
    monkeypatch.setenv("DATA_KEY", key)
    vault = Vault(key)
    database = Database(sqlite_url, data_key=key)
    try:
        await upgrade(database, "0017")
        now = datetime.now(UTC)
        async with database.engine.begin() as connection:
            for id_ in (1, 2):
                nik = f"359901450308000{id_}"
                await connection.execute(
                    text(
                        "INSERT INTO targets (id, nik_hash, nik_sealed, name, birth_date, source,"
                        " review, preferred_days, invite_hash, invite_sealed, attend_hash,"
                        " attend_sealed, created_at, updated_at) VALUES (:id, :h, :s, 'Uji',"
                        " '2008-03-05', 'imported', 'accepted', 'any', :ih, 'x', :ah, 'x', :now,"
                        " :now)"
                    ),
                    {
                        "id": id_,
                        "h": vault.hash(nik),
                        "s": vault.seal(nik),
                        "ih": f"i{id_}",
                        "ah": f"a{id_}",
                        "now": now,
                    },
                )
            for id_, target, phone in (
                (1, 1, "+6281234567890"),
                (2, 2, "+62217654321"),  # a landline: no channel reaches it
                (3, None, "+6281299990000"),  # an account holding no record
            ):
                await connection.execute(
                    text(
                        "INSERT INTO accounts (id, telegram_id, language, language_chosen, role,"
                        " target_id, phone, created_at, updated_at) VALUES (:id, :tg, 'id', 1,"
                        " 'teen', :t, :p, :now, :now)"
                    ),
                    {"id": id_, "tg": 100 + id_, "t": target, "p": phone, "now": now},
                )
        await upgrade(database)
        async with database.engine.connect() as connection:
            columns = {c["name"] for c in await connection.run_sync(_account_columns)}
            points = (
                (await connection.execute(text("SELECT * FROM contact_points"))).mappings().all()
            )
    finally:
        await database.dispose()
    assert "phone" not in columns
    assert [(p["target_id"], p["whose"], p["source"]) for p in points] == [(1, "teen", "telegram")]
    assert vault.open_phone(points[0]["phone_sealed"]) == "+6281234567890"
    assert points[0]["phone_hash"] == vault.phone_hash("+6281234567890")
    assert "81234567890" not in str(dict(points[0]))


def _account_columns(connection: Connection) -> list[Any]:
    return list(inspect(connection).get_columns("accounts"))
