"""`rekam import recorded`: the office's recording list ends everything for the teens on it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.cli import main
from bot.clock import Clock
from bot.db.models import Event, OutboxMessage, ServiceSession, Summons, Target
from bot.delivery.planner import Planner
from bot.domain import nik as nik_rules
from bot.domain.kinds import OutboxState, SummonsState
from bot.domain.record_rows import record_row
from bot.domain.table_rows import Problem, RowError
from bot.services import record_imports, sheets
from tests.support import factories
from tests.support.harness import BotHarness, database
from tests.support.people import linked
from tests.support.sheets import ID_HEADER, person, write_csv

STATUSES = frozenset({"sudah rekam", "terekam", "rekam", "prr", "sudah cetak", "cetak"})
TODAY = date(2026, 12, 1)
A_NIK = nik_rules.build("359901", date(2009, 3, 12), female=True, serial=7)


def test_a_row_is_a_nik_and_a_day() -> None:
    row = record_row(
        {"nik": A_NIK, "recorded_on": "30-11-2026", "status": " Sudah  Rekam "},
        today=TODAY,
        statuses=STATUSES,
    )
    assert row is not None and (row.nik, row.recorded_on) == (A_NIK, date(2026, 11, 30))
    spreadsheet = record_row(
        {"nik": f"{A_NIK}.0", "recorded_on": datetime(2026, 11, 2, 9, 30)},
        today=TODAY,
        statuses=STATUSES,
    )
    assert spreadsheet is not None and spreadsheet.recorded_on == date(2026, 11, 2)
    stamped = record_row(
        {"nik": A_NIK, "recorded_on": "2026-11-03 10:15"}, today=TODAY, statuses=STATUSES
    )
    assert stamped is not None and stamped.recorded_on == date(2026, 11, 3)


def test_a_status_that_is_not_recorded_is_skipped_and_bad_cells_are_named() -> None:
    waiting = {"nik": A_NIK, "recorded_on": "30-11-2026", "status": "belum rekam"}
    assert record_row(waiting, today=TODAY, statuses=STATUSES) is None
    for values, problem, column in (
        ({"nik": "12345", "recorded_on": "30-11-2026"}, Problem.BAD_NIK, "nik"),
        ({"nik": A_NIK, "recorded_on": "kemarin"}, Problem.BAD_DATE, "recorded_on"),
        ({"nik": A_NIK, "recorded_on": "02-12-2026"}, Problem.BAD_DATE, "recorded_on"),
        ({"nik": A_NIK, "recorded_on": date(2027, 1, 1)}, Problem.BAD_DATE, "recorded_on"),
    ):
        with pytest.raises(RowError) as caught:
            record_row(values, today=TODAY, statuses=STATUSES)
        assert (caught.value.problem, caught.value.column) == (problem, column)


@given(st.dates(min_value=date(1990, 1, 1), max_value=TODAY))
def test_any_past_day_written_day_first_reads_back(day: date) -> None:
    values = {"nik": A_NIK, "recorded_on": day.strftime("%d-%m-%Y"), "status": "PRR"}
    row = record_row(values, today=TODAY, statuses=STATUSES)
    assert row is not None and row.recorded_on == day


async def _import(bot: BotHarness, path: Path) -> record_imports.RecordImport:
    now = datetime.now(UTC)
    with sheets.opened(path) as (header, rows):
        return await record_imports.import_recorded(
            bot.db,
            header,
            rows,
            today=now.astimezone(bot.settings.zone).date(),
            now=now,
            zone=bot.settings.zone,
            statuses=bot.settings.recorded_statuses,
            by="petugas-uji",
        )


async def test_recorded_on_the_list_ends_reminders_seat_and_no_show_and_thanks_once(
    bot: BotHarness, tmp_path: Path
) -> None:
    rina = await factories.add_target(bot.db, bot.settings, code="RINA2345", serial=1)
    budi = await factories.add_target(
        bot.db, bot.settings, name="Budi Santoso", code="BUDI2345", serial=2, female=False
    )
    place = await factories.add_place(bot.db)
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    later = await factories.add_session(bot.db, bot.settings, place, days_ahead=8)
    teen = await linked(bot, rina, "Rina")
    other = await linked(bot, budi, "Budi")
    for target, chat in ((rina, teen), (budi, other)):
        await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]
        await chat.next_message()  # the summons
        await chat.next_message()  # its pin
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(bot.settings.zone).date()
    stranger = nik_rules.build("359901", date(2008, 5, 5), female=False, serial=99)
    sheet = write_csv(
        tmp_path / "rekam.csv",
        ["NIK", "Tanggal Rekam", "Status"],
        [
            [rina.nik, yesterday.strftime("%d-%m-%Y"), "Sudah Rekam"],  # type: ignore[attr-defined]
            [budi.nik, yesterday.strftime("%d-%m-%Y"), "Belum"],  # type: ignore[attr-defined]
            [stranger, yesterday.strftime("%d-%m-%Y"), "PRR"],
            ["3599", "01-01-2026", "PRR"],
            [rina.nik, yesterday.strftime("%d-%m-%Y"), "cetak"],  # type: ignore[attr-defined]
        ],
    )

    result = await _import(bot, sheet)

    assert (result.marked, result.already, result.not_on_list, result.skipped) == (1, 0, 1, 1)
    assert [(r.row, r.problem) for r in result.rejected] == [
        (5, Problem.BAD_NIK),
        (6, Problem.DUPLICATE),
    ]
    thanks = await teen.next_message()
    assert thanks.text.startswith("✔️ Terima kasih, Rina Lestari: KTP-el Anda sudah direkam.")
    async with bot.db.session() as session:
        marked = await session.get(Target, rina.id)
        assert marked is not None and marked.recorded_at is not None
        assert marked.recorded_at.astimezone(bot.settings.zone).date() == yesterday
        seats = await session.get(ServiceSession, first.id)  # type: ignore[attr-defined]
        assert seats is not None and seats.booked == 1  # Rina's seat is free again
        summons = await session.scalar(select(Summons).where(Summons.target_id == rina.id))
        assert summons is not None and summons.state == SummonsState.RECORDED
        reminders = (
            await session.scalars(
                select(OutboxMessage.state).where(
                    OutboxMessage.summons_id == summons.id, OutboxMessage.message_key == "reminder"
                )
            )
        ).all()
        assert reminders and set(reminders) == {OutboxState.CANCELLED}

    # The session passes: Budi, who never came, is a no-show; Rina is not.
    after = first.ends_at + timedelta(hours=2)  # type: ignore[attr-defined]
    assert await Planner(bot.db, bot.settings, Clock(bot.settings.zone)).round(now=after)
    async with bot.db.session() as session:
        found = await session.execute(select(Summons.target_id, Summons.state))
        states = {target_id: state for target_id, state in found}
        assert states == {rina.id: SummonsState.RECORDED, budi.id: SummonsState.NO_SHOW}
        no_shows = (
            await session.scalars(select(Event.target_id).where(Event.kind == "no_show"))
        ).all()
        assert list(no_shows) == [budi.id]
        # Budi's offer of new sessions is queued (due at the planner's "now"); Rina gets none.
        offers = (
            await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.message_key == "no_show")
            )
        ).all()
        assert list(offers) == [other.id]

    # The same list again marks nobody and thanks nobody twice.
    again = await _import(bot, sheet)
    assert (again.marked, again.already) == (0, 1)
    async with bot.db.session() as session:
        thanked = (
            await session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.message_key == "recorded")
            )
        ).all()
        assert len(thanked) == 1
    assert later is not None


def test_import_recorded_from_the_command_line_moves_teens_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/kantor.db"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    teens = [person(1), person(2), person(3)]
    assert main(["import", "targets", str(write_csv(tmp_path / "s.csv", ID_HEADER, teens))]) == 0
    assert main(["report"]) == 0
    assert "Sasaran 3, terekam 0, sisa 3 (0,0%)." in capsys.readouterr().out
    recorded = write_csv(
        tmp_path / "terekam.csv",
        ["nik", "recorded_at"],
        [[teens[0][0], "2026-11-30"], [teens[2][0], "30/11/2026"], ["abc", "2026-11-30"]],
    )

    assert main(["import", "recorded", str(recorded), "--by", "Sari"]) == 0

    out = capsys.readouterr().out
    assert (
        "Ditandai sudah rekam 2, sudah terekam sebelumnya 0, tidak ada di daftar sasaran 0, "
        "status lain (dilewati) 0, ditolak 1." in out
    )
    assert "  baris 4 (***): NIK salah (harus 16 angka dengan tanggal lahir yang benar)" in out
    assert (tmp_path / "terekam-csv-ditolak.csv").exists()
    assert main(["report"]) == 0
    assert "Sasaran 3, terekam 2, sisa 1 (66,7%)." in capsys.readouterr().out

    async def events() -> list[tuple[str, object]]:
        db = database(url)
        async with db.session() as session:
            found = await session.execute(
                select(Event.kind, Event.data).where(
                    Event.kind.in_(("recorded", "recorded_imported"))
                )
            )
            rows = [(kind, data.get("by")) for kind, data in found]
        await db.dispose()
        return rows

    assert sorted(asyncio.run(events())) == [
        ("recorded", "Sari"),
        ("recorded", "Sari"),
        ("recorded_imported", "Sari"),
    ]


def test_import_recorded_needs_its_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/kantor.db")
    sheet = write_csv(tmp_path / "r.csv", ["NIK", "Nama"], [[A_NIK, "Rina"]])
    assert main(["import", "recorded", str(sheet)]) == 1
    # The column's Indonesian name, the one the template carries.
    assert "Kolom wajib tidak ada di baris judul: tanggal_rekam" in capsys.readouterr().err
