"""Sessions stay one session (issue 12, item 7): a sessions file with the office's `kode` moves
a session when its day, hours or place change (everyone called to it is told, as for a move in
Telegram); without a code, a session at the same place and day at other hours is reported as
a possible duplicate, not added beside the first."""

from __future__ import annotations

import asyncio
import csv
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db.models import ServiceSession
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import linked_teen

HEADER = ["kode", "tempat", "tanggal", "mulai", "selesai", "kapasitas", "jenis"]


def sessions_file(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def test_a_reimport_with_a_changed_start_moves_the_session_and_tells_the_teen(
    bot: BotHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", bot.settings.database_url)
    monkeypatch.setenv("ELECTION_DATE", bot.settings.election_date.isoformat())
    day = (factories.today(bot.settings) + timedelta(days=6)).strftime("%d-%m-%Y")
    later = (factories.today(bot.settings) + timedelta(days=8)).strftime("%d-%m-%Y")
    first = sessions_file(
        tmp_path / "a.csv", [["MPP-01", "Mal Pelayanan", day, "08.00", "11.00", "20", "mpp"]]
    )
    # The office's command runs beside the bot, as at an office (its own event loop).
    assert await asyncio.to_thread(main, ["import", "sessions", str(first)]) == 0
    target = await factories.add_target(bot.db, bot.settings)
    async with bot.db.session() as session:
        created = (await session.execute(select(ServiceSession))).scalar_one()
    await factories.summon(bot.db, bot.settings, target, created)
    teen = await linked_teen(bot, target)

    moved = sessions_file(
        tmp_path / "b.csv", [["mpp-01", "Mal Pelayanan", later, "09.00", "12.00", "20", "mpp"]]
    )
    assert await asyncio.to_thread(main, ["import", "sessions", str(moved)]) == 0
    told = await teen.next_message()
    assert told.text.startswith("📅 Petugas mengubah jadwal perekaman Anda.")
    async with bot.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(ServiceSession))
        kept = await session.get(ServiceSession, created.id)
    assert count == 1 and kept is not None
    assert (
        kept.starts_at.astimezone(bot.settings.zone).strftime("%d-%m-%Y %H.%M") == f"{later} 09.00"
    )


def test_without_a_code_another_hour_at_the_same_place_and_day_is_a_possible_duplicate(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    header = HEADER[1:]
    day = "15-12-2026"
    first = sessions_file(
        tmp_path / "a.csv", [["Balai Desa", day, "08.00", "11.00", "20", "kantor"]], header
    )
    assert main(["import", "sessions", str(first)]) == 0
    again = sessions_file(
        tmp_path / "b.csv",
        [
            ["Balai Desa", day, "08.00", "11.00", "25", "kantor"],  # the same session: updated
            ["Balai Desa", day, "13.00", "15.00", "20", "kantor"],  # moved? said, not added
        ],
        header,
    )
    assert main(["import", "sessions", str(again)]) == 0
    out = capsys.readouterr().out
    assert "Ditambah 0, diperbarui 1, tetap 0, ditolak 1." in out
    with (tmp_path / "b-csv-ditolak.csv").open(encoding="utf-8-sig") as handle:
        rejected = list(csv.reader(handle))
    assert rejected[1][0] == "3" and "mungkin jadwal yang sudah ada" in rejected[1][4]
