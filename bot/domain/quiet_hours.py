"""Quiet hours (QUIET_HOURS, office time): the hours in which only urgent messages go out."""

from __future__ import annotations


def parse(text: str) -> tuple[int, int] | None:
    """ "21-06" as (21, 6); blank as None (no quiet hours); ValueError for anything else."""
    if not text.strip():
        return None
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() and int(p) < 24 for p in parts):
        raise ValueError(text)
    return int(parts[0]), int(parts[1])


def quiet(hours: tuple[int, int] | None, hour: int) -> bool:
    """Whether `hour` (0-23) falls in `hours`, which may run past midnight (21-06)."""
    if hours is None:
        return False
    start, end = hours
    return start <= hour or hour < end if start > end else start <= hour < end
