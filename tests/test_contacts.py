"""Phone numbers on a teen's record (issue 24's contact points): read into one form or refused
with a reason; kept hashed and sealed, never in clear; found again by the number alone; from
the target list's telepon / telepon_ortu / izin_wa columns, where a bad number leaves the row
in and says why. The numbers are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text

from bot.db.engine import Database
from bot.db.models import ContactPoint, Event, Target
from bot.db.vault import vault_of
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.domain.phones import PhoneProblem
from bot.domain.table_rows import Problem
from bot.services import contacts
from tests.support.sheets import ID_HEADER, person, run_import, write_csv, write_xlsx

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
HEADER = [*ID_HEADER, "Telepon", "Telepon_Ortu", "Izin_WA"]


async def _put(
    db: Database, target_id: int, whose: ContactOf, typed: str | None, **kw: object
) -> contacts.Saved | contacts.Refused:
    async with db.session() as session:
        return await contacts.put(
            session,
            target_id,
            whose,
            typed,
            source=ContactSource.STAFF,
            actor=Actor.STAFF,
            channel=Channel.WEB,
            now=NOW,
            by="staff:1",
            **kw,  # type: ignore[arg-type]
        )


async def _one_target(db: Database, tmp_path: Path) -> int:
    await run_import(db, write_csv(tmp_path / "satu.csv", ID_HEADER, [person(1)]))
    async with db.session() as session:
        return int(await session.scalar(select(Target.id)) or 0)


async def test_a_number_is_kept_sealed_found_by_itself_and_replaced_not_doubled(
    database: Database, tmp_path: Path
) -> None:
    rina = await _one_target(database, tmp_path)
    saved = await _put(database, rina, ContactOf.TEEN, "0812-3456-7890", whatsapp_consent=True)
    assert isinstance(saved, contacts.Saved) and saved.changed
    assert saved.contact.number == "+6281234567890" and saved.contact.whatsapp_consent
    async with database.session() as session:
        raw = (await session.execute(text("SELECT * FROM contact_points"))).mappings().one()
        assert "81234567890" not in str(dict(raw))  # neither hash nor seal shows the number
        assert await contacts.owners(session, "+6281234567890") == (
            contacts.Owner(rina, ContactOf.TEEN),
        )
        assert await contacts.owners(session, "+6281234567891") == ()
    # The same number spelt another way changes nothing; a new one replaces it, and the
    # WhatsApp yes given for the old number does not carry over.
    again = await _put(database, rina, ContactOf.TEEN, "+62 812 3456 7890")
    assert isinstance(again, contacts.Saved) and not again.changed
    new = await _put(database, rina, ContactOf.TEEN, "0857 1111 2222")
    assert isinstance(new, contacts.Saved) and new.changed and not new.contact.whatsapp_consent
    async with database.session() as session:
        numbers = await contacts.of(session, rina)
        assert [c.number for c in numbers] == ["+6285711112222"]
        assert await contacts.owners(session, "+6281234567890") == ()
        shown = await session.scalars(
            select(Event.data).where(Event.kind == "contact_set").order_by(Event.id)
        )
        assert [d["number"] for d in shown] == ["+62 812 ***** 890", "+62 857 ***** 222"]


async def test_a_bad_number_is_refused_with_its_reason_and_nothing_is_kept(
    database: Database, tmp_path: Path
) -> None:
    rina = await _one_target(database, tmp_path)
    for typed, problem in [
        ("021-765-4321", PhoneProblem.NOT_MOBILE),
        ("0812345", PhoneProblem.INVALID),
        ("nomor saya", PhoneProblem.UNREADABLE),
        ("", PhoneProblem.UNREADABLE),  # blank, with no number there to keep
    ]:
        assert await _put(database, rina, ContactOf.GUARDIAN, typed) == contacts.Refused(problem)
    assert await _put(database, 999_999, ContactOf.TEEN, "081234567890") == contacts.Refused(None)
    async with database.session() as session:
        assert await contacts.of(session, rina) == ()


async def test_a_blank_number_keeps_the_one_there_and_changes_only_the_whatsapp_yes(
    database: Database, tmp_path: Path
) -> None:
    rina = await _one_target(database, tmp_path)
    await _put(database, rina, ContactOf.GUARDIAN, "081298765432")
    saved = await _put(database, rina, ContactOf.GUARDIAN, "  ", whatsapp_consent=True)
    assert isinstance(saved, contacts.Saved) and saved.changed
    assert saved.contact.number == "+6281298765432" and saved.contact.whatsapp_consent
    async with database.session() as session:
        assert await contacts.remove(
            session, rina, ContactOf.GUARDIAN, actor=Actor.STAFF, channel=Channel.WEB
        )
        assert not await contacts.remove(
            session, rina, ContactOf.GUARDIAN, actor=Actor.STAFF, channel=Channel.WEB
        )
        assert await contacts.of(session, rina) == ()


async def test_a_parent_s_number_on_two_siblings_finds_both(
    database: Database, tmp_path: Path
) -> None:
    rows = [
        [*person(1), "", "0812 5555 0001", ""],
        [*person(2), "", "+62 812-5555-0001", ""],
    ]
    result = await run_import(database, write_csv(tmp_path / "adik.csv", HEADER, rows))
    assert (result.added, result.numbers_refused) == (2, [])
    async with database.session() as session:
        found = await contacts.owners(session, "+6281255550001")
    assert [o.whose for o in found] == [ContactOf.GUARDIAN, ContactOf.GUARDIAN]
    assert len({o.target_id for o in found}) == 2


async def test_the_list_s_numbers_go_on_the_records_and_a_bad_one_leaves_the_row_in(
    database: Database, tmp_path: Path
) -> None:
    rows = [
        [*person(1), "0812-1111-0001", "0813 2222 0001", "ya"],
        [*person(2), "021-765-4321", "081322220002", ""],  # a landline for the teen
        [*person(3), "bukan nomor", "", "YA"],
        [*person(4), "", "", ""],
    ]
    path = write_csv(tmp_path / "sasaran.csv", HEADER, rows)
    result = await run_import(database, path)
    assert result.added == 4 and result.rejected == []
    assert [(r.row, r.problem, r.column) for r in result.numbers_refused] == [
        (3, Problem.PHONE_NOT_MOBILE, "phone"),
        (4, Problem.PHONE_UNREADABLE, "phone"),
    ]
    assert result.numbers_refused[0].name == "Remaja Uji 2"
    async with database.session() as session:
        vault = vault_of(session)
        by_nik = {vault.open(t.nik_sealed): t.id for t in await session.scalars(select(Target))}
        first = await contacts.of(session, by_nik[rows[0][0]])
        assert [(c.whose, c.number, c.whatsapp_consent, c.source) for c in first] == [
            (ContactOf.TEEN, "+6281211110001", True, ContactSource.LIST),
            (ContactOf.GUARDIAN, "+6281322220001", True, ContactSource.LIST),
        ]
        second = await contacts.of(session, by_nik[rows[1][0]])
        assert [(c.whose, c.whatsapp_consent) for c in second] == [(ContactOf.GUARDIAN, False)]
        assert await contacts.of(session, by_nik[rows[2][0]]) == ()
        assert await contacts.of(session, by_nik[rows[3][0]]) == ()

    # Imported again: an empty cell takes no number away, a new number replaces the old one,
    # and a number given the same way is no change.
    rows[0][-3:] = ["", "0813 9999 0001", ""]
    rows[1][-3:] = ["", "081322220002", ""]
    again = await run_import(database, write_csv(tmp_path / "lagi.csv", HEADER, rows))
    assert again.numbers_changed == 1
    async with database.session() as session:
        first = await contacts.of(session, by_nik[rows[0][0]])
        assert [(c.number, c.whatsapp_consent) for c in first] == [
            ("+6281211110001", True),
            ("+6281399990001", False),  # a new number: the yes was for the old one
        ]
        stored = await session.scalar(select(ContactPoint.phone_sealed).limit(1))
    assert stored is not None and "+62" not in stored


async def test_a_spreadsheet_that_made_the_number_a_number_gets_its_zero_back(
    sqlite_database: Database, tmp_path: Path
) -> None:
    rows: list[list[object]] = [[*person(1), 81234567890, 6281298765432.0, "ya"]]
    result = await run_import(sqlite_database, write_xlsx(tmp_path / "s.xlsx", HEADER, rows))
    assert result.added == 1 and result.numbers_refused == []
    async with sqlite_database.session() as session:
        target_id = int(await session.scalar(select(Target.id)) or 0)
        numbers = [c.number for c in await contacts.of(session, target_id)]
    assert numbers == ["+6281234567890", "+6281298765432"]
