"""`rekam summon`: capacity, nearest place first, weekend preference, the election deadline,
shortage lines, determinism; and the summons reaching a teen already on Telegram."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.cli import main
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import ServiceSession, Summons, Target, WaitingTeen
from bot.domain.planning import Slot, Teen, plan
from bot.domain.summons_rules import deadline_for
from bot.services import notices, summoning
from tests.support.harness import BotHarness, make_settings
from tests.support.harness import database as open_database
from tests.support.offices import NOW, seeded_office
from tests.support.people import linked


def slot(
    id: int,
    *,
    free: int = 1,
    region: int | None = None,
    kecamatan: str | None = None,
    school: int | None = None,
    weekend: bool = False,
) -> Slot:
    return Slot(id, weekend, region, kecamatan, school, free)


def teen(
    id: int,
    *,
    region: int | None = 1,
    kecamatan: str | None = "Utara",
    school: int | None = None,
    days: str = "any",
) -> Teen:
    return Teen(id, region, kecamatan, school, days)


def test_capacity_is_never_exceeded_and_the_rest_wait() -> None:
    result = plan(
        [teen(n) for n in range(5)],
        [
            slot(10, free=2, region=1, kecamatan="Utara"),
            slot(11, free=1, kecamatan="Utara", region=2),
        ],
    )
    assert result.placed == {0: 10, 1: 10, 2: 11}
    assert result.unplaced == [3, 4]
    assert result.shortage == {("Utara", 1): 2}


def test_own_school_then_kelurahan_then_kecamatan_then_the_city() -> None:
    slots = [
        slot(1, free=1, school=7, kecamatan="Utara"),
        slot(2, free=1, region=1, kecamatan="Utara"),
        slot(3, free=1, region=2, kecamatan="Utara"),
        slot(4, free=1),  # the Dinas office: whole city
        slot(5, free=5, school=8, kecamatan="Utara"),  # another school's visit: never
    ]
    teens = [teen(n, school=7) for n in range(5)]
    result = plan(teens, slots)
    assert result.placed == {0: 1, 1: 2, 2: 3, 3: 4}
    assert result.unplaced == [4]


def test_other_kecamatan_is_not_offered_but_an_unknown_area_takes_anything() -> None:
    slots = [slot(1, free=3, region=5, kecamatan="Selatan")]
    result = plan([teen(1), teen(2, region=None, kecamatan=None)], slots)
    assert result.placed == {2: 1}
    assert result.unplaced == [1]


def test_weekend_only_teens_get_only_weekends_and_weekday_teens_only_weekdays() -> None:
    slots = [
        slot(1, free=5, region=1, kecamatan="Utara"),
        slot(2, free=5, region=1, kecamatan="Utara", weekend=True),
    ]
    result = plan(
        [teen(1, days="weekend"), teen(2, days="weekday"), teen(3, days="weekend"), teen(4)], slots
    )
    assert result.placed == {1: 2, 2: 1, 3: 2, 4: 1}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 3), st.integers(0, 2), st.sampled_from(["any", "weekend", "weekday"])
        ),
        max_size=40,
    ),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3), st.booleans()), max_size=12),
)
def test_plans_are_deterministic_and_within_capacity(teen_specs, slot_specs) -> None:  # type: ignore[no-untyped-def]
    teens = [
        teen(i, region=r, kecamatan=f"K{r}", school=s or None, days=d)
        for i, (r, s, d) in enumerate(teen_specs)
    ]
    slots = [
        slot(i, free=f, region=r or None, kecamatan=f"K{r}" if r else None, weekend=w)
        for i, (f, r, w) in enumerate(slot_specs)
    ]
    first, second = plan(teens, slots), plan(teens, slots)
    assert first.placed == second.placed
    capacity = {s.id: s.free for s in slots}
    for slot_id in set(first.placed.values()):
        assert list(first.placed.values()).count(slot_id) <= capacity[slot_id]
    assert set(first.placed) | set(first.unplaced) == {t.id for t in teens}
    by_id = {s.id: s for s in slots}
    for teen_id, slot_id in first.placed.items():
        wanted = teens[teen_id].days
        assert wanted == "any" or (wanted == "weekend") == by_id[slot_id].weekend


@pytest.fixture
async def database(database_url: str):  # type: ignore[no-untyped-def]
    db = open_database(database_url)
    await upgrade(db)
    yield db
    await db.dispose()


async def test_summon_fills_sessions_before_election_day_and_reports_the_shortage(
    database: Database,
) -> None:
    config = make_settings("sqlite+aiosqlite:///unused.db")
    found = await seeded_office(database, config.zone, capacity=2)
    deadline = deadline_for(found["election"], config.zone)
    policy = notices.Policy.of(config)
    async with database.session() as session:
        dry = await summoning.summon_all(
            session, now=NOW, deadline=deadline, policy=policy, dry_run=True
        )
        await session.rollback()
    assert await _count(database, Summons) == 0
    async with database.session() as session:
        result = await summoning.summon_all(
            session, now=NOW, deadline=deadline, policy=policy, dry_run=False
        )
    assert (dry.summoned, dry.waiting) == (result.summoned, result.waiting) == (4, 2)
    assert sorted((s.kecamatan, s.kelurahan, s.teens) for s in result.shortages) == [
        ("Utara", "Mawar", 1),
        ("Utara", "Melati", 1),
    ]
    async with database.session() as session:
        placed = dict((await session.execute(select(Summons.target_id, Summons.session_id))).all())
        booked = dict(
            (await session.execute(select(ServiceSession.id, ServiceSession.booked))).all()
        )
        targets = {t.name: t.id for t in (await session.execute(select(Target))).scalars()}
    sessions = found["sessions"]
    # The two SMK students only on Saturday; the late session (after election day) never.
    assert placed[targets["Remaja 1"]] == placed[targets["Remaja 2"]] == sessions["saturday"].id
    assert booked == {sessions["weekday"].id: 2, sessions["saturday"].id: 2, sessions["late"].id: 0}
    assert await _count(database, WaitingTeen) == 2
    async with database.session() as session:  # a second run finds nobody new to call
        again = await summoning.summon_all(
            session, now=NOW, deadline=deadline, policy=policy, dry_run=False
        )
    assert again.summoned == 0


async def _count(db: Database, model: type) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_teen_already_on_telegram_receives_the_summons_by_name(bot: BotHarness) -> None:
    found = await seeded_office(bot.db, bot.settings.zone, capacity=10, election_in_days=60)
    async with bot.db.session() as session:
        target = await session.scalar(select(Target).where(Target.name == "Remaja 3"))
    assert target is not None
    target.invite_code = "CODE0003"  # type: ignore[attr-defined]  # as seeded_office() gave it
    teen = await linked(bot, target, "Remaja")
    deadline = deadline_for(found["election"], bot.settings.zone)
    async with bot.db.session() as session:
        result = await summoning.summon_all(
            session,
            now=NOW,
            deadline=deadline,
            policy=notices.Policy.of(bot.settings),
            dry_run=False,
        )
    assert result.messages_queued == 1
    message = await teen.next_message()
    assert "Remaja 3" in message.text and message.button("✅")


def test_rekam_summon_prints_the_shortage_line(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path}/office.db"
    monkeypatch.setenv("DATABASE_URL", url)
    import asyncio

    async def prepare() -> str:
        db = open_database(url)
        await upgrade(db)
        config = make_settings(url)
        found = await seeded_office(db, config.zone, capacity=2)
        await db.dispose()
        return found["election"].isoformat()

    monkeypatch.setenv("ELECTION_DATE", asyncio.run(prepare()))
    assert main(["summon", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "Hanya dihitung" in out and "Dipanggil 4 remaja ke 2 jadwal; 2 menunggu tempat." in out
    assert "KURANG TEMPAT: Melati, Utara: 1 remaja" in out
    assert "KURANG TEMPAT: Mawar, Utara: 1 remaja" in out
