"""Today's sessions on the dashboard: the office's day (not UTC's), each session's summoned,
confirmed, came and recorded counts as the database holds them after the desk's marks, and
the part of the page that refreshes itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from bot.db.models import ServiceSession, Summons
from bot.domain.kinds import Channel, SessionState, SummonsState
from bot.domain.summons_rules import HOLDS_SEAT
from bot.services import recording
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.web import dashboard_bot, post_form, result_of, searched, signed_in


@pytest.fixture
async def bot_web(sqlite_url: str) -> AsyncIterator[BotHarness]:
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


def counts_on(page: str, session_id: int) -> dict[str, int]:
    """The counts a session's row shows, by column."""
    row = re.search(rf'data-session="{session_id}">(.*?)</article>', page, re.S)
    assert row, f"session {session_id} is not on the page"
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', row.group(1))}


async def move_to(bot: BotHarness, service_session: ServiceSession, starts_at: datetime) -> None:
    async with bot.db.session() as session:
        await session.execute(
            update(ServiceSession)
            .where(ServiceSession.id == service_session.id)
            .values(starts_at=starts_at, ends_at=starts_at + timedelta(hours=3))
        )


async def counted_in_database(bot: BotHarness, session_id: int) -> dict[str, int]:
    async with bot.db.session() as session:
        states = list(
            await session.scalars(select(Summons.state).where(Summons.session_id == session_id))
        )
    return {
        "summoned": sum(state in HOLDS_SEAT for state in states),
        "confirmed": states.count(SummonsState.CONFIRMED),
        "came": states.count(SummonsState.ATTENDED) + states.count(SummonsState.UNRECORDED),
        "recorded": states.count(SummonsState.ATTENDED) + states.count(SummonsState.RECORDED),
    }


async def test_todays_counts_are_the_databases_in_the_offices_day(database_url: str) -> None:
    async with dashboard_bot(database_url) as bot:
        zone = bot.settings.zone
        place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
        early = await factories.add_session(bot.db, bot.settings, place, days_ahead=1)
        teens = [
            await factories.add_target(
                bot.db, bot.settings, name=f"Remaja {n}", code=f"TEEN{n}234", serial=n
            )
            for n in range(1, 6)
        ]
        for teen in teens:
            await factories.summon(bot.db, bot.settings, teen, early)
        # Then the session turns out to be today just after midnight, office time: the
        # previous day in UTC. Tomorrow's first minutes are still today in UTC; yesterday's
        # evening session is yesterday everywhere.
        today = datetime.now(zone).date()
        await move_to(bot, early, datetime.combine(today, time(0, 30), tzinfo=zone))
        tomorrow = await factories.add_session(bot.db, bot.settings, place, days_ahead=1, hour=0)
        yesterday = await factories.add_session(bot.db, bot.settings, place, days_ahead=-1, hour=22)
        called_off = await factories.add_session(bot.db, bot.settings, place, days_ahead=2)
        await move_to(bot, called_off, datetime.combine(today, time(13), tzinfo=zone))
        async with bot.db.session() as session:
            await session.execute(
                update(ServiceSession)
                .where(ServiceSession.id == called_off.id)
                .values(state=SessionState.CANCELLED)
            )
            await session.execute(
                update(Summons)
                .where(Summons.target_id == teens[0].id)
                .values(state=SummonsState.CONFIRMED)
            )
        async with signed_in(bot) as (_officer, web):
            page = await web.get("/hari-ini")
            assert page.status_code == 200
            assert '<section id="sesi-hari-ini" data-live="15"' in page.text
            assert counts_on(page.text, early.id) == {
                "summoned": 5,
                "confirmed": 1,
                "came": 0,
                "recorded": 0,
                "capacity": 10,
            }
            for elsewhere in (tomorrow, yesterday):
                assert f'data-session="{elsewhere.id}"' not in page.text
            assert "Kantor Kecamatan Klojen <strong>(dibatalkan)</strong>" in page.text

            # The desk: one recorded, one came without documents; one more recorded by the
            # office's own records (not at this session).
            desk = await searched(web, teens[1].nik)  # type: ignore[attr-defined]
            done = await post_form(web, "/meja/direkam", desk, orang=teens[1].id, q="")
            assert result_of(done) == "recorded"
            done = await post_form(
                web, "/meja/belum-direkam", desk, orang=teens[2].id, q="", alasan="device"
            )
            assert result_of(done) == "unrecorded"
            async with bot.db.session() as session:
                now = datetime.now(UTC)
                await recording.mark_recorded(
                    session,
                    [teens[3].id],
                    at=now,
                    source=recording.Source.RECORDS,
                    by="uji",
                    channel=Channel.CLI,
                    now=now,
                )
            page = await web.get("/hari-ini")
            shown = counts_on(page.text, early.id)
            assert shown == {
                "summoned": 3,  # the confirmed one, the one recorded here, the one still to come
                "confirmed": 1,
                "came": 2,
                "recorded": 2,
                "capacity": 10,
            }
            expected = await counted_in_database(bot, early.id)
            assert {k: shown[k] for k in expected} == expected


async def test_a_day_without_sessions_says_so(bot_web: BotHarness) -> None:
    place = await factories.add_place(bot_web.db)
    await factories.add_session(bot_web.db, bot_web.settings, place, days_ahead=1, hour=0)
    async with signed_in(bot_web) as (_officer, web):
        page = await web.get("/hari-ini")
        assert "Tidak ada jadwal perekaman hari ini." in page.text
        assert "data-session=" not in page.text
