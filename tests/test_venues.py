"""Closed venues and the age on the session's date: a school's, pesantren's or prison's visit
is only its own people's, a home visit nobody's through the planner, /ganti or the waiting
list; only sessions that record, on a day the teen is 16, are offered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.clock import Clock
from bot.db.codes import new_columns
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Account, Place, Region, School, ServiceSession, Summons, Target
from bot.db.vault import vault_of
from bot.delivery.planner import Planner
from bot.domain import nik as nik_rules
from bot.domain import venues
from bot.domain.eligibility import age_on
from bot.domain.kinds import PlaceKind
from bot.domain.planning import Slot, Teen, plan
from bot.domain.summons_rules import deadline_for
from bot.services import notices, options, summoning, waiting
from tests.support import factories
from tests.support.harness import BotHarness, make_settings
from tests.support.harness import database as open_database
from tests.support.people import STALE, linked_teen, summons_message

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
SETTINGS = make_settings("sqlite+aiosqlite:///unused.db")
ZONE = SETTINGS.zone
TODAY = NOW.astimezone(ZONE).date()
DEADLINE = deadline_for(TODAY + timedelta(days=60), ZONE)


def test_a_closed_venue_admits_only_its_own_people() -> None:
    pondok = venues.venue_keys(PlaceKind.PESANTREN, None, "Pondok Pesantren  Al-Falah")
    santri = venues.person_keys(None, "pondok pesantren al-falah")
    assert venues.admits(pondok, santri)
    assert not venues.admits(pondok, venues.person_keys(3, None))
    school = venues.venue_keys(PlaceKind.SCHOOL, 3, "SMA 1")
    assert venues.admits(school, venues.person_keys(3, None))
    assert venues.admits(school, venues.person_keys(3, "Lapas Kelas IIA"))
    assert not venues.admits(school, santri)
    # A pesantren's own school: its pupils count without an institution column.
    with_school = venues.venue_keys(PlaceKind.PESANTREN, 3, "Pondok", "MA Pondok")
    assert venues.admits(with_school, venues.person_keys(3, None))
    assert not venues.admits(with_school, venues.person_keys(3, "Lapas Kelas IIA"))
    assert venues.venue_keys(PlaceKind.HOME, None, "Rumah") == frozenset()
    assert not venues.admits(frozenset(), venues.person_keys(3, "Rumah"))
    assert venues.venue_keys(PlaceKind.MPP, None, "MPP") is None
    assert venues.admits(None, frozenset())


@given(st.dates(date(2000, 1, 1), date(2015, 12, 31)), st.dates(date(2016, 1, 1), date(2032, 1, 1)))
def test_recording_needs_rekam_and_sixteen_on_the_day(born: date, day: date) -> None:
    assert venues.may_record_at(born, day, ["rekam", "cetak"]) == (age_on(born, day) >= 16)
    assert not venues.may_record_at(born, day, ["cetak", "ikd"])


def test_the_planner_gives_a_closed_venue_only_to_its_own_people() -> None:
    pondok = frozenset({("institution", "pondok")})
    slots = [
        Slot(1, False, 1, "Utara", None, 5, closed=pondok),
        Slot(2, False, 1, "Utara", None, 5, closed=frozenset()),  # a home visit
        Slot(3, False, 1, "Utara", None, 1),
    ]
    santri = Teen(1, 1, "Utara", None, "any", belongs=pondok)
    others = [Teen(n, 1, "Utara", None, "any") for n in (2, 3)]
    result = plan([santri, *others], slots)
    assert result.placed == {1: 1, 2: 3}
    assert result.unplaced == [3]


async def _office(db: Database) -> dict[str, int]:
    """A kecamatan office, a school, a pesantren, a prison, a home and a printing-only stand,
    each with one session three days ahead (the pesantren a second, a week ahead); and the
    teens: Ani of the kelurahan, Bayu of the school, Citra of the pesantren's list, Dodi who
    turns 16 between the two pesantren sessions."""
    ids: dict[str, int] = {}
    async with db.session() as session:
        mawar = Region(kecamatan="Utara", kelurahan="Mawar")
        school = School(name="SMA Negeri 1")
        session.add_all([mawar, school])
        await session.flush()
        places = {
            "office": Place(name="Kantor Kecamatan", kind=PlaceKind.KECAMATAN, region_id=mawar.id),
            "school": Place(name="SMA Negeri 1", kind=PlaceKind.SCHOOL, school_id=school.id),
            "pondok": Place(name="Pondok Pesantren Al-Falah", kind=PlaceKind.PESANTREN),
            "prison": Place(name="Lapas Kelas IIA", kind=PlaceKind.PRISON, region_id=mawar.id),
            "home": Place(name="Rumah", kind=PlaceKind.HOME, region_id=mawar.id),
            "print": Place(name="CFD Alun-alun", kind=PlaceKind.CAR_FREE_DAY),
        }
        session.add_all(places.values())
        await session.flush()
        soon = datetime.combine(TODAY + timedelta(days=3), time(9), tzinfo=ZONE)
        later = soon + timedelta(days=7)
        for name, place in places.items():
            service = ServiceSession(
                place_id=place.id,
                starts_at=soon,
                ends_at=soon + timedelta(hours=3),
                capacity=5,
                services=["cetak", "ikd"] if name == "print" else ["rekam"],
            )
            session.add(service)
            await session.flush()
            ids[name] = service.id
        late = ServiceSession(
            place_id=places["pondok"].id,
            starts_at=later,
            ends_at=later + timedelta(hours=3),
            capacity=5,
            services=["rekam"],
        )
        session.add(late)
        await session.flush()
        ids["pondok_later"] = late.id
        sixteen_between = TODAY.replace(year=TODAY.year - 16) + timedelta(days=5)
        teens = {
            "ani": (TODAY.replace(year=TODAY.year - 17), None, None),
            "bayu": (TODAY.replace(year=TODAY.year - 17) - timedelta(days=1), school.id, None),
            "citra": (
                TODAY.replace(year=TODAY.year - 17) - timedelta(days=2),
                None,
                "PONDOK PESANTREN AL-FALAH",
            ),
            "dodi": (sixteen_between, None, "Pondok Pesantren Al-Falah"),
        }
        for serial, (name, (born, school_id, institution)) in enumerate(teens.items(), start=1):
            nik = nik_rules.build("359901", born, female=False, serial=serial)
            target = Target(
                nik_hash=vault_of(session).hash(nik),
                nik_sealed=vault_of(session).seal(nik),
                name=name.title(),
                birth_date=born,
                region_id=mawar.id,
                school_id=school_id,
                institution=institution,
                **new_columns(vault_of(session), f"CODE{serial:04d}", f"HERE{serial:04d}"),
            )
            session.add(target)
            await session.flush()
            ids[name] = target.id
    return ids


@pytest.fixture
async def database(database_url: str):  # type: ignore[no-untyped-def]
    db = open_database(database_url)
    await upgrade(db)
    yield db
    await db.dispose()


async def test_rekam_summon_sends_each_teen_to_their_own_venue_and_nobody_elsewhere(
    database: Database,
) -> None:
    ids = await _office(database)
    async with database.session() as session:
        await summoning.summon_all(
            session,
            now=NOW,
            deadline=DEADLINE,
            policy=notices.Policy.of(SETTINGS),
            dry_run=False,
        )
    async with database.session() as session:
        placed = dict((await session.execute(select(Summons.target_id, Summons.session_id))).all())
    assert placed == {
        ids["ani"]: ids["office"],
        ids["bayu"]: ids["school"],
        ids["citra"]: ids["pondok"],
    }  # Dodi is not 16 yet: the daily round calls him once he is


async def test_ganti_offers_own_venue_first_and_never_a_closed_or_too_early_session(
    database: Database,
) -> None:
    ids = await _office(database)

    async def offered(teen: str) -> list[int]:
        async with database.session() as session:
            found = await options.move_options(
                session, exclude=0, now=NOW, deadline=DEADLINE, target_id=ids[teen], zone=ZONE
            )
        return [option.id for option in found]

    assert await offered("ani") == [ids["office"]]
    assert await offered("bayu") == [ids["school"], ids["office"]]
    # Listed by date (own venue first on the same day), not by area: the later pondok last.
    assert await offered("citra") == [ids["pondok"], ids["office"], ids["pondok_later"]]
    assert await offered("dodi") == [ids["pondok_later"]]  # 16 only after the first ones
    async with database.session() as session:
        anyone = await options.move_options(session, exclude=0, now=NOW, deadline=DEADLINE)
        assert [option.id for option in anyone] == [ids["office"]]
        assert not await options.may_choose(session, ids["ani"], ids["pondok"], zone=ZONE)
        assert not await options.may_choose(session, ids["citra"], ids["home"], zone=ZONE)
        assert await options.may_choose(session, ids["citra"], ids["pondok"], zone=ZONE)


async def test_a_freed_place_at_a_closed_venue_goes_only_to_its_own_people(
    database: Database,
) -> None:
    ids = await _office(database)
    async with database.session() as session:
        office = await session.get(ServiceSession, ids["office"])
        assert office is not None
        office.booked = office.capacity  # only the closed venues have places left
        for serial, teen in enumerate(("ani", "dodi", "citra"), start=1):
            session.add(Account(telegram_id=7000 + serial, language="id", target_id=ids[teen]))
            await waiting.join(session, ids[teen], now=NOW - timedelta(hours=4 - serial))
    async with database.session() as session:
        made = await waiting.offer_places(session, now=NOW, deadline=DEADLINE, zone=ZONE)
    assert {(offer.target_id, offer.session_id) for offer in made} == {
        (ids["dodi"], ids["pondok_later"]),
        (ids["citra"], ids["pondok"]),
    }  # Ani waits: nothing left is hers


async def test_the_planner_summons_a_teen_the_day_they_turn_16_once_a_day(
    database: Database,
) -> None:
    ids = await _office(database)
    policy = notices.Policy.of(SETTINGS)
    async with database.session() as session:
        await summoning.summon_all(
            session, now=NOW, deadline=DEADLINE, policy=policy, dry_run=False
        )
    planner = Planner(database, SETTINGS, Clock(ZONE))

    async def dodis() -> int | None:
        async with database.session() as session:
            return await session.scalar(
                select(Summons.session_id).where(Summons.target_id == ids["dodi"])
            )

    assert await planner.round(NOW)
    assert await dodis() is None  # not 16 yet
    birthday = NOW + timedelta(days=5)
    assert await planner.round(birthday)
    assert await dodis() == ids["pondok_later"]  # his own pesantren, on a day he is 16
    async with database.session() as session:  # a restart the same day does not run it again
        again = await summoning.summon_newly_of_age(
            session, now=birthday + timedelta(hours=2), deadline=DEADLINE, policy=policy
        )
    assert again is None


async def test_ganti_never_lists_a_closed_venue_and_a_forged_move_there_is_refused(
    bot: BotHarness,
) -> None:
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    mpp = await factories.add_place(bot.db, "Mal Pelayanan Publik")
    kantor = await factories.add_place(bot.db, "Kantor Dinas", with_pin=False)
    pondok = await factories.add_place(bot.db, "Pondok Pesantren Al-Falah", with_pin=False)
    async with bot.db.session() as session:
        closed = await session.get(Place, pondok.id)
        assert closed is not None
        closed.kind = PlaceKind.PESANTREN
    first = await factories.add_session(bot.db, bot.settings, mpp, days_ahead=5)
    await factories.add_session(bot.db, bot.settings, kantor, days_ahead=8)
    santri = await factories.add_session(bot.db, bot.settings, pondok, days_ahead=6)
    summons = await factories.summon(bot.db, bot.settings, target, first)
    teen = await linked_teen(bot, target)
    teen.send("/ganti")
    listed = await teen.next_message()
    assert [b.label.split(" · ")[1:] for b in listed.buttons] == [
        ["Kantor Dinas", "sisa 10 tempat"]
    ]
    forged = f"sm:{summons.id}:0:to.{santri.id}"
    query = teen.press(data=forged, message=summons_message(teen))
    assert (await teen.answer(query))["text"] == STALE
    async with bot.db.session() as session:
        kept = await session.get(Summons, summons.id)
        assert kept is not None and kept.session_id == first.id
