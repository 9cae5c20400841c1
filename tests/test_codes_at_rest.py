"""Issue 22, item 6: a copy of the database is not a set of working credentials. Invitation,
attendance and parent codes are kept as NIKs are (a keyed hash and a sealed copy), and so are
the codes in the lockout's log and in a conversation waiting for a birth date."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import codes
from bot.db.codes import Code, find_by_code
from bot.db.engine import Database
from bot.db.keys import WrongDataKeyError
from bot.db.migrate import revision_of, upgrade
from bot.db.vault import MissingDataKeyError, Vault, new_key
from bot.emulator import UserClient
from bot.services import conversations
from tests.support import factories
from tests.support.harness import TEST_DATA_KEY, BotHarness, until_phone_question


async def said(person: UserClient, typed: str) -> str:
    person.send(typed)
    return (await person.next_message()).text


def _stolen(sqlite_url: str, folder: Path) -> Path:
    """What a thief takes: a copy of the file made with SQLite's own backup (the WAL's pages
    included), opened by anyone without DATA_KEY."""
    copy = folder / "stolen.db"
    source = sqlite3.connect(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    target = sqlite3.connect(copy)
    source.backup(target)
    target.close()
    source.close()
    return copy


def _every_value(copy: Path) -> list[str]:
    connection = sqlite3.connect(copy)
    try:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return [
            str(value)
            for table in tables
            for row in connection.execute(f'SELECT * FROM "{table}"')
            for value in row
            if value is not None
        ]
    finally:
        connection.close()


async def test_a_stolen_copy_holds_no_code_and_what_it_holds_links_no_one(
    bot: BotHarness, sqlite_url: str, tmp_path: Path
) -> None:
    """Rina is on Telegram (her letter, her /kode QR, the code for her parents); Budi is not
    (his letter waits in a drawer). A stranger opened Budi's letter code and stopped at the
    birth date; another tried it with a wrong date. The copy holds Budi's birth date in clear:
    what else in it would `/start` take?"""
    rina = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    budi = await factories.add_target(
        bot.db, bot.settings, name="Budi Santoso", female=False, serial=2, code="BUDI2345"
    )
    teen = bot.user("Rina")
    assert (await said(teen, "/start RINA2345")).startswith("Halo! Anda membuka undangan")
    teen.send(rina.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    await said(teen, "Lewati")
    teen.send("/kode")
    await teen.next_message()  # the attendance QR
    for_parents = (await teen.next_message()).text
    parent_code = re.search(r"Kode untuk orang tua/wali Anda: (\w+)", for_parents)
    assert parent_code is not None
    waiting = bot.user("Waits")
    assert (await said(waiting, "/start BUDI2345")).startswith("Halo! Anda membuka undangan")
    guesser = bot.user("Guess")
    await said(guesser, "/start BUDI2345")
    await said(guesser, "01-01-2001")

    codes = {
        "RINA2345",
        "BUDI2345",
        factories.attend_code_of("RINA2345"),
        factories.attend_code_of("BUDI2345"),
        parent_code.group(1),
    }
    copy = _stolen(sqlite_url, tmp_path)
    raw = copy.read_bytes()
    values = _every_value(copy)
    for code in codes:
        assert code.encode() not in raw and code.lower().encode() not in raw
        assert not any(code in value.upper() for value in values), code

    # The thief types what the copy holds where codes used to be, with Budi's birth date
    # (in clear in the copy), each from an account of their own: nobody is linked.
    connection = sqlite3.connect(copy)
    held = connection.execute(
        "SELECT invite_hash, invite_sealed, attend_hash, attend_sealed FROM targets WHERE id = ?",
        (budi.id,),
    ).fetchone()
    subjects = [
        row[0] for row in connection.execute("SELECT subject FROM events WHERE subject IS NOT NULL")
    ]
    conversation = connection.execute(
        "SELECT conversation FROM accounts WHERE conversation IS NOT NULL"
    ).fetchall()
    connection.close()
    tries = [*held, *(s.split(":", 1)[1] for s in subjects)]
    tries += [v for (c,) in conversation for v in json.loads(c).values() if len(str(v)) > 8]
    tries += [value[:8].upper() for value in tries if len(value) > 8]
    for index, typed in enumerate(tries):
        thief = bot.user(f"Thief{index}")
        await said(thief, f"/start {typed}")
        await said(thief, budi.birth_date.strftime("%d-%m-%Y"))
    async with bot.db.session() as session:
        linked = await session.scalar(
            text("SELECT count(*) FROM accounts WHERE target_id IS NOT NULL")
        )
    assert linked == 1  # Rina, by her own letter


async def test_a_code_is_found_however_it_is_typed_and_only_as_its_own_kind(
    bot: BotHarness,
) -> None:
    rina = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    async with bot.db.session() as session:
        for typed in ("RINA2345", "rina 2345", " Rina2345\n"):
            found = await find_by_code(session, typed, Code.INVITE)
            assert found is not None and found.id == rina.id
        assert await find_by_code(session, "RINA2345", Code.ATTEND, Code.PARENT) is None
        attend = factories.attend_code_of("RINA2345")
        assert await find_by_code(session, attend, Code.INVITE) is None
        assert await find_by_code(session, "", Code.INVITE) is None
        held = await find_by_code(session, "RINA2345", Code.INVITE, lock=True)
        assert held is not None
        fresh = await codes.new_invite_code(session, held)  # a letter printed anew
        assert fresh != "RINA2345"
    async with bot.db.session() as session:
        assert await find_by_code(session, "RINA2345", Code.INVITE) is None
        again = await find_by_code(session, fresh, Code.INVITE)
        assert again is not None and again.id == rina.id


async def _office_of_an_older_version(url: str) -> Database:
    """A database at revision 0015: Rina's codes in clear, a refused guess naming her code, and
    an account waiting on her code for a birth date."""
    vault = Vault(TEST_DATA_KEY)
    database = Database(url)
    await upgrade(database, "0015")
    now = datetime.now(UTC)
    nik = "3599014503080001"
    async with database.engine.begin() as connection:
        for statement, values in (
            (
                "INSERT INTO targets (id, nik_hash, nik_sealed, name, birth_date, source, review,"
                " preferred_days, invite_code, attend_code, parent_code, created_at, updated_at)"
                " VALUES (1, :hash, :sealed, 'Rina', '2008-03-05', 'imported', 'accepted', 'any',"
                " 'RINA2345', 'HERE2345', 'MAMA2345', :now, :now)",
                {"hash": vault.hash(nik), "sealed": vault.seal(nik)},
            ),
            (
                "INSERT INTO events (at, actor, channel, kind, data, claimant, subject) VALUES"
                " (:now, 'teen', 'telegram', 'refused:invitation', '{}', 5, 'code:RINA2345')",
                {},
            ),
            (
                "INSERT INTO accounts (id, telegram_id, language, language_chosen, role,"
                " conversation, created_at, updated_at) VALUES (1, 7, 'id', true, 'none',"
                ' \'{"step": "invite_date", "code": "RINA2345"}\', :now, :now)',
                {},
            ),
        ):
            await connection.execute(text(statement), {"now": now, **values})
    return database


@pytest.mark.empty_database  # an older office: migrated step by step from nothing
async def test_codes_an_older_office_kept_in_clear_are_hashed_and_sealed_by_the_upgrade(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATA_KEY")
    old = await _office_of_an_older_version(database_url)
    try:
        with pytest.raises(MissingDataKeyError):  # rows to seal, and no key: nothing changes
            await upgrade(old)
        assert await revision_of(old) == "0015"
    finally:
        await old.dispose()
    wrong = Database(database_url, data_key=new_key())
    try:
        with pytest.raises(WrongDataKeyError):  # a key that opens none of its NIKs: neither
            await upgrade(wrong)
        assert await revision_of(wrong) == "0015"
    finally:
        await wrong.dispose()

    database = Database(database_url, data_key=TEST_DATA_KEY)
    try:
        await upgrade(database)
        async with database.session() as session:
            for code, kind in (("RINA2345", Code.INVITE), ("HERE2345", Code.ATTEND)):
                found = await find_by_code(session, code, kind)
                assert found is not None and found.id == 1
            assert await find_by_code(session, "MAMA2345", Code.PARENT) is not None
            waiting = await conversations.current(session, 7)
            assert waiting is not None and waiting.data["code"] == "RINA2345"
        async with database.engine.connect() as connection:
            dump = [
                str(value)
                for table in ("targets", "events", "accounts", "key_check")
                for row in (await connection.execute(text(f"SELECT * FROM {table}"))).all()
                for value in row
            ]
        assert not any(
            code in value for value in dump for code in ("RINA2345", "HERE2345", "MAMA2345")
        )
        assert Vault(TEST_DATA_KEY).check_value in dump  # the key check, written with the key
        assert "code:" + Vault(TEST_DATA_KEY).code_hash("RINA2345")[:40] in dump
    finally:
        await database.dispose()
