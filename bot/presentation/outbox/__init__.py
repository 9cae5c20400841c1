"""Outbox rows become messages when they are sent, not when they are queued: the reader's
language and the summons' state are those of the moment of sending.

A small pure function per `Kind`, registered with `@renders` (or `@renders_summons`, for a kind
about one summons at one session) with the values it needs (`registry.py`); the kinds about no
summons are in `notices.py`, those about one summons in `about_summons.py`. `bot/delivery/reads.py`
loads the values and calls them. Adding a kind is one function; tests/test_outbox_kinds.py fails
while any kind has none.
"""

from bot.presentation.outbox import about_summons, notices
from bot.presentation.outbox.notices import broadcast_text
from bot.presentation.outbox.registry import (
    RENDERERS,
    Draft,
    Facts,
    KindRenderer,
    Need,
    Outgoing,
    Text,
    Venue,
)

__all__ = [
    "RENDERERS",
    "Draft",
    "Facts",
    "KindRenderer",
    "Need",
    "Outgoing",
    "Text",
    "Venue",
    "about_summons",
    "broadcast_text",
    "notices",
]
