"""Dates, hours and catalogs as each reader reads them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bot
from bot import catalogs
from bot.i18n import Catalogs, format_hours, format_when

# 01.00 UTC on 9 November 2024 is 08.00 WIB, 09.00 WITA and 10.00 WIT.
MOMENT = datetime(2024, 11, 9, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("id", "Asia/Jakarta", "Sabtu, 9 November 2024, 08.00 WIB"),
        ("en", "Asia/Jakarta", "Saturday, 9 November 2024, 08:00 WIB"),
        ("jv", "Asia/Jakarta", "Sabtu, 9 November 2024, 08.00 WIB"),
        ("id", "Asia/Makassar", "Sabtu, 9 November 2024, 09.00 WITA"),
        ("id", "Asia/Jayapura", "Sabtu, 9 November 2024, 10.00 WIT"),
    ],
)
def test_an_instant_reads_in_words_in_the_office_zone(
    language: str, zone: str, expected: str
) -> None:
    assert format_when(MOMENT, language, ZoneInfo(zone)) == expected


def test_the_day_is_the_local_day_not_the_utc_day() -> None:
    late_utc = datetime(2024, 11, 8, 23, 30, tzinfo=UTC)  # Saturday 06.30 in Jakarta
    assert format_when(late_utc, "id", ZoneInfo("Asia/Jakarta")).startswith("Sabtu, 9 November")


def test_session_hours() -> None:
    end = datetime(2024, 11, 9, 4, 0, tzinfo=UTC)
    assert format_hours(MOMENT, end, "id", ZoneInfo("Asia/Jakarta")) == "08.00–11.00 WIB"
    assert format_hours(MOMENT, end, "en", ZoneInfo("Asia/Makassar")) == "09:00–12:00 WITA"


def test_catalogs_translate_and_fall_back_to_the_default() -> None:
    loaded = Catalogs(default_language="id")
    assert loaded.gettext("en")("Ganti bahasa") == "Change language"
    assert loaded.gettext("jv")("Ganti bahasa") == "Gantos basa"
    assert loaded.gettext("fr")("Ganti bahasa") == "Ganti bahasa"
    assert loaded.language("en-US") == "en"
    assert loaded.language(None) == "id"


def test_catalogs_are_complete_and_up_to_date() -> None:
    source = Path(bot.__file__).resolve().parent
    assert catalogs.check(source) == []


def test_check_reports_untranslated_and_missing_messages(tmp_path: Path) -> None:
    source = tmp_path / "pkg"
    source.mkdir()
    (source / "mod.py").write_text('_("Halo")\n_("Sampai jumpa")\n', encoding="utf-8")
    messages = tmp_path / "messages"
    catalogs.update(source, messages)
    problems = [str(p) for p in catalogs.check(source, messages)]
    assert "en/messages.po: untranslated 'Halo'" in problems
    (source / "mod.py").write_text('_("Halo")\n_("Baru")\n', encoding="utf-8")
    problems = [str(p) for p in catalogs.check(source, messages)]
    assert any("missing 'Baru'" in p for p in problems)
    assert any("stale 'Sampai jumpa'" in p for p in problems)


def test_numbers_follow_the_readers_locale() -> None:
    from bot.i18n import format_number, format_share

    assert format_share(2.5, "id") == "2,5%" and format_share(2.5, "en") == "2.5%"
    assert format_number(280_000, "id") == "280.000" and format_number(280_000, "en") == "280,000"
    assert format_share(100.0, "jv") == "100,0%"
