"""How many SMS a text takes, as an Android phone splits it (`SmsMessage.calculateLength`).

A text in the GSM 03.38 default alphabet travels as 7-bit septets: 160 in one SMS, 153 in each
part of a longer one (the user-data header takes the rest). A character of the extension table
(€ [ ] { } ^ ~ | \\ and form feed) costs two septets, an escape and itself, and is never split
across parts. One character outside both tables sends the whole text as UCS-2: 70 UTF-16 code
units in one SMS, 67 per part, where a character beyond the BMP (most emoji) takes two units and
its pair is never split.

Note "é" and "è" are in the default alphabet (Indonesian loanwords "café", Javanese "kéré" stay
GSM-7); "ê", "ě" or the Javanese script are not. National language shift tables (Turkish,
Portuguese, Indian scripts) are off for Indonesian carriers and not modelled.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


class Encoding(enum.StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


@dataclass(frozen=True)
class Segments:
    """A text as the phone sends it: its encoding, its length in septets (GSM-7) or UTF-16
    code units (UCS-2), and how many SMS it takes."""

    encoding: Encoding
    units: int
    count: int


def _is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _units(char: str, encoding: Encoding) -> int:
    if encoding is Encoding.GSM7:
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def _parts(sizes: list[int], per_part: int) -> int:
    """Parts needed when no character may straddle two of them."""
    parts, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return parts


def segments(text: str) -> Segments:
    """The encoding, length and SMS count of `text` (an empty text still takes one SMS)."""
    encoding = Encoding.GSM7 if _is_gsm7(text) else Encoding.UCS2
    sizes = [_units(char, encoding) for char in text]
    units = sum(sizes)
    single, per_part = (
        (GSM7_SINGLE, GSM7_PART) if encoding is Encoding.GSM7 else (UCS2_SINGLE, UCS2_PART)
    )
    count = 1 if units <= single else _parts(sizes, per_part)
    return Segments(encoding, units, count)


def count(text: str) -> int:
    """How many SMS `text` takes."""
    return segments(text).count


def gsm(text: str) -> str:
    """`text` in the GSM alphabet: accents taken off what has no GSM form, the rest '?'."""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        return text
    kept = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            kept.append(char)
            continue
        plain = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in plain if c in GSM7_BASIC)
        kept.append(base or ("'" if char in "’‘" else "-" if char in "–—" else "?"))
    return "".join(kept)


def signed(sender: str, text: str) -> str:
    """`text` as an SMS from `sender`, in the GSM alphabet: an SMS from an office's SIM shows
    only a number, so the sender's name comes first."""
    return gsm(f"{sender}: {text}")
