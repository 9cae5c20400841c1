"""What staff type or pick in the dashboard's forms, read before any service runs: ids from a
path or a checkbox, a number of seats, and a day with its hours in the office's zone. A value
that is not one gives None (an id, a count) or the one message that says what is wrong (a time),
so a forged or mistyped form is answered, never a crash, and the database is never asked about
an id it could not hold."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request

from bot.domain.dates import DateError, DateProblem, parse_day_and_hours
from bot.i18n import N_, Gettext
from bot.services import schedule
from bot.services.outbox import Reach
from bot.services.web_access import Viewer
from bot.web.context import services_of

# Nine digits fit every id column on SQLite and PostgreSQL alike.
_ID = re.compile(r"[0-9]{1,9}")
_COUNT = re.compile(r"[0-9]{1,6}")
MOST_SEATS = schedule.MOST_SEATS  # the service refuses more anyway

COUNT_PROBLEM = N_("Jumlah tempat harus angka 1 sampai 100.000.")
UNREADABLE = N_(
    "Tanggal atau jam tidak terbaca. Pilih tanggal, lalu jam mulai dan jam selesai "
    "(misalnya 08.00 dan 11.00)."
)
_WHEN_PROBLEMS = {
    DateProblem.PAST: N_("Tanggal itu sudah lewat. Pilih hari ini atau sesudahnya."),
    DateProblem.BAD_HOURS: N_("Jam selesai harus sesudah jam mulai."),
}


@dataclass(frozen=True)
class Hours:
    starts_at: datetime
    ends_at: datetime


def an_id(value: object) -> int | None:
    """A database id as a path or a form carries it, or None for anything else."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def ids(values: Sequence[object]) -> list[int] | None:
    """Every id of a multi-valued field (checkboxes), or None when any is not one."""
    found = [an_id(value) for value in values]
    return None if any(i is None for i in found) else [i for i in found if i is not None]


def seats(value: object) -> int | None:
    """A number of seats, 1 to MOST_SEATS, typed as plain digits."""
    if isinstance(value, str) and _COUNT.fullmatch(value.strip()):
        number = int(value.strip())
        return number if 0 < number <= MOST_SEATS else None
    return None


def hours(
    day: object,
    start: object,
    end: object,
    *,
    today: date,
    zone: ZoneInfo,
) -> Hours | str:
    """A day (picked, or typed as the bot reads it: 30-11-2026, 2026-11-30, 30 November 2026)
    and its hours (08:00 or 08.00), in the office's zone; or the message saying what is
    unreadable. Whether a session or a visit may be held then is the service's to say."""
    if not all(isinstance(part, str) and part.strip() for part in (day, start, end)):
        return UNREADABLE
    try:
        on, opens, closes, rest = parse_day_and_hours(
            f"{str(day).strip()} {str(start).strip()}-{str(end).strip()}", today=today
        )
    except DateError as error:
        return _WHEN_PROBLEMS.get(error.problem, UNREADABLE)
    if rest:
        return UNREADABLE
    starts_at = datetime.combine(on, opens, tzinfo=zone)
    ends_at = datetime.combine(on, closes, tzinfo=zone)
    return Hours(starts_at, ends_at)


def words(request: Request, viewer: Viewer) -> tuple[Gettext, str]:
    """The viewer's gettext and language, for texts built in Python (shared presentation)."""
    web = services_of(request)
    language = web.catalogs.language(viewer.language)
    return web.catalogs.gettext(language), language


@dataclass(frozen=True)
class Flash:
    """The line above a page after an action: what was done, or (problem) what was not."""

    text: str
    problem: bool = False


def flash(request: Request, viewer: Viewer, text: str, *, problem: bool, **values: Any) -> Flash:
    """`text` (a catalog message) in the viewer's language, its {fields} filled in."""
    _, _language = words(request, viewer)
    return Flash(_(text).format(**values), problem=problem)


def seal(viewer: Viewer, *said: object) -> str:
    """What an action's redirect says it did, signed with the viewer's form token: a page
    shows an outcome only from the address that action made, never one typed or changed."""
    text = ":".join(str(part) for part in said).encode()
    return hmac.new(viewer.csrf.encode(), text, hashlib.sha256).hexdigest()[:24]


def sealed(viewer: Viewer, sent: object, *said: object) -> bool:
    """Whether `sent` is the seal of `said` for this viewer."""
    return isinstance(sent, str) and hmac.compare_digest(sent, seal(viewer, *said))


_REACH = re.compile(r"([0-9]{1,6})\.([0-9]{1,6})\.([0-9]{1,6})\.([0-9]{1,6})\.([0-9]{1,6})")


def told(viewer: Viewer, said: str, reach: Reach) -> str:
    """A redirect's query after an action that tells teens: what was done (`said`) and who
    the service told, sealed."""
    kabar = f"{reach.teens}.{reach.own_chat}.{reach.guardians}.{reach.untold}.{reach.by_phone}"
    return urlencode({"ok": said, "kabar": kabar, "tanda": seal(viewer, said, kabar)})


def told_of(request: Request, viewer: Viewer) -> Reach | None:
    """Who the redirect's action told, if its address is the one `told` made."""
    said = request.query_params.get("ok", "")
    kabar = request.query_params.get("kabar", "")
    found = _REACH.fullmatch(kabar)
    if found is None or not sealed(viewer, request.query_params.get("tanda"), said, kabar):
        return None
    teens, own_chat, guardians, untold, by_phone = (int(n) for n in found.groups())
    return Reach(teens, own_chat, guardians, untold, by_phone=by_phone)
