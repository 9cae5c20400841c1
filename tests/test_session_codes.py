"""Sessions stay one session (issue 12, item 7): a sessions file with the office's `kode` moves
a session when its day, hours or place change (everyone called to it is told, as for a move in
Telegram); without a code, a session at the same place and day at other hours is reported as
a possible duplicate, not added beside the first."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.db.models import ServiceSession
from bot.services import schedule
from tests.support import factories
from tests.support.harness import BotHarness, database
from tests.support.people import linked_teen

HEADER = ["kode", "tempat", "tanggal", "mulai", "selesai", "kapasitas", "jenis"]


def sessions_file(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def test_a_reimport_with_a_changed_start_moves_the_session_and_tells_the_teen(
    bot: BotHarness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
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
    # Dewi, called to it too, has neither Telegram nor a parent linked: nobody can tell her.
    dewi = await factories.add_target(
        bot.db, bot.settings, name="Dewi Uji", serial=2, code="DEWI2345"
    )
    await factories.summon(bot.db, bot.settings, dewi, created)
    capsys.readouterr()

    moved = sessions_file(
        tmp_path / "b.csv", [["mpp-01", "Mal Pelayanan", later, "09.00", "12.00", "20", "mpp"]]
    )
    assert await asyncio.to_thread(main, ["import", "sessions", str(moved)]) == 0
    out = capsys.readouterr().out
    assert "Jadwal dipindah menurut kodenya: 1; 1 remaja dikabari." in out
    assert "⚠️ 1 remaja tidak punya Telegram maupun orang tua/wali yang terhubung" in out
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
    day = (date.today() + timedelta(days=3)).strftime("%d-%m-%Y")
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


def test_a_new_session_keeps_the_rules_of_sesi_or_its_row_is_refused_saying_why(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A sessions file cannot add what /sesi and the dashboard refuse: a session on election
    day or after it, more seats than one session can have, or one today at an hour gone."""
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # the office's day, not the machine's
    election = today + timedelta(days=10)
    monkeypatch.setenv("ELECTION_DATE", election.isoformat())
    header = HEADER[1:]
    soon = (today + timedelta(days=2)).strftime("%d-%m-%Y")
    rows = [
        ["Balai Desa", soon, "08.00", "11.00", "20", "kantor"],  # fine: added
        ["Balai Desa", f"{election:%d-%m-%Y}", "08.00", "11.00", "20", "kantor"],
        ["Aula Kecamatan", soon, "08.00", "11.00", "100001", "kantor"],
        ["Aula Sekolah", f"{today:%d-%m-%Y}", "00.00", "00.01", "20", "sekolah"],
    ]
    assert main(["import", "sessions", str(sessions_file(tmp_path / "a.csv", rows, header))]) == 0
    assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 3." in capsys.readouterr().out
    with (tmp_path / "a-csv-ditolak.csv").open(encoding="utf-8-sig") as handle:
        rejected = {row[0]: row for row in list(csv.reader(handle))[1:]}
    assert "pada atau sesudah hari pemungutan suara" in rejected["3"][4]
    assert "jumlah tempat terlalu besar" in rejected["4"][4]
    assert "jam mulai jadwal sudah lewat" in rejected["5"][4]


def test_a_code_whose_session_was_cancelled_is_refused_saying_so(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    soon, later = (today + timedelta(days=n) for n in (3, 4))
    row = ["MPP-07", "Mal Pelayanan", f"{soon:%d-%m-%Y}", "08.00", "11.00", "20", "mpp"]
    assert main(["import", "sessions", str(sessions_file(tmp_path / "a.csv", [row]))]) == 0

    async def cancel() -> None:
        db = database(sqlite_url)
        async with db.session() as session:
            found = await session.scalar(select(ServiceSession.id))
            assert found is not None
            now = datetime.now(UTC)
            await schedule.cancel(session, found, now=now, deadline=now + timedelta(days=30), by=1)
        await db.dispose()

    asyncio.run(cancel())
    moved = [*row[:2], f"{later:%d-%m-%Y}", *row[3:]]
    assert main(["import", "sessions", str(sessions_file(tmp_path / "b.csv", [moved]))]) == 0
    assert "ditolak 1." in capsys.readouterr().out
    with (tmp_path / "b-csv-ditolak.csv").open(encoding="utf-8-sig") as handle:
        [_, rejected] = list(csv.reader(handle))
    assert "jadwal dengan kode ini sudah dibatalkan" in rejected[4]
