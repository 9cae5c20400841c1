"""The recording desk: finding a person, and each outcome, at a laptop (`rekam desk`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.cli import main
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import (
    Account,
    Event,
    OutboxMessage,
    ServiceSession,
    Summons,
    Target,
    WaitingTeen,
)
from bot.domain import nik as nik_rules
from bot.domain.desk import ByCode, ByName, ByNik, QueryError, QueryProblem, parse_query
from bot.domain.kinds import Channel, OutboxState, Role, SummonsState
from bot.services import desk, recording
from tests.support import factories
from tests.support.harness import database, make_settings

TODAY = date(2026, 12, 1)


def test_what_staff_type_is_a_code_a_nik_or_a_name_and_birth_date() -> None:
    nik = nik_rules.build("359901", date(2009, 3, 12), female=True, serial=1)
    assert parse_query(" h5432anir ", today=TODAY) == ByCode("H5432ANIR")
    assert parse_query(f"{nik[:6]} {nik[6:12]} {nik[12:]}", today=TODAY) == ByNik(nik)
    assert parse_query("Rina  Lestari, 12-03-2009", today=TODAY) == ByName(
        "Rina Lestari", date(2009, 3, 12)
    )
    for typed, problem in (
        ("3599019903090001", QueryProblem.BAD_NIK),  # no 99th day
        ("Rina, kemarin", QueryProblem.BAD_DATE),
        (", 12-03-2009", QueryProblem.UNREADABLE),
        ("??", QueryProblem.UNREADABLE),
    ):
        with pytest.raises(QueryError) as caught:
            parse_query(typed, today=TODAY)
        assert caught.value.problem == problem


@given(st.dates(min_value=date(1990, 1, 1), max_value=TODAY), st.booleans(), st.integers(1, 9999))
def test_any_nik_typed_is_found_as_itself(born: date, female: bool, serial: int) -> None:
    nik = nik_rules.build("359901", born, female=female, serial=serial)
    assert parse_query(nik, today=TODAY) == ByNik(nik)


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """Rina and Budi summoned to one session; Budi is in Telegram."""
    url = f"sqlite+aiosqlite:///{tmp_path}/kantor.db"
    monkeypatch.setenv("DATABASE_URL", url)

    async def prepare() -> dict[str, object]:
        db = database(url)
        await upgrade(db)
        settings = make_settings(url)
        rina = await factories.add_target(db, settings, code="RINA2345", serial=1)
        budi = await factories.add_target(
            db, settings, name="Budi Santoso", code="BUDI2345", serial=2, female=False
        )
        async with db.session() as session:
            session.add(Account(telegram_id=555, language="id", target_id=budi.id, role=Role.TEEN))
        place = await factories.add_place(db)
        first = await factories.add_session(db, settings, place, days_ahead=1)
        for target in (rina, budi):
            await factories.summon(db, settings, target, first)
        await db.dispose()
        return {"url": url, "rina": rina, "budi": budi, "session": first.id}

    return asyncio.run(prepare())


def typing(monkeypatch: pytest.MonkeyPatch, lines: list[str]) -> None:
    """What staff type at the prompts, then Ctrl-D."""
    typed: Iterator[str] = iter(lines)

    def answer(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", answer)


async def _state(url: str) -> dict[str, object]:
    db = database(url)
    async with db.session() as session:
        targets = {t.name: t.recorded_at for t in await session.scalars(select(Target))}
        found = await session.execute(
            select(Target.name, Summons.state).join(Summons, Summons.target_id == Target.id)
        )
        summonses = {name: state for name, state in found}
        booked = await session.scalar(select(ServiceSession.booked))
        kinds = list(await session.scalars(select(Event.kind).order_by(Event.id)))
        by = list(
            await session.scalars(
                select(Event.data).where(Event.kind.in_(("desk_recorded", "recorded_undone")))
            )
        )
        waiting = list(await session.scalars(select(WaitingTeen.target_id)))
        offers = (
            await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.params).where(
                    OutboxMessage.message_key == "desk_unrecorded"
                )
            )
        ).all()
    await db.dispose()
    return {
        "recorded": targets,
        "summonses": summonses,
        "booked": booked,
        "kinds": kinds,
        "waiting": waiting,
        "by": [d.get("by") for d in by],
        "offers": [(chat, params.get("reason")) for chat, params in offers],
    }


def test_the_desk_records_undoes_and_notes_a_visit_without_recording(
    office: dict[str, object], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rina, budi = office["rina"], office["budi"]
    url = str(office["url"])
    typing(monkeypatch, [factories.attend_code_of("RINA2345").lower(), "r"])
    assert main(["desk", "--by", "Sari"]) == 0
    out = capsys.readouterr().out
    assert "Rina Lestari · NIK 3599************" in out
    assert "Panggilan: dipanggil · " in out
    # Rina has no Telegram and no parents: nobody is said to be thanked.
    assert (
        "✅ Rina Lestari terekam. Tidak ada yang diberi tahu: remaja dan orang tuanya tidak bisa "
        "dihubungi di Telegram." in out
    )
    assert "Terima kasih dikirim" not in out
    state = asyncio.run(_state(url))
    assert state["recorded"]["Rina Lestari"] is not None  # type: ignore[index]
    assert state["summonses"]["Rina Lestari"] == SummonsState.ATTENDED  # type: ignore[index]
    assert state["booked"] == 2  # she used her seat

    # A wrong mark: found by NIK, undone; her summons is as it was.
    typing(monkeypatch, [rina.nik, "u", ""])  # type: ignore[attr-defined]
    assert main(["desk", "--by", "Sari"]) == 0
    assert "↩️ Tanda terekam Rina Lestari dibatalkan." in capsys.readouterr().out
    state = asyncio.run(_state(url))
    assert state["recorded"]["Rina Lestari"] is None  # type: ignore[index]
    assert state["summonses"]["Rina Lestari"] == SummonsState.SUMMONED  # type: ignore[index]
    assert state["booked"] == 2
    assert state["by"] == ["Sari", "Sari"]
    assert "recorded_undone" in state["kinds"]  # type: ignore[operator]

    # Budi came without his documents: found by name and birth date.
    born = budi.birth_date.strftime("%d-%m-%Y")  # type: ignore[attr-defined]
    typing(monkeypatch, ["??", f"budi, {born}", "n", "1", "Tidak Ada, 01-01-2009"])
    assert main(["desk", "--by", "Sari"]) == 0
    out = capsys.readouterr().out
    assert "Ketik kode kehadiran, NIK, atau nama (boleh dengan tanggal lahir)" in out
    # Budi is in Telegram, alone; no session ahead: he waits, and nothing says one was offered.
    assert (
        "📝 Budi Santoso: datang, belum terekam. Remaja diberi tahu; belum ada jadwal di depan, "
        "jadi ia masuk daftar tunggu." in out
    )
    assert "❓ Tidak ditemukan." in out
    state = asyncio.run(_state(url))
    assert state["recorded"]["Budi Santoso"] is None  # type: ignore[index]
    assert state["summonses"]["Budi Santoso"] == SummonsState.UNRECORDED  # type: ignore[index]
    assert state["booked"] == 1  # his seat is free
    assert state["offers"] == [(555, "documents")]
    assert state["waiting"] == [budi.id]  # type: ignore[attr-defined]  # no session ahead
    assert "desk_unrecorded" in state["kinds"]  # type: ignore[operator]

    assert main(["report", "--columns", "hadir,belum-terekam,terekam"]) == 0
    out = capsys.readouterr().out
    assert "datang, belum terekam" in out


def test_undo_puts_back_the_answer_the_desk_saw_but_not_one_from_before_another_mark(
    office: dict[str, object],
) -> None:
    rina: Any = office["rina"]
    budi: Any = office["budi"]
    now = datetime.now(UTC)

    async def undone(db: Database) -> SummonsState | None:
        async with db.session() as session:
            done = await desk.undo(session, rina.id, by="Sari", channel=Channel.CLI, now=now)
            assert done.done == desk.Done.DONE
            return await session.scalar(select(Summons.state).where(Summons.target_id == rina.id))

    async def run() -> tuple[SummonsState | None, SummonsState | None]:
        db = database(str(office["url"]))
        async with db.session() as session:
            summons = await session.scalar(select(Summons).where(Summons.target_id == rina.id))
            assert summons is not None
            summons.state = SummonsState.CONFIRMED
        async with db.session() as session:
            done = await desk.record(session, rina.id, by="Sari", channel=Channel.CLI, now=now)
            assert done.done == desk.Done.DONE
        after_desk = await undone(db)
        # Now the office's list marks her: an undo cannot know her answer before that mark.
        async with db.session() as session:
            await recording.mark_recorded(
                session,
                [rina.id],
                at=now,
                source=recording.Source.RECORDS,
                by="Sari",
                channel=Channel.CLI,
                now=now,
            )
        after_list = await undone(db)
        async with db.session() as session:
            nothing = await desk.undo(session, budi.id, by="Sari", channel=Channel.CLI, now=now)
            assert nothing.done == desk.Done.NOT_RECORDED
        await db.dispose()
        return after_desk, after_list

    assert asyncio.run(run()) == (SummonsState.CONFIRMED, SummonsState.SUMMONED)


def test_a_mark_undone_before_its_thanks_went_out_withdraws_it_and_a_new_mark_thanks_again(
    office: dict[str, object],
) -> None:
    """Budi is in Telegram: the desk says he is thanked each time it marks him, so each mark
    must queue his thank-you, and an undone mark's unsent one must not go out."""
    budi: Any = office["budi"]
    first, second = (
        datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        datetime(2030, 1, 2, 3, 9, tzinfo=UTC),
    )

    async def thanks(db: Database) -> list[tuple[int, OutboxState]]:
        async with db.session() as session:
            rows = await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.state)
                .where(OutboxMessage.message_key == "recorded")
                .order_by(OutboxMessage.id)
            )
            return [(chat, state) for chat, state in rows]

    async def run() -> tuple[list[str], list[tuple[int, OutboxState]]]:
        db = database(str(office["url"]))
        told: list[str] = []
        for now in (first, second):
            async with db.session() as session:
                done = await desk.record(session, budi.id, by="Sari", channel=Channel.CLI, now=now)
            told.append(f"{done.done.value}:{done.teen}")
            if now == first:
                async with db.session() as session:
                    await desk.undo(session, budi.id, by="Sari", channel=Channel.CLI, now=now)
        queued = await thanks(db)
        await db.dispose()
        return told, queued

    told, queued = asyncio.run(run())
    assert told == ["done:True", "done:True"]
    assert queued == [(555, OutboxState.CANCELLED), (555, OutboxState.PENDING)]
