"""One try at sending an outbox row: what came of it, and when to try again."""

from __future__ import annotations

import random
import warnings
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter

from bot.domain.kinds import OutboxState

MAX_ATTEMPTS = 8
BACKOFF_CAP = timedelta(minutes=10)


@dataclass
class Result:
    row_id: int
    attempt: int
    state: OutboxState
    error: str | None = None
    message_id: int | None = None
    retry_in: float | None = None
    account_id: int | None = None
    unreachable: bool = False
    # The channel's own id of a message it took (a wamid, the SMS gateway's id).
    external_id: str | None = None
    # This rung cannot take the message: it goes down the ladder (bot/services/ladder.py).
    fall: bool = False
    not_a_user: bool = False  # WhatsApp said the number is not one of its users
    closed_window: bool = False  # WhatsApp said the number's 24-hour window is closed


def retry_after_seconds(error: RetryAfter) -> float:
    """retry_after as seconds; PTB 22 warns that it will become a timedelta, so accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        value: Any = error.retry_after
    return float(value.total_seconds() if isinstance(value, timedelta) else value)


def backoff(attempts: int, base: float = 1.0) -> timedelta:
    """Exponential with jitter: 2 s, 4 s, 8 s ... (times `base`) up to ten minutes."""
    seconds = min(BACKOFF_CAP.total_seconds(), base * 2.0**attempts)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))
