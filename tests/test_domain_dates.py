"""Birth dates as teens type them, and what their age allows."""

from __future__ import annotations

import sys
import unicodedata
from datetime import date

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.dates import (
    DateError,
    DateProblem,
    parse_birth_date,
    parse_day_and_hours,
    parse_session_date,
)
from bot.domain.eligibility import add_years, age_on, eligibility

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "text",
    [
        "12-03-2008",
        "12/03/2008",
        "12.03.2008",
        "2008-03-12",
        "12 Maret 2008",
        "12 March 2008",
        "12 maret 2008",
        "  12   Mar  2008 ",
        "12 Mar. 2008",
        "12-3-2008",
    ],
)
def test_every_accepted_form(text: str) -> None:
    assert parse_birth_date(text, today=TODAY) == date(2008, 3, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 Pebruari 2009", date(2009, 2, 5)),
        ("30 Nopember 2008", date(2008, 11, 30)),
        ("17 Agustus 2008", date(2008, 8, 17)),
        ("1 Mei 2009", date(2009, 5, 1)),
        ("9 Oktober 2008", date(2008, 10, 9)),
        ("2 Desember 2008", date(2008, 12, 2)),
    ],
)
def test_indonesian_and_javanese_spellings(text: str, expected: date) -> None:
    assert parse_birth_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kemarin", DateProblem.UNREADABLE),
        ("12 Marett 2008", DateProblem.UNREADABLE),
        ("12-03-08", DateProblem.UNREADABLE),
        ("3572011203080001", DateProblem.UNREADABLE),
        ("31-02-2008", DateProblem.IMPOSSIBLE),
        ("29-02-2009", DateProblem.IMPOSSIBLE),
        ("00-01-2008", DateProblem.IMPOSSIBLE),
        ("12-13-2008", DateProblem.IMPOSSIBLE),
        ("01-01-2030", DateProblem.FUTURE),
        ("01-01-1850", DateProblem.IMPOSSIBLE),
    ],
)
def test_wrong_dates_say_what_is_wrong(text: str, problem: DateProblem) -> None:
    with pytest.raises(DateError) as caught:
        parse_birth_date(text, today=TODAY)
    assert caught.value.problem == problem


@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=TODAY),
    language=st.sampled_from(["id", "en", "jv"]),
    pattern=st.sampled_from(["dd-MM-y", "dd/MM/y", "d.M.y", "y-MM-dd", "d MMMM y", "d MMM y"]),
)
def test_any_date_written_any_accepted_way_reads_back(
    day: date, language: str, pattern: str
) -> None:
    assert parse_birth_date(format_date(day, pattern, locale=language), today=TODAY) == day


@pytest.mark.parametrize(
    "text",
    [
        "١٢-٠٣-٢٠٠٨",  # Arabic-Indic
        "۱۲/۰۳/۲۰۰۸",  # Persian
        "１２-０３-２００８",  # full-width
        "12-03-２００８",
        "१२ Maret 2008",  # Devanagari
        "２００８-03-12",
        "𝟏𝟐.03.2008",  # mathematical bold
    ],
)
def test_digits_of_other_scripts_are_unreadable(text: str) -> None:
    """Python's int() and \\d read them as numbers; nothing in an office writes them, and some
    look like other digits or letters."""
    with pytest.raises(DateError) as caught:
        parse_birth_date(text, today=TODAY)
    assert caught.value.problem == DateProblem.UNREADABLE


# The zero of every other script's digits (Unicode keeps each script's 0-9 in a row): "\d"
# and int() take them all.
OTHER_ZEROS = [
    chr(point)
    for point in range(128, sys.maxunicode + 1)
    if unicodedata.category(chr(point)) == "Nd" and unicodedata.digit(chr(point)) == 0
]


@given(
    day=st.dates(min_value=date(1950, 1, 1), max_value=TODAY),
    language=st.sampled_from(["id", "en", "jv"]),
    pattern=st.sampled_from(["dd-MM-y", "dd/MM/y", "d.M.y", "y-MM-dd", "d MMMM y", "d MMM y"]),
    data=st.data(),
)
def test_any_accepted_date_with_one_digit_of_another_script_is_refused(
    day: date, language: str, pattern: str, data: st.DataObject
) -> None:
    text = format_date(day, pattern, locale=language)
    places = [i for i, c in enumerate(text) if c.isascii() and c.isdigit()]
    at = data.draw(st.sampled_from(places))
    odd = chr(ord(data.draw(st.sampled_from(OTHER_ZEROS))) + int(text[at]))
    with pytest.raises(DateError) as caught:
        parse_birth_date(text[:at] + odd + text[at + 1 :], today=TODAY)
    assert caught.value.problem == DateProblem.UNREADABLE


@pytest.mark.parametrize(
    "text", ["٣٠-١١-2026", "30-11-2026 ٠٨.00-11.00", "30-11-2026 08.00-١١.٠٠", "３０-11-2026"]
)
def test_a_sessions_day_and_hours_take_ascii_digits_only(text: str) -> None:
    with pytest.raises(DateError) as caught:
        if " " in text:
            parse_day_and_hours(text, today=TODAY)
        else:
            parse_session_date(text, today=TODAY)
    assert caught.value.problem == DateProblem.UNREADABLE


def test_ages_and_leap_day_birthdays() -> None:
    assert age_on(date(2008, 11, 23), TODAY) == 17
    assert age_on(date(2008, 11, 23), TODAY.replace(day=22)) == 17
    assert age_on(date(2009, 11, 23), TODAY) == 16
    assert age_on(date(2009, 11, 24), TODAY) == 16
    assert age_on(date(2010, 11, 23), TODAY) == 15
    assert add_years(date(2008, 2, 29), 17) == date(2025, 3, 1)
    assert age_on(date(2008, 2, 29), date(2024, 2, 29)) == 16


def test_eligibility_follows_the_spec() -> None:
    election = date(2027, 2, 14)
    sixteen = eligibility(date(2010, 1, 10), today=TODAY, election=election)
    assert (sixteen.may_record, sixteen.may_print, sixteen.first_time_voter) == (True, False, True)
    too_young = eligibility(date(2011, 3, 1), today=TODAY, election=election)
    assert (too_young.may_record, too_young.may_record_from) == (False, date(2027, 3, 1))
    not_yet_voter = eligibility(date(2010, 6, 1), today=TODAY, election=election)
    assert (not_yet_voter.may_record, not_yet_voter.first_time_voter) == (True, False)
    adult = eligibility(date(1990, 6, 1), today=TODAY, election=election)
    assert (adult.may_print, adult.first_time_voter) == (True, False)
