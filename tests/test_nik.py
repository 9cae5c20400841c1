"""NIK rules, with examples and properties."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import nik

TODAY = date(2026, 11, 22)


def test_a_womans_nik_adds_forty_to_the_day() -> None:
    value = nik.build("359901", date(2008, 3, 12), female=True, serial=1)
    assert value == "3599015203080001"
    parsed = nik.parse(value, today=TODAY)
    assert (parsed.birth_date, parsed.female, parsed.region) == (date(2008, 3, 12), True, "359901")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("35990112030800O1", nik.NikProblem.NOT_DIGITS),
        ("359901120308001", nik.NikProblem.WRONG_LENGTH),
        ("35990112030800011", nik.NikProblem.WRONG_LENGTH),
        ("3599013102080001", nik.NikProblem.BAD_DATE),  # 31 February
        ("3599017202080001", nik.NikProblem.BAD_DATE),  # day 72 - 40 = 32
    ],
)
def test_malformed_niks_are_refused_with_the_reason(text: str, problem: nik.NikProblem) -> None:
    with pytest.raises(nik.NikError) as caught:
        nik.parse(text, today=TODAY)
    assert caught.value.problem == problem


def test_two_digit_years_take_the_latest_century_not_in_the_future() -> None:
    assert nik.parse("3599011203300001", today=TODAY).birth_date == date(1930, 3, 12)
    assert nik.parse("3599011203100001", today=TODAY).birth_date == date(2010, 3, 12)


def test_region_outside_the_office_is_refused() -> None:
    value = nik.build("357201", date(2008, 3, 12), female=False, serial=7)
    with pytest.raises(nik.NikError) as caught:
        nik.parse(value, today=TODAY, regions=("3599",))
    assert caught.value.problem == nik.NikProblem.OUTSIDE_REGION
    assert nik.parse(value, today=TODAY, regions=("3599", "3572")).region == "357201"


def test_birth_date_must_agree() -> None:
    parsed = nik.parse(nik.build("359901", date(2008, 3, 12), female=False, serial=1), today=TODAY)
    nik.check_birth_date(parsed, date(2008, 3, 12))
    with pytest.raises(nik.NikError) as caught:
        nik.check_birth_date(parsed, date(2008, 3, 13))
    assert caught.value.problem == nik.NikProblem.DATE_MISMATCH


def test_mask_keeps_only_the_province_and_regency() -> None:
    """The birth date printed beside a masked NIK rebuilds its date digits: the kecamatan and
    the serial must be hidden too (tests/test_masked_nik.py counts what is left)."""
    assert nik.mask("3572014503080001") == "3572************"


def test_serial_0000_is_refused() -> None:
    """The register numbers people from 0001: 0000 is a made-up NIK."""
    with pytest.raises(nik.NikError) as caught:
        nik.parse("3599011203080000", today=TODAY)
    assert caught.value.problem == nik.NikProblem.BAD_SERIAL
    assert nik.parse("3599011203080001", today=TODAY).serial == "0001"


regions = st.text(alphabet="0123456789", min_size=6, max_size=6)
birth_dates = st.dates(min_value=date(1927, 1, 1), max_value=TODAY)


@given(
    region=regions,
    born=birth_dates,
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_any_valid_nik_parses_back_to_what_built_it(
    region: str, born: date, female: bool, serial: int
) -> None:
    value = nik.build(region, born, female=female, serial=serial)
    parsed = nik.parse(value, today=TODAY)
    assert (parsed.region, parsed.birth_date, parsed.female, int(parsed.serial)) == (
        region,
        born,
        female,
        serial,
    )
    assert str(parsed) == value


# The zero of every other script's digits (Unicode keeps each script's 0-9 in a row): "\d"
# and int() take them all.
OTHER_ZEROS = [
    chr(point)
    for point in range(128, sys.maxunicode + 1)
    if unicodedata.category(chr(point)) == "Nd" and unicodedata.digit(chr(point)) == 0
]


@given(
    region=regions,
    born=birth_dates,
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
    data=st.data(),
)
def test_a_nik_with_any_digit_of_another_script_is_refused(
    region: str, born: date, female: bool, serial: int, data: st.DataObject
) -> None:
    value = nik.build(region, born, female=female, serial=serial)
    at = data.draw(st.integers(min_value=0, max_value=15))
    odd = chr(ord(data.draw(st.sampled_from(OTHER_ZEROS))) + int(value[at]))
    with pytest.raises(nik.NikError) as caught:
        nik.parse(value[:at] + odd + value[at + 1 :], today=TODAY)
    assert caught.value.problem == nik.NikProblem.NOT_DIGITS


@given(region=regions, born=birth_dates, female=st.booleans())
def test_no_nik_with_serial_0000_parses(region: str, born: date, female: bool) -> None:
    value = nik.build(region, born, female=female, serial=1)[:12] + "0000"
    with pytest.raises(nik.NikError) as caught:
        nik.parse(value, today=TODAY)
    assert caught.value.problem == nik.NikProblem.BAD_SERIAL
