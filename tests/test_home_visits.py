"""Home visits below Telegram: who is alerted, rounds, the office's command, the figures, what
is erased, and the rules that keep a home session the teen's alone."""

from __future__ import annotations

import asyncio
import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from bot.db.models import (
    Event,
    HomeVisit,
    OutboxMessage,
    Place,
    Region,
    ServiceSession,
    Summons,
    Target,
)
from bot.domain import summons_rules
from bot.domain.kinds import Channel, HomeVisitState, PlaceKind, SummonsState
from bot.domain.outbox_kinds import Kind
from bot.i18n import Catalogs
from bot.presentation import home_visits as views
from bot.services import (
    figures,
    home_visits,
    notices,
    outbox,
    privacy,
    recording,
    retention,
    summonses,
)
from bot.services.home_visits import Scheduled
from bot.services.outbox import Reach
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import requesting_teen, waiting_requests
from tests.support.people import staff_member


async def visit_on(
    bot: BotHarness,
    session: AsyncSession,
    visit_id: int,
    day: date,
    *,
    now: datetime | None = None,
) -> tuple[Scheduled, Reach]:
    """A visit for this request from 08.00 to 09.00 on `day`, as staff schedule it."""
    return await home_visits.schedule(
        session,
        [visit_id],
        starts_at=datetime.combine(day, time(8), tzinfo=bot.settings.zone),
        ends_at=datetime.combine(day, time(9), tzinfo=bot.settings.zone),
        now=now or datetime.now(UTC),
        deadline=summons_rules.deadline_for(bot.settings.election_date, bot.settings.zone),
        policy=notices.Policy.of(bot.settings),
        by="tester",
        channel=Channel.CLI,
    )


async def test_the_staff_on_duty_alone_are_alerted_when_named(bot: BotHarness) -> None:
    """DUTY_STAFF names who hears of requests; unset, or naming nobody who is staff, every
    staff member does (admins or not); someone on duty who is not staff hears nothing."""
    first, second = await staff_member(bot, "Satu"), await staff_member(bot, "Dua", admin=True)
    async with bot.db.session() as session:
        everyone = await outbox.staff_on_duty(session, "id")
        on_duty = await outbox.staff_on_duty(session, "id", (second.id, 424242))
        strangers = await outbox.staff_on_duty(session, "id", (424242,))
    assert [r.chat_id for r in everyone] == [first.id, second.id]
    assert [r.chat_id for r in on_duty] == [second.id]
    assert [r.chat_id for r in strangers] == [first.id, second.id]


