"""Odd input, tried as a stranger would type or an office's file would hold it (issue 22):
names with right-to-left overrides and zero-width characters, and NIKs with serial 0000, in
/daftar and in a target-list import alike."""

from __future__ import annotations

import csv
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.migrate import upgrade
from bot.db.models import Claim, Target
from bot.domain import nik as nik_rules
from bot.domain import table_rows, target_rows
from bot.domain.names import clean_name, same_person_name
from bot.services import imports, sheets
from tests.support import factories
from tests.support.harness import BotHarness, database
from tests.support.people import REVIEW, begin_daftar, register

# What a stranger pastes into a name: overrides that turn the text after them around on
# staff's screens, isolates, marks, zero-width joiners and spaces, a byte-order mark.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
FORMAT = BIDI + ZERO_WIDTH + "\u00ad\u2061\U000e0001"
TODAY = date(2026, 11, 22)


def spoofed(name: str) -> str:
    """'Sekar Ayu' with an invisible character before every letter and an override inside."""
    invisible = (FORMAT * 3)[: len(name)]
    return "\u202e" + "".join(f"{c}{i}" for c, i in zip(name, invisible, strict=True)) + "\u202c"


def test_a_name_keeps_no_format_character() -> None:
    assert clean_name(spoofed("Sekar Ayu Permata")) == "Sekar Ayu Permata"
    assert clean_name("  Siti\u200b  Nur-Aini\ufeff ") == "Siti Nur-Aini"
    assert clean_name("Dewi\u202eirawS") == "DewiirawS"  # nothing turned around, on any screen


@given(
    name=st.text(
        alphabet=st.characters(categories=["L", "Zs", "Pd", "Po"]), min_size=1, max_size=40
    ),
    inserted=st.lists(st.tuples(st.integers(0, 40), st.sampled_from(FORMAT)), max_size=10),
)
def test_format_characters_anywhere_change_nothing_in_a_name(
    name: str, inserted: list[tuple[int, str]]
) -> None:
    text = name
    for at, character in inserted:
        text = text[:at] + character + text[at:]
    cleaned = clean_name(text)
    assert cleaned == clean_name(name)
    assert not any(unicodedata.category(c) == "Cf" for c in cleaned)


async def test_daftar_keeps_the_name_without_overrides_or_zero_width_characters(
    bot: BotHarness,
) -> None:
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=77)
    teen = bot.user("Sekar")
    said = await register(teen, nik=nik, born=born, name=spoofed("Sekar Ayu Permata"))
    assert said[-1].startswith(REVIEW)
    async with bot.db.session() as session:
        claim = await session.scalar(select(Claim))
    assert claim is not None and claim.name == "Sekar Ayu Permata"


async def test_one_letter_padded_with_invisible_characters_is_no_name(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=78)
    teen = bot.user("Sekar")
    await begin_daftar(teen)
    teen.send(nik)
    await teen.next_message()  # the birth date, please
    teen.send(born.strftime("%d-%m-%Y"))
    assert "nama lengkap" in (await teen.next_message()).text
    teen.send("S\u200b\u200b\u202e\u202c\ufeff")
    asked = await teen.next_message()
    assert asked.text.startswith("Tulis nama lengkap Anda (2–100 huruf), sesuai Kartu Keluarga.")


async def test_daftar_refuses_a_nik_with_serial_0000(bot: BotHarness) -> None:
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=1)[:12] + "0000"
    teen = bot.user("Sekar")
    await begin_daftar(teen)
    teen.send(nik)
    assert (await teen.next_message()).text == (
        "NIK itu tidak benar: empat angka terakhirnya tidak mungkin 0000. Periksa lagi di "
        "Kartu Keluarga, lalu tulis lagi.\n\nKetik /batal untuk keluar."
    )


def _row(serial: int, name: str, born: date = date(2009, 3, 12)) -> list[str]:
    nik = nik_rules.build("359901", born, female=True, serial=max(serial, 1))
    if serial == 0:
        nik = nik[:12] + "0000"
    return [nik, name, born.strftime("%d-%m-%Y"), "P", "Mawar"]


async def test_an_import_keeps_names_clean_and_refuses_serial_0000(tmp_path: Path) -> None:
    """The first row of a birth date is checked whole; the rows after it are read by the fast
    reader (target_rows.target_reader): both clean names and refuse a serial of 0000."""
    rows = [
        _row(1, "Ayu Lestari"),  # a plain row: its date is remembered
        _row(2, spoofed("Mawar Sari")),  # the same date: the fast reader's turn
        _row(0, "Nol Serial"),
        _row(3, "Budi\u200b \u202eSantoso\u202c", born=date(2009, 4, 1)),  # a new date
    ]
    path = tmp_path / "daftar.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["NIK", "Nama", "Tanggal Lahir", "Jenis Kelamin", "Kelurahan"])
        writer.writerows(rows)
    url = f"sqlite+aiosqlite:///{tmp_path}/kantor.db"
    db = database(url)
    try:
        await upgrade(db)
        with sheets.opened(path) as (header, found):
            result = await imports.import_targets(
                db,
                header,
                found,
                today=TODAY,
                now=datetime(2026, 11, 22, 3, 0, tzinfo=UTC),
                regions=("3599",),
            )
        async with db.session() as session:
            names = sorted(await session.scalars(select(Target.name)))
    finally:
        await db.dispose()
    assert names == ["Ayu Lestari", "Budi Santoso", "Mawar Sari"]
    assert [(r.row, r.problem) for r in result.rejected] == [(4, table_rows.Problem.BAD_NIK)]
    assert same_person_name("Mawar Sari", names[2])


FIELDS = table_rows.header_fields(
    ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "kelurahan", "kecamatan", "alamat"],
    target_rows.TARGET_HEADERS,
    target_rows.TARGET_REQUIRED,
)


def _read(read: Any, cells: list[Any]) -> object:
    try:
        return read(cells)
    except table_rows.RowError as error:
        return (error.problem, error.column)


@settings(max_examples=150, deadline=None)
@given(
    serial=st.integers(0, 9999),
    name=st.text(alphabet=st.sampled_from(["A", "y", "u", " ", *FORMAT]), max_size=12),
    area=st.text(alphabet=st.sampled_from(["U", "t", " ", *FORMAT]), max_size=8),
)
def test_the_fast_reader_and_the_whole_check_agree_on_odd_names_and_serials(
    serial: int, name: str, area: str
) -> None:
    read = target_rows.target_reader(FIELDS, today=TODAY, regions=("3599",))
    read([*_row(5, "Ayu"), "Utara", "Jl. 1"])  # the date is remembered: the row below is fast
    cells = [*_row(serial, f"Ayu {name}")[:4], area, area, "Jl. 1"]
    values = dict(zip(FIELDS, cells, strict=True))
    try:
        whole: object = target_rows.target_row(values, today=TODAY, regions=("3599",))
    except table_rows.RowError as error:
        whole = (error.problem, error.column)
    assert _read(read, cells) == whole
    if isinstance(whole, target_rows.TargetRow):
        kept = whole.name + (whole.kelurahan or "") + (whole.kecamatan or "")
        assert not any(unicodedata.category(c) == "Cf" for c in kept)
