"""Translations from the Babel catalogs in messages/, and dates and times as a reader reads them."""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from bot.paths import messages_dir

LANGUAGES = ("id", "en", "jv")

# Indonesia's three civil time zones, by the abbreviation every resident reads on a letter.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

DOMAIN = "messages"
Gettext = Callable[[str], str]

# Each language's own name, shown on the language buttons.
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English", "jv": "Basa Jawa"}

# Indonesians write times with a 24-hour clock; id and jv with a dot (08.00), en with a colon.
_TIME_PATTERNS = {"id": "HH.mm", "jv": "HH.mm", "en": "HH:mm"}
_DATE_PATTERN = "EEEE, d MMMM y"


def N_(message: str) -> str:
    """Mark a module-level string for extraction; translate it where it is shown."""
    return message


class Catalogs:
    """The compiled catalogs, each read from its .po file the first time it is needed (a
    command-line run needs one of the three)."""

    def __init__(self, directory: Path | None = None, default_language: str = "id") -> None:
        self.directory = directory or messages_dir()
        self.default_language = default_language
        self._translations: dict[str, gettext.NullTranslations] = {}

    def _translation(self, language: str) -> gettext.NullTranslations:
        if language not in self._translations:
            self._translations[language] = self._compile(language)
        return self._translations[language]

    def _compile(self, language: str) -> gettext.NullTranslations:
        # Compiling in memory means a fresh checkout or wheel needs no build step for .mo files.
        po_path = self.directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return gettext.GNUTranslations(buffer)

    def language(self, requested: str | None) -> str:
        """The supported language closest to `requested`, else the office default."""
        code = (requested or "").split("-")[0].split("_")[0].lower()
        return code if code in LANGUAGES else self.default_language

    def gettext(self, language: str | None) -> Gettext:
        """The `_` function for one reader's language."""
        return self._translation(self.language(language)).gettext


def zone_abbreviation(zone: ZoneInfo) -> str:
    """WIB, WITA or WIT for the office's zone."""
    return ZONE_ABBREVIATIONS.get(zone.key, zone.key)


# The formats below are pure and Babel's are slow (10-25 µs a call): a page of 2,000 sessions
# asks for the same few days, hours and numbers thousands of times (docs/benchmarks.md, issue 15).
@functools.lru_cache(maxsize=8192)
def format_number(value: int, language: str) -> str:
    """'280.000' in Indonesian, '280,000' in English: the reader's own grouping."""
    return format_decimal(value, locale=language)


def format_share(percent: float, language: str) -> str:
    """A percentage (0–100) with one decimal as the reader's locale writes it: '2,5%'."""
    return format_percent(percent / 100, "#,##0.0%", locale=language)


@functools.lru_cache(maxsize=4096)
def format_day(day: date, language: str) -> str:
    """'Sabtu, 9 November 2024' in the reader's language."""
    return format_date(day, _DATE_PATTERN, locale=language)


def format_dated(day: date, language: str) -> str:
    """'1 Desember 2026': the date a letter is signed on."""
    return format_date(day, "d MMMM y", locale=language)


@functools.lru_cache(maxsize=8192)
def format_clock(moment: datetime, language: str, zone: ZoneInfo) -> str:
    """'08.00' in the office's zone."""
    return format_datetime(moment, _TIME_PATTERNS[language], tzinfo=zone, locale=language)


def format_hours(start: datetime, end: datetime, language: str, zone: ZoneInfo) -> str:
    """'08.00–11.00 WIB': a session's hours in the office's zone."""
    opens, closes = format_clock(start, language, zone), format_clock(end, language, zone)
    return f"{opens}–{closes} {zone_abbreviation(zone)}"


def format_when(moment: datetime, language: str, zone: ZoneInfo) -> str:
    """'Sabtu, 9 November 2024, 08.00 WIB': an instant as a reader in the office reads it."""
    local = moment.astimezone(zone)
    day, clock = format_day(local.date(), language), format_clock(moment, language, zone)
    return f"{day}, {clock} {zone_abbreviation(zone)}"


SERVICE_LABELS = {
    "rekam": N_("perekaman KTP-el"),
    "cetak": N_("pencetakan KTP-el"),
    "ikd": N_("aktivasi IKD (KTP digital)"),
}
DEFAULT_SERVICE = SERVICE_LABELS["rekam"]


def service_names(services: Iterable[str], _: Gettext) -> str:
    """'perekaman KTP-el, pencetakan KTP-el' for a session's services (recording if none)."""
    names = [_(SERVICE_LABELS.get(service, service)) for service in services]
    return ", ".join(names) or _(DEFAULT_SERVICE)
