"""Who may do what: recording from 16, printing and IKD from 17, first-time voter when 17 on or
before election day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RECORDING_AGE = 16
VOTING_AGE = 17


def add_years(born: date, years: int) -> date:
    """The `years`-th birthday; 29 February birthdays fall on 1 March in other years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day`."""
    years = day.year - born.year
    return years if add_years(born, years) <= day else years - 1


@dataclass(frozen=True)
class Eligibility:
    age: int
    may_record: bool
    may_print: bool
    first_time_voter: bool
    may_record_from: date


def eligibility(born: date, *, today: date, election: date) -> Eligibility:
    """What a person born on `born` may do today, and whether they vote for the first time."""
    age = age_on(born, today)
    return Eligibility(
        age=age,
        may_record=age >= RECORDING_AGE,
        may_print=age >= VOTING_AGE,
        first_time_voter=age_on(born, election) >= VOTING_AGE and age < VOTING_AGE + 5,
        may_record_from=add_years(born, RECORDING_AGE),
    )


def seventeenth_birthday(born: date) -> date:
    """The day printing and IKD activation become possible."""
    return add_years(born, VOTING_AGE)


def on_target_list(born: date, *, rule: str, today: date, election: date) -> bool:
    """Whether someone belongs on the office's target list (setting TARGET_MIN_AGE): "17",
    17 by election day; "16", 16 and over today (the day the list is imported)."""
    if rule == "16":
        return age_on(born, today) >= RECORDING_AGE
    return age_on(born, election) >= VOTING_AGE
