"""Callback data: every feature's codec writes what it reads back, within Telegram's 64 bytes,
claims nothing another feature wrote, and reads nothing it never wrote (bot/presentation/buttons.py, bot/presentation/codec.py)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.presentation import buttons
from bot.presentation.buttons import CODECS
from bot.presentation.codec import LIMIT, Codec

SHAPES = [(codec, kind) for codec in CODECS for kind in codec.kinds]


def _values(hint: Any) -> st.SearchStrategy[Any]:
    if hint is int:
        return st.integers(0, 999_999_999)
    if get_origin(hint) is Literal:
        return st.sampled_from(get_args(hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return st.sampled_from(list(hint))
    assert get_origin(hint) is Annotated
    return st.from_regex(get_args(hint)[1], fullmatch=True)


def _buttons_of(kind: type[Any]) -> st.SearchStrategy[Any]:
    hints = get_type_hints(kind, include_extras=True)
    return st.builds(kind, **{f.name: _values(hints[f.name]) for f in fields(kind)})


@pytest.mark.parametrize(("codec", "kind"), SHAPES, ids=[k.__name__ for _c, k in SHAPES])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_every_button_round_trips_within_64_bytes_and_no_other_feature_claims_it(
    codec: Codec[Any], kind: type[Any], data: st.DataObject
) -> None:
    value = data.draw(_buttons_of(kind))
    encoded = codec.encode(value)
    assert len(encoded.encode()) <= LIMIT
    assert codec.decode(encoded) == value
    assert [other for other in CODECS if other is not codec and other.decode(encoded)] == []


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "sm:9999999999:0:ok",  # an id longer than any we write
        "sm:1:0:zz",  # no such answer
        "sm:1:0:no.bribe",
        "sm:1:0:to.",
        "sm:-1:0:ok",
        "pa:rm:abc",
        "pa:rm:1:2",
        "lang:xx",
        "role:admin",
        "st:root",
        "dk:nr:1:bribe",
        "dk:x:1",
        "bc:z:1",
        "bc:pick:everyone",
        "ss:cxok:",
        "kr:done:1:maybe",
        "at:ok:a-b",
        "fig:province",
        "wl:1",
        "erase:YES",
        "SM:1:0:OK",
        " sm:1:0:ok",
        "sm:1:0:ok\n",
        "x" * 65,
        "sm:1:0:ok" + "0" * 60,
    ],
)
def test_forged_and_garbage_payloads_decode_to_nothing(forged: object) -> None:
    assert [codec for codec in CODECS if codec.decode(forged) is not None] == []


@settings(deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_either_unread_or_read_as_a_button_that_writes_back_the_same(
    text: str,
) -> None:
    for codec in CODECS:
        value = codec.decode(text)
        if value is not None:
            assert codec.decode(codec.encode(value)) == value


@dataclass(frozen=True)
class _Long:
    text: Annotated[str, r"[a-z]{1,100}"]


def test_a_button_longer_than_telegram_keeps_is_refused_when_written() -> None:
    codec: Codec[_Long] = Codec(("long:{text}", _Long))
    assert codec.decode(codec.encode(_Long("a" * 59))) == _Long("a" * 59)  # 64 bytes exactly
    with pytest.raises(ValueError):
        codec.encode(_Long("a" * 60))
    assert codec.decode("long:" + "a" * 60) is None


def test_a_handler_pattern_accepts_only_its_own_kinds_and_values() -> None:
    apply = buttons.SESSIONS.pattern(buttons.ApplyMove, buttons.DropChange)
    assert apply("ss:mvok") and apply("ss:drop")
    assert not apply("ss:cxok:4") and not apply("ss:mvok:1") and not apply(None)
    desk = buttons.STAFF_MENU.pattern(buttons.MenuItem("desk"))
    assert desk("st:desk") and not desk("st:today")
