"""Phone numbers as offices write them (bot/domain/phones.py): one E.164 form whatever the
spelling, and a reason a clerk can act on for what no channel can reach. The numbers are made
up: an operator prefix and digits, never someone's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.phones import PhoneError, PhoneProblem, masked, normalise

# Indonesian mobile prefixes (Telkomsel, Indosat, XL, Tri, Smartfren) and made-up subscribers.
PREFIXES = ("812", "813", "821", "852", "857", "878", "896", "881")
subscribers = st.text(alphabet="0123456789", min_size=8, max_size=8)


def spellings(prefix: str, rest: str) -> list[str]:
    """One number as clerks type it."""
    a, b = rest[:4], rest[4:]
    return [
        f"0{prefix}{rest}",
        f"0{prefix}-{a}-{b}",
        f"0{prefix} {a} {b}",
        f"+62 {prefix} {a} {b}",
        f"+62{prefix}{rest}",
        f"62{prefix}{rest}",
        f"(0{prefix}) {a}.{b}",
        f" 0{prefix}\u00a0{a}\u00a0{b} ",
    ]


@given(st.sampled_from(PREFIXES), subscribers)
def test_every_spelling_of_a_mobile_number_is_one_number(prefix: str, rest: str) -> None:
    assert {normalise(text) for text in spellings(prefix, rest)} == {f"+62{prefix}{rest}"}


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", PhoneProblem.UNREADABLE),
        ("bukan nomor", PhoneProblem.UNREADABLE),
        ("81234567890", PhoneProblem.UNREADABLE),  # no 0, no country: which number is it?
        ("0812-３４５６-7890", PhoneProblem.UNREADABLE),  # full-width digits from a word processor
        ("0812", PhoneProblem.UNREADABLE),  # too short to be anything
        ("08123", PhoneProblem.UNREADABLE),
        ("0812345", PhoneProblem.INVALID),  # digits, but no such number
        ("081234567890123", PhoneProblem.INVALID),
        ("021-765-4321", PhoneProblem.NOT_MOBILE),  # a Jakarta landline: no WhatsApp, no SMS
        ("+62 21 7654321", PhoneProblem.NOT_MOBILE),
    ],
)
def test_what_no_channel_can_reach_is_refused_saying_why(typed: str, problem: str) -> None:
    with pytest.raises(PhoneError) as refused:
        normalise(typed)
    assert refused.value.problem == problem


def test_a_number_abroad_is_kept_in_its_own_country() -> None:
    assert normalise("+60 12-345 6789") == "+60123456789"  # a Malaysian mobile


def test_a_masked_number_keeps_the_operator_and_the_last_digits_only() -> None:
    assert masked("+6281234567890") == "+62 812 ***** 890"


@given(
    st.sampled_from(["0", "+62", "62"]),
    st.text(alphabet="0123456789", min_size=4, max_size=14),
)
def test_the_shortcut_answers_as_phonenumbers_does(lead: str, digits: str) -> None:
    """normalise remembers an Indonesian number's shape; each number still gets the answer
    phonenumbers itself gives it, the first of its shape or the thousandth."""
    from bot.domain import phones

    text = lead + digits
    try:
        expected: str | PhoneProblem = phones._normalise(phones._written(text))
    except PhoneError as error:
        expected = error.problem
    for _ in range(2):  # the first asks phonenumbers; the second reads what was remembered
        try:
            got: str | PhoneProblem = normalise(text)
        except PhoneError as error:
            got = error.problem
        assert got == expected
