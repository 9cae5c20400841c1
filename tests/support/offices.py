"""Offices set up for a test: places, sessions, summoned teens, imported lists."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from bot.db.codes import new_columns
from bot.db.engine import Database
from bot.db.models import (
    Place,
    Region,
    School,
    ServiceSession,
    Summons,
    Target,
)
from bot.db.vault import vault_of
from bot.delivery.planner import Planner
from bot.domain import nik as nik_rules
from bot.domain.kinds import (
    Actor,
    Channel,
    ContactOf,
    ContactSource,
    PlaceKind,
    PreferredDays,
    SummonsState,
)
from bot.emulator import UserClient
from bot.services import contacts, guardians, home_visits, imports
from tests.support import factories
from tests.support.harness import (
    BotHarness,
)
from tests.support.people import linked_teen


async def setup_summons(bot: BotHarness, *, days_ahead: int = 5) -> tuple[Target, object, object]:
    target = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    place = await factories.add_place(bot.db)
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=days_ahead)
    second = await factories.add_session(bot.db, bot.settings, place, days_ahead=days_ahead + 2)
    return target, first, second


async def requesting_teen(bot: BotHarness, reason: str = "Saya memakai kursi roda") -> UserClient:
    """Rina, summoned, living in Mawar with an address and a phone, asks for a home visit."""
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    place = await factories.add_place(bot.db, "Mal Pelayanan Publik")
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    await factories.summon(bot.db, bot.settings, target, first)
    async with bot.db.session() as session:
        mawar = Region(kecamatan="Utara", kelurahan="Mawar")
        session.add(mawar)
        await session.flush()
        await session.execute(
            update(Target)
            .where(Target.id == target.id)
            .values(region_id=mawar.id, address="Jl. Melati 7")
        )
    teen = await linked_teen(bot, target)
    async with bot.db.session() as session:
        await contacts.put(
            session,
            target.id,
            ContactOf.TEEN,
            "+6281234567890",
            source=ContactSource.TELEGRAM,
            actor=Actor.TEEN,
            channel=Channel.TELEGRAM,
            now=datetime.now(UTC),
        )
    teen.press("🏠")
    await teen.next_message()
    teen.send(reason)
    return teen


async def waiting_requests(bot: BotHarness, *names: str, kecamatan: str = "Utara") -> None:
    """Teens summoned to a session who asked (by 🏠) for a visit, in one kecamatan."""
    place = await factories.add_place(bot.db)
    session_ = await factories.add_session(bot.db, bot.settings, place)
    async with bot.db.session() as session:
        region = Region(kecamatan=kecamatan, kelurahan="Mawar")
        session.add(region)
        await session.flush()
        region_id = region.id
    for serial, name in enumerate(names, start=1):
        target = await factories.add_target(
            bot.db, bot.settings, name=name, serial=serial, code=f"{name.upper()[:4]}2345"
        )
        await factories.summon(bot.db, bot.settings, target, session_)
        async with bot.db.session() as session:
            await session.execute(
                update(Target).where(Target.id == target.id).values(region_id=region_id)
            )
            await session.execute(
                update(Summons)
                .where(Summons.target_id == target.id)
                .values(state=SummonsState.HOME_VISIT)
            )
            await home_visits.requested(
                session, target.id, "sakit", now=datetime.now(UTC), default_language="id"
            )


async def family_office(bot: BotHarness) -> dict:  # type: ignore[type-arg]
    """Rina (on Telegram, summoned) and Budi (no Telegram, summoned), and a later session.
    The place has no map pin, so each summons is one message."""
    place = await factories.add_place(bot.db, with_pin=False)
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    second = await factories.add_session(bot.db, bot.settings, place, days_ahead=7)
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    budi = await factories.add_target(
        bot.db, bot.settings, name="Budi Santoso", female=False, serial=2, code="BUDI2345"
    )
    await factories.summon(bot.db, bot.settings, rina, first)
    await factories.summon(bot.db, bot.settings, budi, first)
    teen = await linked_teen(bot, rina)
    # Rina is on Telegram: her parents link with the code her /kode gives, not her letter's.
    async with bot.db.session() as session:
        rina.parent_code = await guardians.parent_code_of(session, rina.id)
    return {"rina": rina, "budi": budi, "teen": teen, "first": first, "second": second}


def bots_planner(bot: BotHarness) -> Planner:
    assert bot.app.job_queue is not None
    (job,) = bot.app.job_queue.get_jobs_by_name("planner")
    assert isinstance(job.data, Planner)
    return job.data


NOW = datetime.now(UTC)


async def seeded_office(
    db: Database, settings_zone, *, capacity: int, election_in_days: int = 30
) -> dict:  # type: ignore[no-untyped-def, type-arg]
    """Two kelurahan in one kecamatan; a session this week, one on a Saturday, one after election day."""
    async with db.session() as session:
        mawar = Region(kecamatan="Utara", kelurahan="Mawar")
        melati = Region(kecamatan="Utara", kelurahan="Melati")
        school = School(name="SMK Uji")
        session.add_all([mawar, melati, school])
        await session.flush()
        place = Place(name="Kantor Kecamatan Utara", kind=PlaceKind.KECAMATAN, region_id=mawar.id)
        session.add(place)
        await session.flush()
        today = NOW.astimezone(settings_zone).date()
        weekday = today + timedelta(days=(0 - today.weekday()) % 7 + 7)  # a Monday 1-2 weeks ahead
        saturday = weekday + timedelta(days=5)
        sessions = {}
        for name, day in (
            ("weekday", weekday),
            ("saturday", saturday),
            ("late", today + timedelta(days=election_in_days + 1)),
        ):
            starts = datetime.combine(day, time(8), tzinfo=settings_zone)
            sessions[name] = ServiceSession(
                place_id=place.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                capacity=capacity,
                services=["rekam"],
            )
        session.add_all(sessions.values())
        targets = []
        for serial in range(1, 7):
            born = today.replace(year=today.year - 17) - timedelta(days=serial)
            smk = serial <= 2
            nik = nik_rules.build("359901", born, female=False, serial=serial)
            targets.append(
                Target(
                    nik_hash=vault_of(session).hash(nik),
                    nik_sealed=vault_of(session).seal(nik),
                    **new_columns(vault_of(session), f"CODE{serial:04d}", f"HERE{serial:04d}"),
                    name=f"Remaja {serial}",
                    birth_date=born,
                    region_id=(melati if serial % 2 else mawar).id,
                    school_id=school.id if smk else None,
                    preferred_days=PreferredDays.WEEKEND if smk else PreferredDays.ANY,
                )
            )
        session.add_all(targets)
    return {"sessions": sessions, "election": today + timedelta(days=election_in_days)}


IMPORT_HEADER = ["nik", "nama", "tanggal_lahir", "kelurahan", "kecamatan"]


async def import_people(bot: BotHarness, *targets: tuple[str, str, str]) -> imports.ImportResult:
    """The office imports its list (NIK, name, birth date DD-MM-YYYY)."""
    rows = [(n, [nik, name, born, "Melati", "Kota"]) for n, (nik, name, born) in enumerate(targets)]
    return await imports.import_targets(
        bot.db,
        IMPORT_HEADER,
        iter((number + 2, cells) for number, cells in rows),
        today=factories.today(bot.settings),
        now=datetime.now(UTC),
        regions=bot.settings.office_region_codes,
    )
