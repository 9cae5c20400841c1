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
    """A name (any case, accents or not), maybe with a birth date. `maybe_code` is set when
    the one word typed could also be an attendance code typed in lower case."""

    name: str
    birth_date: date | None = None
    maybe_code: str | None = None


Query = ByCode | ByNik | ByName
_CODE = re.compile(r"^[A-Za-z0-9]{6,16}$")
# A birth date at the end of the text, without a comma: "Rina 12-03-2009", "Rina 2009-03-12",
# "Rina 12 Maret 2009".
_TRAILING_DATE = re.compile(
    r"^(?P<name>.*?)\s+(?P<born>[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
    r"|[0-9]{1,2}\s+[^\W\d_]+\.?\s+[0-9]{4})$"
)


def _by_name(name: str, born: str | None, *, today: date) -> ByName:
    if not any(char.isalpha() for char in name):
        raise QueryError(QueryProblem.UNREADABLE)
    if born is None:
        return ByName(name)
    try:
        return ByName(name, parse_birth_date(born, today=today))
    except DateError:
        raise QueryError(QueryProblem.BAD_DATE) from None


def parse_query(text: str, *, today: date) -> Query:
    """'H5432ANIR' (an attendance code), '3599015203090001' (a NIK), 'Rina Lestari' (a name
    alone), or a name and a birth date with or without a comma ('Rina, 12-03-2009',
    'rina 12 maret 2009'); QueryError says which part could not be read."""
    cleaned = " ".join(text.split())
    if "," in cleaned:
        name, _, born = cleaned.rpartition(",")
        return _by_name(name.strip(), born.strip(), today=today)
    digits = cleaned.replace(" ", "").replace(".", "").replace("-", "")
    if digits.isascii() and digits.isdigit() and len(digits) >= 10:
        try:
            return ByNik(str(nik_rules.parse(digits, today=today)))
        except nik_rules.NikError:
            raise QueryError(QueryProblem.BAD_NIK) from None
    if match := _TRAILING_DATE.match(cleaned):
        return _by_name(match["name"], match["born"], today=today)
    if _CODE.match(cleaned):
        if any(char.isdigit() for char in cleaned):
            return ByCode(cleaned.upper())
        return ByName(cleaned, maybe_code=cleaned.upper())  # "rahmawati", or "hkmnpqrs"?
    return _by_name(cleaned, None, today=today)
