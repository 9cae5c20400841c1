"""How long personal data is kept, and which privacy notice is in force."""

from __future__ import annotations

from datetime import date, timedelta

# Bump when a privacy notice's words change, so that each recorded consent says which one.
NOTICE_VERSION = "2026-12"


def purge_day(election: date, retention_days: int) -> date:
    """The first day personal data may be deleted: `retention_days` after election day."""
    return election + timedelta(days=retention_days)
