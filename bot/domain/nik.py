"""The 16-digit NIK: province (2), regency/city (2), district (2), birth date DDMMYY
(women: DD + 40), serial (4, from 0001)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class NikProblem(enum.StrEnum):
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    BAD_DATE = "bad_date"
    OUTSIDE_REGION = "outside_region"
    DATE_MISMATCH = "date_mismatch"
    BAD_SERIAL = "bad_serial"  # 0000: the register numbers people from 0001


class NikError(ValueError):
    def __init__(self, problem: NikProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Nik:
    """A NIK taken apart."""

    region: str  # six digits: province, regency/city, district
    birth_date: date
    female: bool
    serial: str
    digits: str = ""  # the sixteen digits as read (an import reads millions: not rebuilt)

    def __str__(self) -> str:
        if self.digits:
            return self.digits
        return build(self.region, self.birth_date, female=self.female, serial=int(self.serial))


def build(region: str, birth_date: date, *, female: bool, serial: int) -> str:
    """The NIK of someone born on `birth_date` in district `region` (for tests and sample data)."""
    if len(region) != 6 or not region.isdigit() or not 0 < serial < 10_000:
        raise ValueError("region must be 6 digits and serial 1-9999")
    day = birth_date.day + (40 if female else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def _century(two_digits: int, today: date) -> int:
    # A NIK holder is alive and at most ~100 years old: the latest year not in the future.
    year = 2000 + two_digits
    return year if year <= today.year else year - 100


def parse(text: str, *, today: date, regions: tuple[str, ...] = ()) -> Nik:
    """Take a NIK apart, checking digits, length, a real date and (if given) the office's area."""
    digits = text.replace(" ", "").replace(".", "").replace("-", "")
    # ASCII digits only: str.isdigit() also takes "²" and full-width "１", which int() then
    # refuses or a database stores as something no other system will match.
    if not (digits.isascii() and digits.isdigit()):
        raise NikError(NikProblem.NOT_DIGITS)
    if len(digits) != 16:
        raise NikError(NikProblem.WRONG_LENGTH)
    day, month, year = int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    female = day > 40
    try:
        born = date(_century(year, today), month, day - 40 if female else day)
    except ValueError:
        raise NikError(NikProblem.BAD_DATE) from None
    if born > today:
        raise NikError(NikProblem.BAD_DATE)
    if digits[12:] == "0000":
        raise NikError(NikProblem.BAD_SERIAL)
    if regions and not any(digits.startswith(code) for code in regions):
        raise NikError(NikProblem.OUTSIDE_REGION)
    return Nik(region=digits[:6], birth_date=born, female=female, serial=digits[12:], digits=digits)


def check_birth_date(nik: Nik, birth_date: date) -> None:
    """The birth date a person gives must be the one inside their NIK."""
    if nik.birth_date != birth_date:
        raise NikError(NikProblem.DATE_MISMATCH)


SHOWN = 4  # digits a masked NIK keeps: the province and regency, the office's own area


def mask(nik: str) -> str:
    """'3572************': how a NIK appears anywhere but where its owner or staff asked for it.

    Only the province and regency are kept: the birth date (and often the sex) is printed
    beside a masked NIK, and it alone rebuilds the six digits of the date. Kept serial digits
    would leave one candidate per kecamatan; with the kecamatan and the serial hidden,
    whatever a page, letter, export or command line shows together leaves 99 x 9,999
    candidates (9,999 to someone who looks up the code of a kecamatan named beside it)."""
    return f"{nik[:SHOWN]}{'*' * (16 - SHOWN)}" if len(nik) == 16 else "*" * len(nik)
