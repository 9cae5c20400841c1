"""How many SMS a text takes: GSM-7 160/153 with the extension table counting double, else
UCS-2 70/67, no character split across parts (Android's SmsMessage.calculateLength)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.sms.segments import GSM7_BASIC, GSM7_EXTENSION, Encoding, count, segments


def test_160_gsm_characters_take_one_sms_and_161_take_two() -> None:
    assert count("a" * 160) == 1
    assert count("a" * 161) == 2
    assert count("a" * 306) == 2  # 2 x 153
    assert count("a" * 307) == 3


def test_the_euro_sign_counts_double() -> None:
    assert segments("€").units == 2
    assert count("€" * 80) == 1
    assert count("€" * 81) == 2
    assert segments("Biaya €5 [gratis]").encoding is Encoding.GSM7


def test_an_extension_character_is_never_split_across_parts() -> None:
    # 152 plain septets leave one septet in the first part: the € starts the second.
    assert count("a" * 152 + "€" + "a" * 152) == 3
    assert count("a" * 151 + "€" + "a" * 153) == 2


def test_one_emoji_switches_to_ucs2() -> None:
    text = "Jadwal rekam KTP besok 🙂"
    assert segments(text).encoding is Encoding.UCS2
    assert count("a" * 69 + "🙂") == 2  # the emoji is two UTF-16 units: 71 > 70
    assert count("a" * 68 + "🙂") == 1


def test_ucs2_takes_70_in_one_sms_and_67_per_part() -> None:
    assert count("ê" * 70) == 1
    assert count("ê" * 71) == 2
    assert count("ê" * 134) == 2
    assert count("ê" * 135) == 3


def test_a_surrogate_pair_is_never_split() -> None:
    assert count("ê" * 66 + "🙂" + "ê" * 66) == 3


def test_e_acute_is_gsm7_but_e_circumflex_and_javanese_script_are_not() -> None:
    # "é" and "è" are in the GSM default alphabet; Sundanese/Javanese Latin "ê" is not,
    # nor is the Javanese script.
    assert segments("Kéré lan sugih, kabèh kudu rekam KTP").encoding is Encoding.GSM7
    assert segments("Sêrat undangan").encoding is Encoding.UCS2
    assert segments("ꦲꦏ꧀ꦱꦫꦗꦮ").encoding is Encoding.UCS2


def test_an_empty_text_still_takes_one_sms() -> None:
    assert count("") == 1


@given(st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=600))
def test_gsm7_counts_follow_the_sizes(text: str) -> None:
    units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
    result = segments(text)
    assert result.units == units
    if units <= 160:
        assert result.count == 1
    else:
        assert -(-units // 153) <= result.count <= -(-units // 152)
