"""The recording desk's vocabulary: what staff type to find a person, and what happened there.

Pure: the Telegram desk and `rekam desk` read the same typed text the same way."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date


class Reason(enum.StrEnum):
    """Why someone who came was not recorded."""

    DOCUMENTS = "documents"
    DEVICE = "device"
    OTHER = "other"


class QueryProblem(enum.StrEnum):
    UNREADABLE = "unreadable"
    BAD_NIK = "bad_nik"
    BAD_DATE = "bad_date"


class QueryError(ValueError):
    def __init__(self, problem: QueryProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class ByCode:
    code: str


@dataclass(frozen=True)
class ByNik:
    nik: str


@dataclass(frozen=True)
class ByName:
    name: str
    birth_date: date


Query = ByCode | ByNik | ByName
_CODE = re.compile(r"^[A-Za-z0-9]{6,16}$")


def parse_query(text: str, *, today: date) -> Query:
    """'H5432ANIR' (an attendance code), '3599015203090001' (a NIK), or 'Rina, 12-03-2009'
    (a name and a birth date); QueryError says which part could not be read."""
    cleaned = " ".join(text.split())
    if "," in cleaned:
        name, _, born = cleaned.rpartition(",")
        if not name.strip():
            raise QueryError(QueryProblem.UNREADABLE)
        try:
            return ByName(name.strip(), parse_birth_date(born.strip(), today=today))
        except DateError:
            raise QueryError(QueryProblem.BAD_DATE) from None
    digits = cleaned.replace(" ", "").replace(".", "").replace("-", "")
    if digits.isascii() and digits.isdigit() and len(digits) >= 10:
        try:
            return ByNik(str(nik_rules.parse(digits, today=today)))
        except nik_rules.NikError:
            raise QueryError(QueryProblem.BAD_NIK) from None
    if _CODE.match(cleaned.replace(" ", "")):
        return ByCode(cleaned.replace(" ", "").upper())
    raise QueryError(QueryProblem.UNREADABLE)
