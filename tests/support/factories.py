"""Generated office data for tests: places, sessions, targets, summonses. No real people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.db.codes import codes_of, new_columns
from bot.db.engine import Database
from bot.db.models import Place, Region, ServiceSession, Summons, Target
from bot.db.vault import vault_of
from bot.domain import nik as nik_rules
from bot.domain import summons_rules
from bot.domain.kinds import Actor, Channel, PlaceKind
from bot.services import notices, summonses

REGION = "359901"


def today(settings: Settings) -> date:
    return datetime.now(settings.zone).date()


def born_aged(settings: Settings, years: int, days: int = 30) -> date:
    """A birth date that makes someone `years` old (and `days` more) today."""
    day = today(settings)
    return date(day.year - years, day.month, min(day.day, 28)) - timedelta(days=days)


async def add_place(
    db: Database, name: str = "Mal Pelayanan Publik", *, with_pin: bool = True
) -> Place:
    async with db.session() as session:
        region = Region(kecamatan="Kecamatan Uji", kelurahan=f"Kelurahan {name}")
        session.add(region)
        await session.flush()
        place = Place(
            name=name,
            address="Jl. Contoh No. 1",
            kind=PlaceKind.MPP,
            latitude=-7.97 if with_pin else None,
            longitude=112.63 if with_pin else None,
            region_id=region.id,
        )
        session.add(place)
    return place


async def add_session(
    db: Database,
    settings: Settings,
    place: Place,
    *,
    days_ahead: int = 5,
    hour: int = 8,
    capacity: int = 10,
    services: tuple[str, ...] = ("rekam",),
) -> ServiceSession:
    day = today(settings) + timedelta(days=days_ahead)
    start = datetime.combine(day, time(hour, 0), tzinfo=settings.zone)
    async with db.session() as session:
        service_session = ServiceSession(
            place_id=place.id,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            capacity=capacity,
            services=list(services),
            bring="Fotokopi Kartu Keluarga dan akta kelahiran",
        )
        session.add(service_session)
    return service_session


async def add_target(
    db: Database,
    settings: Settings,
    *,
    name: str = "Rina Lestari",
    age: int = 17,
    female: bool = True,
    serial: int = 1,
    code: str = "RINA2345",
    recorded: bool = False,
) -> Target:
    born = born_aged(settings, age)
    nik = nik_rules.build(REGION, born, female=female, serial=serial)
    async with db.session() as session:
        vault = vault_of(session)
        target = Target(
            nik_hash=vault.hash(nik),
            nik_sealed=vault.seal(nik),
            name=name,
            birth_date=born,
            sex="P" if female else "L",
            **new_columns(vault, invite=code, attend=attend_code_of(code)),
            recorded_at=datetime.now(UTC) - timedelta(days=30) if recorded else None,
        )
        session.add(target)
    target.nik = nik  # type: ignore[attr-defined]  # the clear NIK, for the test to type
    # The codes in clear, for the test to type (the database holds only their hashes and seals).
    target.invite_code = code  # type: ignore[attr-defined]
    target.attend_code = attend_code_of(code)  # type: ignore[attr-defined]
    target.parent_code = None  # type: ignore[attr-defined]
    return target


def in_clear(session: AsyncSession, target: Target) -> Target:
    """`target` with its codes in clear as plain attributes (`invite_code`, `attend_code`,
    `parent_code`), for the test to type: the database holds only their hashes and seals."""
    found = codes_of(vault_of(session), target)
    target.invite_code = found.invite  # type: ignore[attr-defined]
    target.attend_code = found.attend  # type: ignore[attr-defined]
    target.parent_code = found.parent  # type: ignore[attr-defined]
    return target


def attend_code_of(invite_code: str) -> str:
    """The attendance code factories give a target with this invitation code."""
    return ("H" + invite_code[::-1])[:16]


async def summon(
    db: Database, settings: Settings, target: Target, service_session: ServiceSession
) -> Summons:
    async with db.session() as session:
        summons = await summonses.assign(
            session,
            target.id,
            service_session.id,
            now=datetime.now(UTC),
            deadline=summons_rules.deadline_for(settings.election_date, settings.zone),
            actor=Actor.STAFF,
            channel=Channel.CLI,
            policy=notices.Policy.of(settings),
        )
        assert summons is not None
    return summons
