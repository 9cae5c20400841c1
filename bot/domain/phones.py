"""Phone numbers as an office writes them (issue 24: the WhatsApp and SMS channels), read into
one form, E.164 ("+6281234567890"), or refused with the reason a clerk can act on.

Indonesian lists write a mobile number many ways: 0812-3456-7890, 0812 3456 7890, +62 812…,
62812… (the country code without its plus), sometimes with a dot or brackets. A number the
channels cannot reach (a landline: no WhatsApp, no SMS) is refused here, not at sending time.
"""

from __future__ import annotations

import enum
import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

REGION = "ID"  # the office's country: a number written from 0 is Indonesian
_MARKS = re.compile(r"[\s\-.()/\u00a0]")  # what people put between the digits
_REACHABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


class PhoneProblem(enum.StrEnum):
    UNREADABLE = "unreadable"  # not digits (after the marks), or no country and no leading 0
    INVALID = "invalid"  # digits, but no number that exists (too short, too long, no such range)
    NOT_MOBILE = "not_mobile"  # a landline or a service number: neither WhatsApp nor SMS


class PhoneError(ValueError):
    def __init__(self, problem: PhoneProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _written(text: str) -> str:
    """The number as phonenumbers should read it: a leading '62' without its plus gets one."""
    squashed = _MARKS.sub("", text.strip())
    if squashed.startswith("+"):
        digits = squashed[1:]
    else:
        digits = squashed
        if digits.startswith("62"):
            squashed = "+" + digits
        elif not digits.startswith("0"):
            raise PhoneError(PhoneProblem.UNREADABLE)  # '812…': whose country, which prefix?
    if not digits.isascii() or not digits.isdigit() or not 6 <= len(digits) <= 15:
        raise PhoneError(PhoneProblem.UNREADABLE)
    return squashed


# What phonenumbers answered for an Indonesian number's shape: its first digits and its
# length. Indonesia's number patterns (phonenumbers' metadata for ID) fix at most the first five
# national digits and then allow any digits for a range of lengths (mobile: 8[1-35-9]\d{7,10}),
# so numbers of one shape are all valid or all not, of one type. A list of a city's teens
# repeats a few hundred shapes; phonenumbers takes about 50 µs a number (14 s on a 280,000-row
# list with two numbers a row), a dictionary hit well under a microsecond. tests/test_phones.py
# holds the shortcut to phonenumbers' own answer. None: the shape is a mobile's.
_SHAPE_DIGITS = 6
_SHAPES: dict[tuple[str, int], PhoneProblem | None] = {}
_SHAPES_KEPT = 100_000


def normalise(text: str) -> str:
    """A mobile number in E.164 ('+6281234567890'), or PhoneError saying why not."""
    written = _written(text)
    indonesian = written.startswith(("+62", "0"))
    national = written[3:] if written.startswith("+62") else written[1:]
    if not indonesian or national.startswith("0"):  # abroad, or "+62 0812…": ask each time
        return _normalise(written)
    shape = (national[:_SHAPE_DIGITS], len(national))
    if shape in _SHAPES:
        problem = _SHAPES[shape]
        if problem is not None:
            raise PhoneError(problem)
        return "+62" + national
    try:
        e164 = _normalise(written)
    except PhoneError as error:
        _remember(shape, error.problem)
        raise
    if e164 == "+62" + national:  # (always, for a valid Indonesian number)
        _remember(shape, None)
    return e164


def _remember(shape: tuple[str, int], problem: PhoneProblem | None) -> None:
    if len(_SHAPES) >= _SHAPES_KEPT:
        _SHAPES.clear()
    _SHAPES[shape] = problem


def _normalise(written: str) -> str:
    """phonenumbers' own answer for a number as `_written` gives it."""
    try:
        number = phonenumbers.parse(written, REGION)
    except NumberParseException:
        raise PhoneError(PhoneProblem.UNREADABLE) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(PhoneProblem.INVALID)
    if phonenumbers.number_type(number) not in _REACHABLE:
        raise PhoneError(PhoneProblem.NOT_MOBILE)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def masked(e164: str) -> str:
    """A number as a list or a log may show it: country and operator prefix, and the last
    three digits ('+62 812 ****** 890')."""
    digits = e164.removeprefix("+")
    country = "62" if digits.startswith("62") else digits[:2]
    rest = digits[len(country) :]
    return f"+{country} {rest[:3]} {'*' * max(len(rest) - 6, 0)} {rest[-3:]}"