async def test_a_round_covers_one_kecamatan_and_summons_each_teen_home(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    ids = []
    async with bot.db.session() as session:
        north, south = (
            Region(kecamatan="Utara", kelurahan="Mawar"),
            Region(kecamatan="Selatan", kelurahan="Anggrek"),
        )
        session.add_all([north, south])
        await session.flush()
        regions = [north.id, north.id, south.id]
    for serial, (name, region_id) in enumerate(zip(("Ani", "Budi", "Cici"), regions, strict=True)):
        target = await factories.add_target(
            bot.db, bot.settings, name=name, serial=serial + 1, code=f"{name.upper()}2345"
        )
        await factories.summon(bot.db, bot.settings, target, session_)
        async with bot.db.session() as session:
            await session.execute(
                update(Target)
                .where(Target.id == target.id)
                .values(region_id=region_id, address=f"Jl. {name} 1")
            )
            await session.execute(  # as the 🏠 answer leaves it
                update(Summons)
                .where(Summons.target_id == target.id)
                .values(state=SummonsState.HOME_VISIT)
            )
            ids.append(
                await home_visits.requested(
                    session, target.id, "sakit", now=datetime.now(UTC), default_language="id"
                )
            )
    day = factories.today(bot.settings) + timedelta(days=4)
    when = {
        "starts_at": datetime.combine(day, time(8), tzinfo=bot.settings.zone),
        "ends_at": datetime.combine(day, time(12), tzinfo=bot.settings.zone),
        "now": datetime.now(UTC),
        "deadline": summons_rules.deadline_for(bot.settings.election_date, bot.settings.zone),
        "policy": notices.Policy.of(bot.settings),
        "by": "tester",
        "channel": Channel.CLI,
    }
    async with bot.db.session() as session:
        assert await home_visits.schedule(session, ids, **when) == (Scheduled.TWO_AREAS, Reach())
        # Teens asked at the desk, with neither Telegram nor a parent: nobody was told.
        assert await home_visits.schedule(session, ids[:2], **when) == (
            Scheduled.DONE,
            Reach(teens=2, untold=2),
        )
        assert await home_visits.schedule(session, ids[:1], **when) == (Scheduled.GONE, Reach())
    async with bot.db.session() as session:
        places = (
            await session.execute(
                select(Place.name, Place.address)
                .join(ServiceSession, ServiceSession.place_id == Place.id)
                .join(Summons, Summons.session_id == ServiceSession.id)
                .order_by(Summons.id)
            )
        ).all()
    # A home's place is where staff go, and says nothing of who lives there (issue 22, item 8).
    assert [tuple(p) for p in places] == [
        ("Rumah", "Jl. Ani 1"),
        ("Rumah", "Jl. Budi 1"),
        ("Mal Pelayanan Publik", "Jl. Contoh No. 1"),
    ]
    lines = await figures.report(bot.db.reading, figures.By.KECAMATAN)
    visits = {
        line.area: (line.visits_requested, line.visits_scheduled, line.visits_done)
        for line in lines
    }
    assert visits == {"Utara": (2, 2, 0), "Selatan": (1, 0, 0)}


async def test_the_office_works_the_queue_from_the_command_line(
    bot: BotHarness,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("DATABASE_URL", bot.settings.database_url)
    teen = await requesting_teen(bot)
    await teen.next_message()
    assert await asyncio.to_thread(main, ["homevisits"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("1  Rina Lestari  Mawar  Utara  Jl. Melati 7  Saya memakai")
    assert listed[-1] == "1 permintaan kunjungan rumah."
    sheet = tmp_path / "antrean.csv"
    assert await asyncio.to_thread(main, ["homevisits", "--format", "csv", "-o", str(sheet)]) == 0
    rows = list(csv.reader(sheet.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["ID", "nama", "kelurahan"] and rows[1][1] == "Rina Lestari"
    book = tmp_path / "antrean.xlsx"
    assert await asyncio.to_thread(main, ["homevisits", "--format", "xlsx", "-o", str(book)]) == 0
    sheet = load_workbook(book).active
    assert sheet is not None
    assert [row[1] for row in sheet.iter_rows(values_only=True)] == ["nama", "Rina Lestari"]

    day = factories.today(bot.settings) + timedelta(days=3)
    plan = ["homevisits", "schedule", "--date", day.isoformat(), "--hours", "08.00-12.00", "1"]
    assert await asyncio.to_thread(main, [*plan, "--by", "Bu Ana"]) == 0
    assert "dijadwalkan untuk 1 remaja" in capsys.readouterr().out
    summons = await teen.next_message()
    assert summons.text.startswith("📣") and "Jl. Melati 7" in summons.text
    away = ["homevisits", "done", "1", "--not-recorded", "tidak di rumah"]
    assert await asyncio.to_thread(main, away) == 0
    assert capsys.readouterr().out.strip() == "Tercatat; permintaan kembali ke daftar."
    assert await asyncio.to_thread(main, ["homevisits", "done", "1"]) == 1  # not scheduled now
    assert await asyncio.to_thread(main, plan) == 0
    assert await asyncio.to_thread(main, ["homevisits", "done", "1"]) == 0
    while not (await teen.next_message()).text.startswith("✔️"):
        pass  # the second visit's summons comes first
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        target = await session.scalar(select(Target))
        first = await session.scalar(
            select(Event).where(Event.kind == "home_visit_scheduled").order_by(Event.id)
        )
    assert visit is not None and target is not None and first is not None
    assert visit.state == HomeVisitState.DONE
    assert first.data["by"] == "Bu Ana"
    assert target.recorded_at is not None


async def test_the_reason_and_the_home_address_go_with_personal_data(bot: BotHarness) -> None:
    """A reason is often health data: erased with the teen's account (/hapus), and purged
    after the retention period with the home session's place, named for the address."""
    teen = await requesting_teen(bot)
    await teen.next_message()
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        assert visit is not None
        day = factories.today(bot.settings) + timedelta(days=3)
        await visit_on(bot, session, visit.id, day)
        await privacy.erase_account_of(session, teen.id, datetime.now(UTC))
    async with bot.db.session() as session:
        assert await session.scalar(select(HomeVisit.reason)) is None
        await retention.purge(session, now=datetime.now(UTC), by="tester", dry_run=False)
    async with bot.db.session() as session:
        home = await session.scalar(select(Place).where(Place.kind == PlaceKind.HOME))
    assert home is not None and (home.name, home.address) == ("", "")


async def test_a_home_visit_s_seat_is_never_offered_to_anyone_else(bot: BotHarness) -> None:
    """Should the teen turn the visit down, its one seat comes free: no other teen may move
    there, or be offered it from the waiting list."""
    teen = await requesting_teen(bot)
    await teen.next_message()
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        assert visit is not None
        day = factories.today(bot.settings) + timedelta(days=3)
        deadline = summons_rules.deadline_for(bot.settings.election_date, bot.settings.zone)
        await visit_on(bot, session, visit.id, day)
        await session.execute(update(ServiceSession).values(booked=0))  # the teen declined
        options = await summonses.move_options(
            session, exclude=0, now=datetime.now(UTC), deadline=deadline
        )
    assert [option.place for option in options] == ["Mal Pelayanan Publik"]


async def test_a_teen_who_picks_a_session_after_all_leaves_the_queue(bot: BotHarness) -> None:
    teen = await requesting_teen(bot)
    await teen.next_message()
    other = await factories.add_place(bot.db, "Kantor Kecamatan")
    await factories.add_session(bot.db, bot.settings, other, days_ahead=6)
    teen.send("/ganti")
    options = await teen.next_message()
    teen.press("Kantor Kecamatan", message=options)
    await teen.edited(options)
    await teen.next_messages(2)  # the new summons and its pin
    async with bot.db.session() as session:
        assert await home_visits.queue(session) == []
        visit = await session.scalar(select(HomeVisit))
        assert visit is not None
        day = factories.today(bot.settings) + timedelta(days=3)
        outcome, _reach = await visit_on(bot, session, visit.id, day)
    assert outcome == Scheduled.GONE


async def test_a_visit_past_its_hours_is_no_no_show_but_waits_for_staff(bot: BotHarness) -> None:
    """Only staff at the door know what happened: the planner never marks a home visit missed
    (nor offers the teen other sessions), and it stays in the queue for its outcome."""
    await waiting_requests(bot, "Ani")
    day = factories.today(bot.settings) + timedelta(days=2)
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        assert visit is not None
        await visit_on(bot, session, visit.id, day)
    later = datetime.combine(day + timedelta(days=1), time(12), tzinfo=bot.settings.zone)
    async with bot.db.session() as session:
        assert await summonses.mark_no_shows(session, now=later, grace=timedelta(hours=1)) == []
        waiting = await home_visits.queue(session)
    assert [(r.name, r.state) for r in waiting] == [("Ani", HomeVisitState.SCHEDULED)]


async def test_a_visit_closed_for_a_teen_recorded_elsewhere_claims_no_thank_you(
    bot: BotHarness,
) -> None:
    """The office's records marked her recorded while her visit stood; closing it afterwards
    (an old button, page or command) sends nothing new and says so."""
    teen = await requesting_teen(bot)
    await teen.next_message()
    now = datetime.now(UTC)
    async with bot.db.session() as session:
        visit = await session.scalar(select(HomeVisit))
        assert visit is not None
        day = factories.today(bot.settings) + timedelta(days=3)
        outcome, reach = await visit_on(bot, session, visit.id, day, now=now)
        assert (outcome, reach) == (Scheduled.DONE, Reach(teens=1, own_chat=1))
        await recording.mark_recorded(
            session,
            [visit.target_id],
            at=now,
            source=recording.Source.RECORDS,
            by="tester",
            channel=Channel.CLI,
            now=now,
        )
    async with bot.db.session() as session:
        thanks_before = await session.scalar(
            select(func.count()).where(OutboxMessage.message_key == Kind.RECORDED.value)
        )
        done = await home_visits.finish(
            session, visit.id, recorded=True, reason=None, by="tester", channel=Channel.CLI, now=now
        )
        thanks_after = await session.scalar(
            select(func.count()).where(OutboxMessage.message_key == Kind.RECORDED.value)
        )
    assert done == Reach() and thanks_after == thanks_before == 1
    said = views.finished(done, True, Catalogs().gettext("id"), "id")
    assert said == "✅ Tercatat. Remaja ini sudah terekam sebelumnya, jadi tidak ada pesan baru."
