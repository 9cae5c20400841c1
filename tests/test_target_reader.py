"""The import's fast reader of target-list rows (target_rows.target_reader) says exactly what
`target_row` says of every row: the same checked row, or the same problem in the same column,
whatever rows came before it (the reader remembers dates it has read)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import nik as nik_rules
from bot.domain import table_rows, target_rows

TODAY = date(2026, 11, 22)
HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "kelurahan", "kecamatan", "alamat"]
HEADER += ["sekolah", "kategori", "status", "lembaga"]
FIELDS = table_rows.header_fields(HEADER, target_rows.TARGET_HEADERS, target_rows.TARGET_REQUIRED)
REGIONS = ("3599",)


def slow(cells: list[Any], fields: list[str] = FIELDS) -> target_rows.TargetRow | tuple[str, str]:
    values = {f: cell for f, cell in zip(fields, cells, strict=False) if f}
    try:
        return target_rows.target_row(values, today=TODAY, regions=REGIONS)
    except table_rows.RowError as error:
        return (error.problem, error.column)


def fast(read: Any, cells: list[Any]) -> target_rows.TargetRow | tuple[str, str]:
    try:
        return read(cells)  # type: ignore[no-any-return]
    except table_rows.RowError as error:
        return (error.problem, error.column)


born = st.dates(min_value=date(1990, 1, 1), max_value=date(2027, 1, 1))


@st.composite
def rows(draw: st.DrawFn) -> list[Any]:
    day = draw(born)
    other = draw(born)
    female = draw(st.booleans())
    region = draw(st.sampled_from(["359901", "359902", "357201"]))
    nik = nik_rules.build(region, day, female=female, serial=draw(st.integers(1, 9999)))
    odd_nik = st.sampled_from(
        [
            f" {nik} ",
            nik + ".0",
            f"{nik[:6]} {nik[6:12]} {nik[12:]}",
            f"{nik[:6]}-{nik[6:]}",
            nik[:15],
            nik + "1",
            nik.replace("1", "١"),
            "",
            f"{nik[:4]}\t{nik[4:]}",
        ]
    )
    nik = draw(st.one_of(st.just(nik), st.just(nik), st.just(nik), odd_nik))
    when = draw(st.sampled_from([day, other, day, day]))
    odd_birth = st.sampled_from(
        [
            when.strftime("%d/%m/%Y"),
            when.strftime("%Y-%m-%d"),
            f" {when.strftime('%d.%m.%Y')}  ",
            f"{when.day} Maret {when.year}",
            when.strftime("%d-%m-%Y").replace("-", "--"),
            "31-02-2009",
            "",
            when,
            datetime(when.year, when.month, when.day, 0, 0),
        ]
    )
    birth: Any = draw(st.one_of(st.just(when.strftime("%d-%m-%Y")), odd_birth))
    plain = st.sampled_from(["Ayu", "Mawar Putih", "Utara", "Jl. Contoh 1", "Ñoño", "", "x"])
    odd = st.sampled_from(
        [" Ayu  Lestari ", "Ayu\x00", "Ayu\tL", "   ", " Ayu ", "a" * 60, "b" * 201, "é" * 51]
    )
    text = st.one_of(plain, plain, plain, plain, odd)
    cells: list[Any] = [nik, draw(text), birth]
    cells.append(draw(st.sampled_from(["L", "p", " Perempuan ", "x", "", "LK"])))
    cells += [draw(text), draw(text), draw(text), draw(text)]
    cells.append(draw(st.sampled_from(["SMK", "SMA", "smk 1", "smk  1", "", "c" * 51])))
    cells.append(draw(st.sampled_from(["", "Sudah Rekam", " DONE ", "belum", "", "sudah\n"])))
    cells.append(draw(st.sampled_from(["", "Lapas Kelas I", "", "Pondok", None, 12])))
    return cells[: draw(st.sampled_from([len(cells), len(cells), len(cells) - 1, 3]))]


@settings(max_examples=250, deadline=None)
@given(st.lists(rows(), min_size=1, max_size=30))
def test_the_fast_reader_says_what_target_row_says_of_every_row(
    file: list[list[Any]],
) -> None:
    read = target_rows.target_reader(FIELDS, today=TODAY, regions=REGIONS)
    for cells in file + file:  # the second time through, every date has been met before
        assert fast(read, cells) == slow(cells)


def test_the_fast_reader_reads_a_column_named_twice_from_the_last_as_a_row_dict_does() -> None:
    header = ["nik", "nama", "tanggal_lahir", "name"]
    fields = table_rows.header_fields(header, target_rows.TARGET_HEADERS, ("nik",))
    nik = nik_rules.build("359901", date(2009, 3, 12), female=False, serial=7)
    read = target_rows.target_reader(fields, today=TODAY, regions=REGIONS)
    for _ in range(2):
        row = read([nik, "Nama Pertama", "12-03-2009", "Nama Kedua"])
        assert row == slow([nik, "Nama Pertama", "12-03-2009", "Nama Kedua"], fields)
        assert row.name == "Nama Kedua"


@pytest.mark.parametrize(
    ("birth", "problem"),
    [
        ("13-03-2009", table_rows.Problem.DATE_MISMATCH),
        ("12-03-2030", table_rows.Problem.BAD_DATE),
    ],
)
def test_a_row_after_rows_with_the_same_date_is_still_checked_against_its_own_nik(
    birth: str, problem: table_rows.Problem
) -> None:
    read = target_rows.target_reader(FIELDS, today=TODAY, regions=REGIONS)
    good = nik_rules.build("359901", date(2009, 3, 12), female=False, serial=1)
    other = nik_rules.build("359901", date(2009, 3, 13), female=False, serial=1)
    read([good, "A", "12-03-2009"] + [""] * 8)
    read([other, "A", "13-03-2009"] + [""] * 8)
    with pytest.raises(table_rows.RowError) as raised:
        read([good, "A", birth] + [""] * 8)
    assert raised.value.problem == problem


def test_a_plain_row_whose_date_was_met_before_is_read_without_target_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked: list[dict[str, Any]] = []
    target_row = target_rows.target_row

    def counted(values: dict[str, Any], **kwargs: Any) -> target_rows.TargetRow:
        checked.append(values)
        return target_row(values, **kwargs)

    monkeypatch.setattr(target_rows, "target_row", counted)
    read = target_rows.target_reader(FIELDS, today=TODAY, regions=REGIONS)
    born = date(2009, 3, 12)
    for serial in range(1, 101):
        nik = nik_rules.build("359901", born, female=serial % 2 == 0, serial=serial)
        cells = [nik, f"Remaja {serial}", "12-03-2009", "L", "Mawar", "Utara", "Jl. 1"]
        row = read([*cells, "SMA 1", "SMA", "", ""])
        assert (row.nik, row.name, row.kelurahan, row.kecamatan) == (
            nik,
            f"Remaja {serial}",
            "Mawar",
            "Utara",
        )
    assert len(checked) == 2  # the first man and the first woman born that day
