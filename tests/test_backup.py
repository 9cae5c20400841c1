"""`rekam backup FILE` and `rekam restore FILE`: an encrypted copy of the office database that
only its DATA_KEY restores, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import io
import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from bot.cli import main
from bot.db import backup
from bot.db.codes import Code, find_by_code
from bot.db.migrate import upgrade
from bot.db.models import Target
from bot.db.vault import Vault, new_key, vault_of
from tests.support import factories
from tests.support.harness import TEST_DATA_KEY, database, make_settings


async def _names(url: str) -> list[str]:
    db = database(url)
    try:
        async with db.session() as session:
            return list(await session.scalars(select(Target.name).order_by(Target.name)))
    finally:
        await db.dispose()


async def _cli(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def test_a_backup_is_unreadable_and_restores_the_office_as_it_was(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    db = database(database_url)
    await upgrade(db)
    settings = make_settings(database_url)
    rina = await factories.add_target(db, settings, name="Rina Lestari", code="RINA2345")
    await factories.add_target(db, settings, name="Budi Santoso", serial=2, code="BUDI2345")
    async with db.session() as session:
        sealed_nik = (await session.get(Target, rina.id)).nik_sealed  # type: ignore[union-attr]
    await db.dispose()

    copy = tmp_path / "cadangan.rekam"
    assert await _cli("backup", str(copy)) == 0
    assert "Cadangan terenkripsi ditulis" in capsys.readouterr().out
    raw = copy.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    for clear in ("Rina Lestari", "Budi Santoso", sealed_nik, "SQLite format"):
        assert clear.encode() not in raw  # names (in clear in the database) too

    # A day's work lost: Budi deleted by mistake, someone else added.
    db = database(database_url)
    async with db.session() as session:
        await session.execute(delete(Target).where(Target.name == "Budi Santoso"))
    await factories.add_target(db, settings, name="Sekar Ayu", serial=3, code="SEKA2345")
    await db.dispose()

    monkeypatch.setenv("DATA_KEY", new_key())  # the wrong key: refused, nothing changes
    assert await _cli("restore", str(copy), "--yes") == 1
    assert capsys.readouterr().err.startswith(f"Cadangan {copy} dibuat dengan DATA_KEY lain")
    monkeypatch.setenv("DATA_KEY", TEST_DATA_KEY)
    cut = tmp_path / "terpotong.rekam"
    cut.write_bytes(raw[:-5])
    assert await _cli("restore", str(cut), "--yes") == 1
    assert "rusak atau terpotong" in capsys.readouterr().err
    assert await _names(database_url) == ["Rina Lestari", "Sekar Ayu"]

    assert await _cli("restore", str(copy), "--yes") == 0
    assert "Basis data dipulihkan" in capsys.readouterr().out
    assert await _names(database_url) == ["Budi Santoso", "Rina Lestari"]
    db = database(database_url)
    try:
        await upgrade(db)  # the restored copy is the office's, under the same key
        async with db.session() as session:
            found = await find_by_code(session, "BUDI2345", Code.INVITE)
            assert found is not None and found.name == "Budi Santoso"
            assert vault_of(session).open(found.nik_sealed).startswith("3599")
            assert await session.scalar(select(func.count()).select_from(Target)) == 2
    finally:
        await db.dispose()


async def test_restore_asks_before_replacing_an_office_with_data(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    db = database(sqlite_url)
    await upgrade(db)
    await factories.add_target(db, make_settings(sqlite_url))
    await db.dispose()
    copy = tmp_path / "cadangan.rekam"
    assert await _cli("backup", str(copy)) == 0
    assert await _cli("restore", str(copy)) == 1  # no terminal to ask at, no --yes
    assert "Tidak ada yang diubah" in capsys.readouterr().out
    assert await _cli("restore", str(tmp_path / "tidak-ada.rekam"), "--yes") == 1
    not_a_backup = tmp_path / "catatan.txt"
    not_a_backup.write_text("bukan cadangan")
    assert await _cli("restore", str(not_a_backup), "--yes") == 1
    assert "bukan berkas cadangan Rekam" in capsys.readouterr().err


def test_a_copy_of_several_chunks_comes_back_whole_and_a_chunk_cut_off_is_refused() -> None:
    vault = Vault(TEST_DATA_KEY)
    plain = os.urandom(backup.CHUNK * 2 + 1234)
    sealed = io.BytesIO()
    backup.seal_stream(vault, backup.Kind.SQLITE, io.BytesIO(plain), sealed)
    opened = io.BytesIO()
    assert backup.open_stream(vault, io.BytesIO(sealed.getvalue()), opened) == backup.Kind.SQLITE
    assert opened.getvalue() == plain
    # Cut after the first two whole chunks: each chunk still opens, but the last one says it
    # was not the last.
    whole = len(sealed.getvalue()) - (1234 + 16)
    for damaged in (sealed.getvalue()[:whole], sealed.getvalue()[:-1]):
        with pytest.raises(backup.BackupError) as refused:
            backup.open_stream(vault, io.BytesIO(damaged), io.BytesIO())
        assert refused.value.problem == backup.Problem.DAMAGED
    with pytest.raises(backup.BackupError) as refused:
        backup.open_stream(Vault(new_key()), io.BytesIO(sealed.getvalue()), io.BytesIO())
    assert refused.value.problem == backup.Problem.WRONG_KEY
