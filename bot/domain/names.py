"""Comparing a name as a teen types it with the name on the target list."""

from __future__ import annotations

import unicodedata


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
