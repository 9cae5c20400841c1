"""One clock: "today" is the office's date, and a frozen clock drives what the bot says."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.clock import FrozenClock
from tests.support.harness import make_settings, running_bot


def test_today_is_the_office_date_not_the_utc_date() -> None:
    settings = make_settings("sqlite+aiosqlite:///:memory:")
    late_evening_utc = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 03.00 WIB on 2 December
    clock = FrozenClock(settings.zone, late_evening_utc)
    assert clock.today() == date(2026, 12, 2)
    assert clock.now() == late_evening_utc
    clock.move_to(datetime(2026, 12, 1, 16, 0, tzinfo=UTC))  # 23.00 WIB, still the 1st
    assert clock.today() == date(2026, 12, 1)


async def test_a_birth_date_of_the_office_s_today_is_not_in_the_future(sqlite_url: str) -> None:
    """At 03.00 WIB it is already the 2nd in the office, though still the 1st in UTC."""
    settings = make_settings(sqlite_url)
    clock = FrozenClock(settings.zone, datetime(2026, 12, 1, 20, 0, tzinfo=UTC))
    async with running_bot(settings, clock=clock) as bot:
        parent = bot.user("Ibu Sri")
        parent.send("/ortu ABCD2345")
        assert "tanggal lahir anak Anda" in (await parent.next_message()).text
        parent.send("02-12-2026")  # the office's today: a real date, not "in the future"
        reply = (await parent.next_message()).text
        assert reply.startswith("Maaf, kode atau tanggal lahir tidak cocok")
        parent.send("03-12-2026")  # the office's tomorrow is in the future
        assert (await parent.next_message()).text.startswith("Tanggal lahir tidak bisa")
