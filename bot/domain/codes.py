"""Short codes people read aloud or type: no 0/O, 1/I/L to confuse."""

from __future__ import annotations

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


def looks_like_code(text: str) -> bool:
    """Whether a typed message is a printed code rather than words: one run of 6 to 16 letters
    and digits (as an invitation link carries) with a digit in it, or typed in capitals as
    printed (a word like "jadwalku" is neither)."""
    word = text.strip()
    return (
        6 <= len(word) <= 16
        and word.isascii()
        and word.isalnum()
        and (any(char.isdigit() for char in word) or word.isupper())
    )
