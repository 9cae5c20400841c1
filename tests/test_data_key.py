"""Issue 22, item 3: a database knows its DATA_KEY. A second valid key (a fresh `rekam keygen`,
a backup restored beside the wrong key) is refused by every command and by `rekam run`, in one
line; `rekam rekey` moves everything to a new key, after which the old one is refused."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from bot.db import leases
from bot.db.codes import Code, find_by_code
from bot.db.engine import Database
from bot.db.keys import WrongDataKeyError
from bot.db.migrate import upgrade
from bot.db.models import Target
from bot.db.vault import Vault, new_key
from bot.domain import nik as nik_rules
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.domain.steps import Step
from bot.emulator import Limits, TelegramEmulator
from bot.emulator.server import serve
from bot.services import contacts, conversations, guardians, lockout, rekey
from tests.support import factories
from tests.support.harness import (
    TEST_DATA_KEY,
    TOKEN,
    free_port,
    make_settings,
    running_bot,
    until,
    until_phone_question,
)

WRONG_KEY = "DATA_KEY ini bukan kunci basis data ini"


def _office_list(folder: Path, count: int) -> tuple[Path, list[str]]:
    """A target list of `count` 17-year-olds (generated NIKs), and their NIKs."""
    born = datetime.now(UTC).date() - timedelta(days=17 * 365 + 40)
    niks = [nik_rules.build("359901", born, female=True, serial=n) for n in range(1, count + 1)]
    lines = [
        f"{nik},Remaja {n},{born.strftime('%d-%m-%Y')},Melati,Kota" for n, nik in enumerate(niks)
    ]
    path = folder / "sasaran.csv"
    path.write_text("nik,nama,tanggal_lahir,kelurahan,kecamatan\n" + "\n".join(lines) + "\n")
    return path, niks


async def _targets(url: str) -> int:
    database = Database(url)
    try:
        async with database.engine.connect() as connection:
            return int(await connection.scalar(text("SELECT count(*) FROM targets")) or 0)
    finally:
        await database.dispose()


def test_the_same_list_imported_under_a_fresh_key_is_refused_and_adds_nothing(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """What was seen: six people became "Target 12"; the person page, the desk and the
    letters answered 500. Now every command started with the other key says so, in one line,
    and changes nothing."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    path, niks = _office_list(tmp_path, 6)
    assert main(["import", "targets", str(path)]) == 0
    capsys.readouterr()

    monkeypatch.setenv("DATA_KEY", new_key())  # "rekam keygen" again, by mistake
    # Past the retention date, so that `rekam purge` too reaches the database.
    monkeypatch.setenv(
        "ELECTION_DATE", (datetime.now(UTC).date() - timedelta(days=200)).isoformat()
    )
    for command in (
        ["import", "targets", str(path)],
        ["summon", "--dry-run"],
        ["report"],
        ["person", niks[0]],
        ["invites", str(tmp_path / "undangan.csv"), "--bot", "dukcapil_uji_bot"],
        ["letters", str(tmp_path / "surat.pdf"), "--bot", "dukcapil_uji_bot"],
        ["review"],
        ["purge", "--dry-run"],
        ["backup", str(tmp_path / "cadangan.rekam")],
        ["db", "upgrade"],
    ):
        assert main(command) == 1, command
        said = capsys.readouterr()
        assert said.err.startswith(WRONG_KEY), (command, said.err)
        assert said.err.strip().count("\n") == 0 and "Traceback" not in said.err
        assert "rekam rekey" in said.err
    assert not (tmp_path / "undangan.csv").exists() and not (tmp_path / "cadangan.rekam").exists()
    assert asyncio.run(_targets(sqlite_url)) == 6

    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)  # the office's own key still works
    assert main(["person", niks[0]]) == 0
    assert "Remaja 0" in capsys.readouterr().out


async def test_rekam_run_with_another_key_stops_before_it_answers_anyone(sqlite_url: str) -> None:
    """`rekam run` reaches Telegram (the emulator listens), and stops at the key: exit 1, one
    line, no traceback."""
    database = Database(sqlite_url, data_key=TEST_DATA_KEY)
    await upgrade(database)
    await database.dispose()
    emulator = TelegramEmulator(TOKEN, limits=Limits(enabled=False))
    port = free_port()
    server = asyncio.create_task(serve(emulator, "127.0.0.1", port))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": sqlite_url,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "WEB_ENABLED": "false",
        "DATA_KEY": new_key(),
    }
    try:
        await asyncio.sleep(0.3)
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "bot", "run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith(WRONG_KEY), done.stderr
    assert "Traceback" not in done.stderr


async def _office_under_the_old_key(db: Database) -> dict[str, object]:
    """Rina (a letter, a parent code), a guess at her code and at a code nobody has, a stranger
    waiting on her code for a birth date, and a /daftar under way with a typed NIK."""
    settings = make_settings(db.url)
    rina = await factories.add_target(db, settings)
    now = datetime.now(UTC)
    async with db.session() as session:
        parent_code = await guardians.parent_code_of(session, rina.id)
        for guess in range(3):  # three wrong dates for her code: it is locked
            await lockout.refuse(
                session,
                lockout.Surface.INVITATION,
                claimant=500 + guess,
                subject=lockout.code_subject("RINA2345"),
                now=now,
                actor=Actor.TEEN,
            )
        await lockout.refuse(
            session,
            lockout.Surface.INVITATION,
            claimant=600,
            subject=lockout.code_subject("NOBODY23"),
            now=now,
            actor=Actor.TEEN,
        )
        waiting = await conversations.ensure(session, 700, "id")
        await conversations.go(session, waiting.account_id, Step.INVITE_DATE, code="RINA2345")
        await contacts.put(
            session,
            rina.id,
            ContactOf.GUARDIAN,
            "0813 2222 0001",
            source=ContactSource.LIST,
            actor=Actor.STAFF,
            channel=Channel.CLI,
            now=now,
        )
    return {"rina": rina, "parent_code": parent_code, "now": now}


