"""Names as people type them or an office's list holds them: cleaned of invisible characters,
and a typed name compared with the listed one."""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache


@cache
def invisible() -> re.Pattern[str]:
    """Every Unicode format character (category Cf): the bidi controls (U+202A-202E,
    U+2066-2069, U+200E/200F, U+061C), the zero-width ones (U+200B-200D, U+2060, U+FEFF),
    the soft hyphen and the rest. None belongs in a name: an override turns the letters after
    it around on a staff member's screen, and a zero-width space makes two names that look
    alike differ. Built on first use (a pass over every code point, some 60 ms)."""
    ranges: list[tuple[int, int]] = []
    for point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(point)) != "Cf":
            continue
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1] = (ranges[-1][0], point)
        else:
            ranges.append((point, point))
    # As ranges, not 163 single characters: the class is then checked several times faster.
    return re.compile(
        "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges) + "]"
    )


def clean_name(text: str) -> str:
    """A name as it is kept: without format characters, single spaces, no spaces at the ends."""
    return " ".join(invisible().sub("", text).split())


def name_tokens(name: str) -> tuple[str, ...]:
    """Lower-case words, no accents or punctuation: 'Siti Nur-Aini' -> ('siti', 'nur', 'aini')."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return tuple(letters.split())


def same_person_name(typed: str, listed: str) -> bool:
    """True when every word typed is in the listed name (people drop middle names), the first
    word agrees, and at least two words match when the listed name has two or more."""
    given, known = name_tokens(typed), name_tokens(listed)
    if not given or not known or given[0] != known[0]:
        return False
    if not set(given) <= set(known):
        return False
    return len(set(given)) >= min(2, len(known))
