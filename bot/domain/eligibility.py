"""Who may do what: recording from 16, printing and IKD from 17, first-time voter when 17 on or
before election day and not yet 17 on the election before it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

RECORDING_AGE = 16
VOTING_AGE = 17
# Pemilu and Pilkada come every five years (2019, 2024, 2029; Pilkada 2020, 2024): the election
# before this one is taken as five years before its day.
ELECTION_CYCLE_YEARS = 5


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
        first_time_voter=age_on(born, election) >= VOTING_AGE
        and not past_first_vote(born, election),
        may_record_from=add_years(born, RECORDING_AGE),
    )


def previous_election(election: date) -> date:
    """The day of the election before `election` (ELECTION_CYCLE_YEARS earlier)."""
    return add_years(election, -ELECTION_CYCLE_YEARS)


def past_first_vote(born: date, election: date) -> bool:
    """Whether someone born on `born` was already 17 on the previous election day, and so
    votes on `election` for the second time at least: not a first-time voter. Born in 1990,
    say, or anyone 22 or older on election day."""
    return seventeenth_birthday(born) <= previous_election(election)


class AgeProblem(enum.StrEnum):
    TOO_YOUNG = "too_young"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class AgeRefusal:
    """Why a birth date is not of the age wanted: `age` on the day `on` the rule looks at
    (election day; today for "16 and over today")."""

    problem: AgeProblem
    age: int
    on: date


def target_age(born: date, *, rule: str, today: date, election: date) -> AgeRefusal | None:
    """None when someone born on `born` belongs on the target list by age, else why not. The
    list is first-time voters (SPEC section 2): never anyone past first-time-voter age on
    election day (past_first_vote); at least 17 on election day, or, with TARGET_MIN_AGE "16",
    16 and over today (recording is allowed from 16)."""
    if past_first_vote(born, election):
        return AgeRefusal(AgeProblem.TOO_OLD, age_on(born, election), election)
    if rule == "16":
        if age_on(born, today) < RECORDING_AGE:
            return AgeRefusal(AgeProblem.TOO_YOUNG, age_on(born, today), today)
        return None
    if age_on(born, election) < VOTING_AGE:
        return AgeRefusal(AgeProblem.TOO_YOUNG, age_on(born, election), election)
    return None


def registration_age(born: date, *, today: date, election: date) -> AgeRefusal | None:
    """None when someone born on `born` may register with /daftar, else why not: from 16
    today (the age recording is allowed at), and not past first-time-voter age on election
    day (the same upper bound as the target list's)."""
    if past_first_vote(born, election):
        return AgeRefusal(AgeProblem.TOO_OLD, age_on(born, election), election)
    if age_on(born, today) < RECORDING_AGE:
        return AgeRefusal(AgeProblem.TOO_YOUNG, age_on(born, today), today)
    return None


def seventeenth_birthday(born: date) -> date:
    """The day printing and IKD activation become possible."""
    return add_years(born, VOTING_AGE)


def on_target_list(born: date, *, rule: str, today: date, election: date) -> bool:
    """Whether someone belongs on the office's target list (setting TARGET_MIN_AGE): see
    target_age."""
    return target_age(born, rule=rule, today=today, election=election) is None
