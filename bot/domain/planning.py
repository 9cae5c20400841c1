"""By-name summons planning: which session each teen is called to. Pure and deterministic:
the same teens and sessions always give the same plan.

Each teen is offered, in order, the places nearest to their life: their own school's visit (or
their pesantren's or prison's: closed venues, bot.domain.venues, are never anyone else's), a
place in their kelurahan, a place in their kecamatan, then a place that serves the whole city
(the Dinas office, the MPP). Within each, the soonest session with a free seat. A teen who
can only come on weekends (or only on weekdays) is only given such days, and is planned before
the teens who can come any day, so those do not take the scarce weekend seats first. Within
each group teens are planned in the order given (the service gives the oldest first).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Teen:
    id: int
    region_id: int | None
    kecamatan: str | None
    school_id: int | None
    days: str  # "any", "weekday", "weekend", "school"
    # The closed venues the teen belongs to (bot.domain.venues.person_keys); without it, their
    # school's visits.
    belongs: frozenset[Hashable] = frozenset()

    def venue_keys(self) -> list[Hashable]:
        own = set(self.belongs)
        if self.school_id is not None:
            own.add(("school", self.school_id))
        return sorted(own, key=repr)  # any fixed order: the plan must be deterministic


@dataclass(frozen=True)
class Slot:
    """An open session before election day, as the planner sees it."""

    id: int
    weekend: bool
    region_id: int | None
    kecamatan: str | None
    school_id: int | None  # a school's visit: for that school's students only
    free: int
    # A closed venue's keys (bot.domain.venues.venue_keys): only teens holding one may come;
    # None: open, unless it is a school's visit.
    closed: frozenset[Hashable] | None = None

    def venue_keys(self) -> frozenset[Hashable] | None:
        if self.closed is not None:
            return self.closed
        return frozenset({("school", self.school_id)}) if self.school_id is not None else None


@dataclass
class Plan:
    placed: dict[int, int] = field(default_factory=dict)  # teen id -> session id
    unplaced: list[int] = field(default_factory=list)
    # (kecamatan, region id) of the unplaced, for the office's shortage lines.
    shortage: Counter[tuple[str | None, int | None]] = field(default_factory=Counter)


class _Queue:
    """Sessions of one kind (in start order) with a cursor past the full ones: seats are only
    ever taken, so the cursor never goes back."""

    __slots__ = ("cursor", "slots")

    def __init__(self) -> None:
        self.slots: list[int] = []
        self.cursor = 0


def _days_fit(days: str, weekend: bool) -> bool:
    return days not in ("weekday", "weekend") or (days == "weekend") == weekend


def plan(teens: Sequence[Teen], slots: Sequence[Slot]) -> Plan:
    """Place every teen it can; `slots` must be in start order (ties by id) and `teens` in the
    order they are to be served."""
    free = {slot.id: slot.free for slot in slots}
    queues: dict[Hashable, _Queue] = {}

    def queue(key: Hashable) -> _Queue:
        if key not in queues:
            queues[key] = _Queue()
        return queues[key]

    for slot in slots:
        for days in ("any", "weekday", "weekend"):
            if not _days_fit(days, slot.weekend):
                continue
            closed = slot.venue_keys()
            if closed is not None:  # a closed venue: never anyone else's kelurahan or city
                for key in sorted(closed, key=repr):
                    queue(("closed", key, days)).slots.append(slot.id)
                continue
            if slot.region_id is not None:
                queue(("kelurahan", slot.region_id, days)).slots.append(slot.id)
            if slot.kecamatan is not None:
                queue(("kecamatan", slot.kecamatan, days)).slots.append(slot.id)
            else:
                queue(("city", None, days)).slots.append(slot.id)
            queue(("anywhere", None, days)).slots.append(slot.id)

    def take(key: Hashable) -> int | None:
        found = queues.get(key)
        if found is None:
            return None
        while found.cursor < len(found.slots):
            slot_id = found.slots[found.cursor]
            if free[slot_id] > 0:
                free[slot_id] -= 1
                return slot_id
            found.cursor += 1
        return None

    result = Plan()
    restricted = [t for t in teens if t.days in ("weekday", "weekend")]
    flexible = [t for t in teens if t.days not in ("weekday", "weekend")]
    for teen in restricted + flexible:
        days = teen.days if teen.days in ("weekday", "weekend") else "any"
        keys: list[Hashable] = []
        keys += [("closed", key, days) for key in teen.venue_keys()]
        if teen.region_id is None and teen.kecamatan is None:
            keys.append(("anywhere", None, days))  # where they live is not known
        else:
            keys += [
                ("kelurahan", teen.region_id, days),
                ("kecamatan", teen.kecamatan, days),
                ("city", None, days),
            ]
        for key in keys:
            slot_id = take(key)
            if slot_id is not None:
                result.placed[teen.id] = slot_id
                break
        else:
            result.unplaced.append(teen.id)
            result.shortage[(teen.kecamatan, teen.region_id)] += 1
    return result
