"""`rekam person`: one teen's whole record, and the event that someone looked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.migrate import upgrade
from bot.db.models import Account, Event, ParentLink, Staff, Target
from bot.domain.kinds import Actor, Channel, LinkMethod, LinkState, Role
from bot.services import events
from tests.support import factories
from tests.support.harness import database, make_settings


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Rina, linked in Telegram with a parent, summoned (reminders queued); Budi, on the list."""
    url = f"sqlite+aiosqlite:///{tmp_path}/kantor.db"
    monkeypatch.setenv("DATABASE_URL", url)

    async def prepare() -> dict[str, str]:
        db = database(url)
        await upgrade(db)
        settings = make_settings(url)
        rina = await factories.add_target(db, settings, code="RINA2345", serial=1)
        budi = await factories.add_target(db, settings, name="Budi", code="BUDI2345", serial=2)
        async with db.session() as session:
            teen = Account(telegram_id=777, language="id", target_id=rina.id, role=Role.TEEN)
            parent = Account(telegram_id=888, language="jv", role=Role.PARENT)
            session.add_all([teen, parent])
            await session.flush()
            session.add(
                ParentLink(
                    parent_account_id=parent.id,
                    target_id=rina.id,
                    state=LinkState.ACTIVE,
                    method=LinkMethod.CODE,
                    parent_name="Ibu Sari",
                )
            )
        place = await factories.add_place(db)
        first = await factories.add_session(db, settings, place, days_ahead=5)
        await factories.summon(db, settings, rina, first)
        await db.dispose()
        return {"url": url, "rina": rina.nik, "budi": budi.nik}  # type: ignore[attr-defined]

    return asyncio.run(prepare())


def _viewed(url: str) -> list[object]:
    async def read() -> list[object]:
        db = database(url)
        async with db.session() as session:
            found = await session.scalars(select(Event.data).where(Event.kind == "person_viewed"))
            by = [data.get("by") for data in found]
        await db.dispose()
        return by

    return asyncio.run(read())


def test_person_as_json_holds_summons_queue_and_events(
    office: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", office["rina"], "--json", "--by", "Sari"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["name"] == "Rina Lestari"
    assert found["nik"] == office["rina"][:4] + "*" * 12
    assert office["rina"] not in json.dumps(found)
    assert found["recorded_at"] is None
    assert found["summons"]["state"] == "summoned" and isinstance(found["summons"]["session"], int)
    assert [a["telegram_id"] for a in found["accounts"]] == [777]
    assert found["parents"] == [
        {"telegram_id": 888, "name": "Ibu Sari", "state": "active", "method": "code"}
    ]
    queued = found["queued"]
    assert queued and {q["to"] for q in queued} <= {777, 888}
    assert {"kind", "due_at", "to", "parent"} <= set(queued[0])
    assert any(q["kind"] == "reminder" and not q["parent"] for q in queued)
    assert any(q["parent"] for q in queued)  # the parent hears of the summons too
    assert "summoned" in [e["kind"] for e in found["events"]]
    assert _viewed(office["url"]) == ["Sari"]


def test_person_by_code_prints_labels_and_an_unknown_one_is_refused(
    office: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["person", "budi2345", "--by", "Sari"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Budi (NIK ")
    assert office["budi"] not in out
    assert "Panggilan: (belum dipanggil)" in out
    assert "Akun Telegram remaja:\n  (tidak ada)" in out
    # The attendance code (the /kode QR) finds her too.
    assert main(["person", factories.attend_code_of("RINA2345").lower(), "--by", "Sari"]) == 0
    rina = capsys.readouterr().out
    assert "  • 888 akun Telegram bernama «Ibu Sari» — aktif (dengan kode)" in rina
    assert "Asal data: daftar sasaran, tinjauan: diterima" in rina
    assert "Panggilan: dipanggil — jadwal " in rina
    assert " (orang tua)" in rina and "  • pengingat — " in rina
    for code in ("imported", "accepted", "summoned", "active", "reminder", "staff:"):
        assert code not in rina, code
    assert main(["person", "TIDAKADA"]) == 1
    assert "Tidak ada remaja dengan NIK atau kode itu." in capsys.readouterr().err
    assert _viewed(office["url"]) == ["Sari", "Sari"]


def test_the_history_reads_in_words_names_staff_and_leaves_out_looks(
    office: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """A desk mark by a named staff member, one by a staff member with no name yet, an event
    kind no label names yet, and the desk's searches: words, names, and no searches."""

    async def prepare() -> None:
        db = database(office["url"])
        async with db.session() as session:
            target_id = await session.scalar(select(Target.id).where(Target.name != "Budi"))
            session.add(Staff(telegram_id=700000003, name="Sari Wulandari"))
            session.add(Staff(telegram_id=700000004))
            for kind, by in (
                ("person_listed", "staff:700000003"),
                ("desk_recorded", "staff:700000003"),
                ("recorded_undone", "700000004"),
                ("zz_kind_from_next_year", "staff:700000003"),
            ):
                events.record(
                    session,
                    kind,
                    actor=Actor.STAFF,
                    channel=Channel.WEB,
                    target_id=target_id,
                    by=by,
                    was="summoned",
                )
        await db.dispose()

    asyncio.run(prepare())
    assert main(["person", office["rina"], "--by", "Sari"]) == 0
    history = capsys.readouterr().out.split("Riwayat:")[1]
    assert "ditandai terekam di meja perekaman (Sari Wulandari · dasbor)" in history
    assert "sebelumnya: dipanggil" in history
    assert "tanda terekam dibatalkan (petugas (Telegram 700000004) · dasbor)" in history
    assert "kejadian lain (Sari Wulandari · dasbor)" in history
    assert "dilihat petugas" not in history and "datanya dibuka" not in history
    for code in ("person_listed", "desk_recorded", "recorded_undone", "zz_kind", "by=", "staff:"):
        assert code not in history, code
    # The searches are still in the event log: who looked at whom.
    assert len(_viewed_kinds(office["url"], "person_listed")) == 1


def _viewed_kinds(url: str, kind: str) -> list[int | None]:
    async def read() -> list[int | None]:
        db = database(url)
        async with db.session() as session:
            found = list(await session.scalars(select(Event.target_id).where(Event.kind == kind)))
        await db.dispose()
        return found

    return asyncio.run(read())