async def test_rekey_moves_every_nik_code_lock_and_conversation_and_the_old_key_is_refused(
    database_url: str,
) -> None:
    old_db = Database(database_url, data_key=TEST_DATA_KEY)
    await upgrade(old_db)
    office = await _office_under_the_old_key(old_db)
    rina, now = office["rina"], office["now"]
    assert isinstance(rina, Target) and isinstance(now, datetime)
    old = Vault(TEST_DATA_KEY)
    new_text = new_key()
    async with old_db.session() as session:
        done = await rekey.rekey(session, Vault(new_text), now=now, by="Kepala Bidang")
    await old_db.dispose()
    assert (done.targets, done.subjects, done.cleared, done.conversations) == (1, 1, 1, 1)
    assert done.numbers == 1

    with pytest.raises(WrongDataKeyError):  # the old key no longer opens the office
        refused = Database(database_url, data_key=TEST_DATA_KEY)
        try:
            await upgrade(refused)
        finally:
            await refused.dispose()

    new_db = Database(database_url, data_key=new_text)
    try:
        await upgrade(new_db)
        async with new_db.session() as session:
            found = await find_by_code(session, "RINA2345", Code.INVITE)
            assert found is not None and found.id == rina.id
            parent = await find_by_code(session, str(office["parent_code"]), Code.PARENT)
            assert parent is not None and parent.id == rina.id
            assert await find_by_code(session, factories.attend_code_of("RINA2345"), Code.ATTEND)
            assert Vault(new_text).open(found.nik_sealed) == rina.nik  # type: ignore[attr-defined]
            # Her code stays locked (its refusals were hashed again); the stranger still waits
            # on her code.
            locked = await lockout.lock_on(
                session,
                lockout.Surface.INVITATION,
                claimant=1,
                subject=lockout.code_subject("RINA2345"),
                now=now,
            )
            assert locked is not None
            waiting = await conversations.current(session, 700)
            assert waiting is not None and waiting.data["code"] == "RINA2345"
            # Her parent's number opens, and is found by itself, under the new key.
            assert [c.number for c in await contacts.of(session, rina.id)] == ["+6281322220001"]
            assert await contacts.owners(session, "+6281322220001")
        # Nothing made with the old key is left: no old hash, no old seal opens.
        async with new_db.engine.connect() as connection:
            stored = [
                str(value)
                for table in ("targets", "events", "accounts", "contact_points")
                for row in (await connection.execute(text(f"SELECT * FROM {table}"))).all()
                for value in row
            ]
        dump = "\n".join(stored)
        for value in ("RINA2345", "NOBODY23"):
            assert old.code_hash(value)[:40] not in dump
        assert old.hash(rina.nik) not in dump  # type: ignore[attr-defined]
        assert old.phone_hash("+6281322220001") not in dump
        async with new_db.session() as session:
            count = await session.scalar(select(func.count()).select_from(Target))
        assert count == 1
    finally:
        await new_db.dispose()


async def test_rekam_rekey_waits_for_the_bot_to_stop_then_the_letter_links_under_the_new_key(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """The whole story, as the office lives it: the key is rotated with `rekam rekey` while the
    bot is stopped; the bot then starts only with the new key, and Rina's letter links her."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    key_file = tmp_path / "kunci-baru.txt"
    new_text = new_key()
    key_file.write_text(new_text + "\n")
    async with running_bot(make_settings(sqlite_url)) as bot:
        rina = await factories.add_target(bot.db, bot.settings)

        async def dispatching() -> bool:
            async with bot.db.session() as session:
                return bool(await leases.live(session, "dispatcher:", now=datetime.now(UTC)))

        await until(dispatching, what="the dispatcher's lease")
        assert await asyncio.to_thread(main, ["rekey", str(key_file)]) == 1
        said = capsys.readouterr().err
        assert said.startswith("Bot masih berjalan") and said.strip().count("\n") == 0

    assert await asyncio.to_thread(main, ["rekey", str(key_file), "--by", "Kepala Bidang"]) == 0
    out = capsys.readouterr().out
    assert "1 sasaran" in out and "Sekarang isi DATA_KEY dengan kunci" in out

    with pytest.raises(WrongDataKeyError):
        async with running_bot(make_settings(sqlite_url)):
            pass  # the old key: refused before anything runs
    async with running_bot(make_settings(sqlite_url, data_key=new_text)) as bot:
        teen = bot.user("Rina")
        teen.send(f"/start {rina.invite_code}")  # type: ignore[attr-defined]
        assert (await teen.next_message()).text.startswith("Halo! Anda membuka undangan")
        teen.send(rina.birth_date.strftime("%d-%m-%Y"))
        welcome = await until_phone_question(teen)
        assert any("Rina Lestari" in message.text for message in welcome)
