"""The office's vocabulary: roles, states, kinds and channels, as values every floor may use
(handlers, presentation and services alike); the database stores them by their string value."""

from __future__ import annotations

import enum


class TargetSource(enum.StrEnum):
    IMPORTED = "imported"
    SELF_REGISTERED = "self_registered"


class TargetReview(enum.StrEnum):
    ACCEPTED = "accepted"
    PENDING = "pending"
    REJECTED = "rejected"


class PreferredDays(enum.StrEnum):
    ANY = "any"
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    SCHOOL = "school"


class Role(enum.StrEnum):
    NONE = "none"
    TEEN = "teen"
    PARENT = "parent"


class LinkState(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REMOVED = "removed"


class LinkMethod(enum.StrEnum):
    CODE = "code"  # the code the teen's /kode gives
    LETTER = "letter"  # the printed letter's code, while no teen account holds the record
    NIK = "nik"


class PlaceKind(enum.StrEnum):
    OFFICE = "office"
    KECAMATAN = "kecamatan"
    MPP = "mpp"
    SCHOOL = "school"
    PESANTREN = "pesantren"
    PRISON = "prison"
    CAR_FREE_DAY = "car_free_day"
    HOME = "home"
    OTHER = "other"


# What offices write in a sessions file's `jenis` column. Village and kelurahan halls, halls,
# sports halls (GOR) and posyandu have no kind of their own: like any place open to everyone
# that is not an office, a kecamatan office, an MPP or a car-free day, they are OTHER
# (bot/domain/venues.py: only schools, pesantren, prisons and homes are closed).
PLACE_KIND_WORDS: dict[str, PlaceKind] = {
    "kantor": PlaceKind.OFFICE,
    "dinas": PlaceKind.OFFICE,
    "disdukcapil": PlaceKind.OFFICE,
    "dukcapil": PlaceKind.OFFICE,
    "office": PlaceKind.OFFICE,
    "kecamatan": PlaceKind.KECAMATAN,
    "kantor kecamatan": PlaceKind.KECAMATAN,
    "mpp": PlaceKind.MPP,
    "mal pelayanan publik": PlaceKind.MPP,
    "sekolah": PlaceKind.SCHOOL,
    "madrasah": PlaceKind.SCHOOL,
    "school": PlaceKind.SCHOOL,
    "pesantren": PlaceKind.PESANTREN,
    "pondok pesantren": PlaceKind.PESANTREN,
    "ponpes": PlaceKind.PESANTREN,
    "lapas": PlaceKind.PRISON,
    "rutan": PlaceKind.PRISON,
    "lembaga pemasyarakatan": PlaceKind.PRISON,
    "prison": PlaceKind.PRISON,
    "cfd": PlaceKind.CAR_FREE_DAY,
    "car free day": PlaceKind.CAR_FREE_DAY,
    "rumah": PlaceKind.HOME,
    "kunjungan rumah": PlaceKind.HOME,
    "home": PlaceKind.HOME,
    "balai desa": PlaceKind.OTHER,
    "balai kelurahan": PlaceKind.OTHER,
    "kantor desa": PlaceKind.OTHER,
    "kantor kelurahan": PlaceKind.OTHER,
    "kelurahan": PlaceKind.OTHER,
    "desa": PlaceKind.OTHER,
    "aula": PlaceKind.OTHER,
    "gor": PlaceKind.OTHER,
    "gedung olahraga": PlaceKind.OTHER,
    "posyandu": PlaceKind.OTHER,
    "lain": PlaceKind.OTHER,
    "lainnya": PlaceKind.OTHER,
    "other": PlaceKind.OTHER,
    # The kinds by their own values, as an export of ours writes them.
    **{kind.value: kind for kind in PlaceKind},
}
# The words an error lists when a `jenis` is none of them (one or two per kind, in Indonesian).
PLACE_KINDS_SHOWN = (
    "kantor",
    "kecamatan",
    "mpp",
    "sekolah",
    "pesantren",
    "lapas",
    "rutan",
    "cfd",
    "rumah",
    "balai desa",
    "balai kelurahan",
    "aula",
    "gor",
    "posyandu",
    "lainnya",
)


def _compact(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_PLACE_KINDS_COMPACT = {_compact(word): kind for word, kind in PLACE_KIND_WORDS.items()}


def place_kind(text: object) -> PlaceKind | None:
    """The kind a `jenis` cell names, whatever its case, spaces, dots, hyphens or underscores
    ("Balai Desa", "balai_desa", "GOR"); None when it names none."""
    return _PLACE_KINDS_COMPACT.get(_compact(str(text or "")))


class SessionState(enum.StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class SummonsState(enum.StrEnum):
    SUMMONED = "summoned"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    MOVED = "moved"
    HOME_VISIT = "home_visit"
    ATTENDED = "attended"  # came to this session (recorded there only if the target is)
    RECORDED = "recorded"  # recorded elsewhere (another desk, the office's own records)
    NO_SHOW = "no_show"
    # Came to the desk but could not be recorded there (documents, a device fault): like a
    # no-show the teen may only move on to a later session, but they did come.
    UNRECORDED = "unrecorded"
    UNREACHABLE = "unreachable"


class Actor(enum.StrEnum):
    TEEN = "teen"
    PARENT = "parent"
    STAFF = "staff"
    SYSTEM = "system"


class Channel(enum.StrEnum):
    TELEGRAM = "telegram"
    CLI = "cli"
    SYSTEM = "system"
    WEB = "web"
    WHATSAPP = "whatsapp"
    SMS = "sms"


class ContactOf(enum.StrEnum):
    """Whose a phone number on a teen's record is: hers, or a parent's or guardian's."""

    TEEN = "teen"
    GUARDIAN = "guardian"


class ContactSource(enum.StrEnum):
    """Where a number on a record came from: the target list, staff (desk, person page,
    `rekam person`), or the teen's own Telegram account (the 📱 button)."""

    LIST = "list"
    STAFF = "staff"
    TELEGRAM = "telegram"


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    CANCELLED = "cancelled"


class Audience(enum.StrEnum):
    SESSION = "session"
    KELURAHAN = "kelurahan"
    SCHOOL = "school"
    ALL_PENDING = "all_pending"


class Answer(enum.StrEnum):
    """What a teen (or their parent) answers to a summons."""

    CONFIRM = "confirm"
    DECLINE = "decline"
    HOME_VISIT = "home_visit"
    MOVE = "move"


class ClaimState(enum.StrEnum):
    """A /daftar registration waiting for staff: it never links a record by itself."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class HomeVisitState(enum.StrEnum):
    """A teen's request that staff come to their home: waiting in the queue, given a home
    session, or recorded there. A visit that found nobody (or could not record) goes back to
    REQUESTED: the queue is what is still owed."""

    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    DONE = "done"
