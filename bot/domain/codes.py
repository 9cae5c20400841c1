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
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
