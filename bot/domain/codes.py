"""Short codes people read aloud or type: no 0/O, 1/I/L to confuse."""

from __future__ import annotations

import os
import random
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8


def new_code(rng: random.Random | None = None) -> str:
    """A fresh 8-character code (cryptographically random unless `rng` is given, for samples)."""
    if rng is not None:
        return "".join(rng.choices(ALPHABET, k=LENGTH))
    # One 64-bit draw written in base 31: 2**64 is ~2e7 times 31**8, so every code is equally
    # likely to within 1e-7, at a tenth of the cost of eight separate draws (a city has 280,000).
    number = secrets.randbits(64)
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters)


# Byte -> letter for bulk codes: the 248 bytes below 8 * 31 map evenly onto the alphabet; the
# other 8 are dropped (rejection sampling), so every letter stays exactly equally likely.
_EVEN = len(ALPHABET) * (256 // len(ALPHABET))
_LETTER_OF_BYTE = bytes(ord(ALPHABET[b % len(ALPHABET)]) for b in range(_EVEN)) + bytes(256 - _EVEN)
_UNEVEN_BYTES = bytes(range(_EVEN, 256))


def new_codes(count: int) -> list[str]:
    """`count` fresh codes, distinct from one another, as random as `new_code`'s, drawn from
    one block of the system's random bytes: an import makes two a row, and one code at a time
    cost more than checking the row they are for."""
    codes: dict[str, None] = {}  # ordered and distinct
    while len(codes) < count:
        missing = count - len(codes)
        # 3% of the bytes are dropped on average; a little over that is asked for at once.
        raw = os.urandom(missing * LENGTH * 17 // 16 + 64)
        letters = raw.translate(_LETTER_OF_BYTE, _UNEVEN_BYTES).decode("ascii")
        ends = range(LENGTH, len(letters) + 1, LENGTH)
        codes.update(dict.fromkeys(letters[end - LENGTH : end] for end in ends))
    return list(codes)[:count]


def looks_like_code(text: str) -> bool:
    """Whether a typed message is a printed code rather than words or a number: eight letters
    and digits as the letter prints them, with a digit in it or typed in capitals (a word like
    "jadwalku" is neither; a NIK or a phone number is all digits and longer)."""
    word = text.strip()
    return (
        len(word) == LENGTH
        and word.isascii()
        and word.isalnum()
        and not word.isdigit()
        and (any(char.isdigit() for char in word) or word.isupper())
    )
