"""Who a session is for, and who may record at it. Pure.

Closed venues: a school's visit is for its own students, a pesantren's or a prison's for the
people on the list imported for it, a home visit for the one teen it was made for (so nothing
here offers it to anyone). Open venues (the Dinas, kecamatan offices, the MPP, car-free-day
stands, ...) are for everyone.

The model, kept as simple as the data allows: a venue and a person each carry a set of keys,
and a closed venue admits a person when the sets meet.
- A school's place (or any open-kind place tied to a school, as sessions imported before kinds
  were) has the key ("school", its school id); every target of that school carries it.
- A pesantren or prison is known by name: its keys are ("institution", name) for the place's
  name and its school's name. A target imported with an `institution` (lembaga) carries
  ("institution", that name); names match ignoring case and runs of spaces. A target with no
  institution carries ("pupil", school id), which a pesantren or prison tied to that school
  also carries: its pupils need not be listed twice.
- A home visit has no key at all.

Recording needs a session that offers "rekam" and a teen aged 16 on the session's date;
printing and IKD (17) are never what an unrecorded teen is called for, so the planner, /ganti
and the waiting list ask only for recording.
"""

from __future__ import annotations

from datetime import date

from bot.domain.eligibility import RECORDING_AGE, add_years
from bot.domain.kinds import PlaceKind

# What a home visit's place is called: never the teen's name (a place outlives an erased
# account); its address is where staff go.
HOME_PLACE = "Rumah"

RECORD = "rekam"
Key = tuple[str, int | str]
Keys = frozenset[Key]


def name_key(name: str | None) -> str | None:
    """A name as venues are matched by it: case and runs of spaces do not count."""
    folded = " ".join((name or "").split()).casefold()
    return folded or None


def venue_keys(kind: PlaceKind, school_id: int | None, *names: str | None) -> Keys | None:
    """The people a place is for: None when it is open to everyone; an empty set when no
    planner, /ganti or waiting-list offer may send anyone there (a home visit)."""
    if kind == PlaceKind.HOME:
        return frozenset()
    if kind in (PlaceKind.PESANTREN, PlaceKind.PRISON):
        keys: set[Key] = {("institution", k) for n in names if (k := name_key(n))}
        if school_id is not None:
            keys.add(("pupil", school_id))
        return frozenset(keys)
    if school_id is not None:
        return frozenset({("school", school_id)})
    return frozenset() if kind == PlaceKind.SCHOOL else None


def person_keys(school_id: int | None, institution: str | None) -> Keys:
    """The closed venues a target belongs to (see the module docstring)."""
    keys: set[Key] = set()
    institution_key = name_key(institution)
    if school_id is not None:
        keys.add(("school", school_id))
        if institution_key is None:
            keys.add(("pupil", school_id))
    if institution_key is not None:
        keys.add(("institution", institution_key))
    return frozenset(keys)


def admits(venue: Keys | None, person: Keys) -> bool:
    return venue is None or bool(venue & person)


def may_record_at(born: date, day: date, services: tuple[str, ...] | list[str]) -> bool:
    """A session on `day` records this teen: it offers recording and they are 16 by then."""
    return RECORD in services and add_years(born, RECORDING_AGE) <= day
