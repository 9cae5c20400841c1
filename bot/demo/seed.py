"""A sample office with generated residents: nothing here is a real person or a real NIK."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.codes import codes_of, new_columns
from bot.db.models import Place, Region, School, ServiceSession, Staff, Summons, Target
from bot.db.vault import vault_of
from bot.domain import nik as nik_rules
from bot.domain import reminders, summons_rules
from bot.domain.codes import new_code
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource, PlaceKind, SummonsState
from bot.services import contacts, events, notices, recording, summonses

# Region codes 3599xx belong to no real regency, so no generated NIK can be someone's.
REGION_CODES = ("3599",)
_KELURAHAN = (
    ("359901", "Kecamatan Utara", "Kelurahan Mawar"),
    ("359901", "Kecamatan Utara", "Kelurahan Melati"),
    ("359902", "Kecamatan Selatan", "Kelurahan Kenanga"),
)
# Given names by the sex the NIK encodes: a "Dimas" listed as P reads as a data error.
GIVEN_FEMALE = ("Ayu", "Citra", "Gita", "Intan", "Kartika", "Lestari", "Putri", "Sekar", "Wulan")
GIVEN_MALE = ("Bayu", "Dimas", "Fajar", "Hadi", "Joko", "Rizky", "Tegar", "Yoga")
# The first resident, the one with the invitation the banner suggests: the demo's teen, Rina.
INVITED_NAME = "Rina Lestari"
_FAMILY = (
    "Pratama",
    "Saputra",
    "Wijaya",
    "Lestari",
    "Kusuma",
    "Hidayat",
    "Permata",
    "Santoso",
    "Nugroho",
    "Rahayu",
)
_BRING = "Fotokopi Kartu Keluarga (KK) dan akta kelahiran"
TODAY_EACH = 4  # teens summoned, confirmed and already recorded at today's session
# The teen with only WhatsApp (izin_wa given) and her father with only SMS: made-up numbers.
PHONE_TEEN_NAME = "Sekar Permata"
PHONE_TEEN = "+6281200000011"
PHONE_PARENT = "+6281200000012"


@dataclass(frozen=True)
class DemoHint:
    """What the banner suggests trying: one invited teen (Rina: her letter's code, her birth
    date and her NIK, which her parent types), a NIK that is on no list with the birth date it
    encodes (for /daftar), and the attendance code of a teen expected at today's session."""

    invite_code: str
    birth_date: date
    spare_nik: str
    desk_code: str
    teen_nik: str
    spare_birth_date: date


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone)


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def _session(
    place: Place,
    day: date,
    hours: tuple[int, int],
    capacity: int,
    zone: ZoneInfo,
    services: list[str],
    bring: str = _BRING,
) -> ServiceSession:
    return ServiceSession(
        place_id=place.id,
        starts_at=_at(day, hours[0], zone),
        ends_at=_at(day, hours[1], zone),
        capacity=capacity,
        services=services,
        bring=bring,
    )


async def seed(
    session: AsyncSession,
    *,
    clock: Clock,
    election: date,
    staff_ids: tuple[int, ...],
    residents: int = 40,
    rng_seed: int = 2024,
) -> DemoHint:
    """Places, sessions over the coming weeks, a target list (the first resident already
    summoned) and the staff accounts."""
    rng = random.Random(rng_seed)
    today, zone = clock.today(), clock.zone
    regions = [Region(kecamatan=kec, kelurahan=kel) for _, kec, kel in _KELURAHAN]
    school = School(name="SMK Negeri 9 Kota Contoh")
    session.add_all([*regions, school])
    await session.flush()
    school.region_id = regions[0].id

    office = Place(
        name="Kantor Dinas Dukcapil Kota Contoh",
        address="Jl. Merdeka No. 1",
        latitude=-7.9797,
        longitude=112.6304,
        kind=PlaceKind.OFFICE,
    )
    mpp = Place(
        name="Mal Pelayanan Publik (MPP)",
        address="Jl. Veteran No. 12",
        latitude=-7.9666,
        longitude=112.6326,
        kind=PlaceKind.MPP,
    )
    smk = Place(
        name=school.name,
        address="Jl. Pendidikan No. 9",
        latitude=-7.9551,
        longitude=112.6140,
        kind=PlaceKind.SCHOOL,
        school_id=school.id,
    )
    cfd = Place(
        name="Stan Car Free Day Alun-Alun",
        address="Alun-Alun Kota Contoh",
        latitude=-7.9826,
        longitude=112.6308,
        kind=PlaceKind.CAR_FREE_DAY,
    )
    session.add_all([office, mpp, smk, cfd])
    await session.flush()

    saturday, sunday = _next_weekday(today, 5), _next_weekday(today, 6)
    weekdays = [today + timedelta(days=d) for d in range(1, 15)]
    first_weekend = _session(mpp, saturday, (9, 12), 60, zone, ["rekam"])
    sessions = [
        *(
            _session(office, day, (8, 15), 40, zone, ["rekam", "cetak", "ikd"])
            for day in weekdays
            if day.weekday() < 5
        ),
        first_weekend,
        _session(mpp, saturday + timedelta(days=7), (9, 12), 60, zone, ["rekam"]),
        _session(
            smk,
            _next_weekday(today, 2),
            (8, 11),
            120,
            zone,
            ["rekam"],
            bring="Kartu pelajar dan fotokopi KK",
        ),
        _session(cfd, sunday, (6, 9), 50, zone, ["rekam"]),
    ]
    session.add_all(sessions)

    targets = []
    used: set[str] = set()
    vault = vault_of(session)

    def fresh_code() -> str:
        code = new_code(rng)
        while code in used:
            code = new_code(rng)
        used.add(code)
        return code

    niks = []
    for index in range(residents):
        born = today - timedelta(days=rng.randint(16 * 365 + 5, 17 * 365 + 300))
        female = index == 0 or rng.random() < 0.5
        given = GIVEN_FEMALE if female else GIVEN_MALE
        name = INVITED_NAME if index == 0 else f"{rng.choice(given)} {rng.choice(_FAMILY)}"
        code = fresh_code()
        nik = nik_rules.build(_KELURAHAN[index % 3][0], born, female=female, serial=index + 1)
        niks.append(nik)
        targets.append(
            Target(
                nik_hash=vault.hash(nik),
                nik_sealed=vault.seal(nik),
                **new_columns(vault, invite=code, attend=fresh_code()),
                name=name,
                birth_date=born,
                sex="P" if female else "L",
                region_id=regions[index % 3].id,
                school_id=school.id if index % 3 == 0 else None,
            )
        )
    session.add_all(targets)
    session.add_all(
        Staff(telegram_id=staff_id, is_admin=True, name="Petugas Andi") for staff_id in staff_ids
    )
    await session.flush()

    invited = targets[0]
    await summonses.assign(
        session,
        invited.id,
        first_weekend.id,
        now=clock.now(),
        deadline=summons_rules.deadline_for(election, zone),
        actor=Actor.SYSTEM,
        channel=Channel.SYSTEM,
        policy=notices.Policy(zone=zone, reminders=reminders.ALL),
    )
    # Sekar, on no list of Telegram's: her number with WhatsApp's yes, her father's for SMS.
    born = today - timedelta(days=16 * 365 + 200)
    nik = nik_rules.build(_KELURAHAN[1][0], born, female=True, serial=residents + 1)
    sekar = Target(
        nik_hash=vault.hash(nik),
        nik_sealed=vault.seal(nik),
        **new_columns(vault, invite=fresh_code(), attend=fresh_code()),
        name=PHONE_TEEN_NAME,
        birth_date=born,
        sex="P",
        region_id=regions[1].id,
    )
    session.add(sekar)
    await session.flush()
    await _on_phones_only(session, sekar, first_weekend, clock=clock, election=election)
    spare_born = today - timedelta(days=16 * 365 + 100)
    spare = nik_rules.build(_KELURAHAN[0][0], spare_born, female=True, serial=9999)
    expected = await _today_at_the_office(
        session, office, targets[1 : 1 + 3 * TODAY_EACH], clock=clock
    )
    desk_code = codes_of(vault, expected).attend
    return DemoHint(
        codes_of(vault, invited).invite,
        invited.birth_date,
        spare,
        desk_code,
        teen_nik=niks[0],
        spare_birth_date=spare_born,
    )


async def _on_phones_only(
    session: AsyncSession, teen: Target, place: ServiceSession, *, clock: Clock, election: date
) -> None:
    """Her number and her father's on her record, as the target list puts them, then her
    summons: it goes to her on WhatsApp and to him by SMS."""
    now = clock.now()
    for whose, number, whatsapp in (
        (ContactOf.TEEN, PHONE_TEEN, True),
        (ContactOf.GUARDIAN, PHONE_PARENT, False),
    ):
        await contacts.put(
            session,
            teen.id,
            whose,
            number,
            source=ContactSource.LIST,
            actor=Actor.SYSTEM,
            channel=Channel.SYSTEM,
            now=now,
            whatsapp_consent=whatsapp,
        )
    await summonses.assign(
        session,
        teen.id,
        place.id,
        now=now,
        deadline=summons_rules.deadline_for(election, clock.zone),
        actor=Actor.SYSTEM,
        channel=Channel.SYSTEM,
        policy=notices.Policy(zone=clock.zone, reminders=reminders.ALL),
    )


async def _today_at_the_office(
    session: AsyncSession, office: Place, teens: list[Target], *, clock: Clock
) -> Target:
    """A session today with teens summoned, confirmed and already recorded, so the staff
    screens (/staf, /statistik, /siaran, the desk) have something to show; the first of the
    confirmed, who is still expected."""
    day, zone = clock.today(), clock.zone
    opened = _session(office, day, (8, 16), 40, zone, ["rekam", "cetak", "ikd"])
    # Still open when the demo runs in the evening: once it has ended, the planner would take
    # the confirmed for no-shows.
    last_minute = datetime.combine(day, time(23, 59), tzinfo=zone)
    hours_ahead = (clock.now().astimezone(zone) + timedelta(hours=3)).replace(
        minute=0, second=0, microsecond=0
    )
    opened.ends_at = max(opened.ends_at, min(hours_ahead, last_minute))
    opened.booked = len(teens)  # every state below holds its seat
    session.add(opened)
    await session.flush()
    now = clock.now()
    for index, teen in enumerate(teens):
        # The attended are marked below as the desk marks them; until then they had confirmed.
        state = SummonsState.SUMMONED if index < TODAY_EACH else SummonsState.CONFIRMED
        summons = Summons(target_id=teen.id, session_id=opened.id, state=state)
        summons.answered_at = now if state == SummonsState.CONFIRMED else None
        session.add(summons)
        await session.flush()
        events.record(
            session,
            "summoned",
            actor=Actor.SYSTEM,
            channel=Channel.SYSTEM,
            target_id=teen.id,
            summons_id=summons.id,
            session_id=opened.id,
        )
    await recording.mark_recorded(
        session,
        [teen.id for teen in teens[2 * TODAY_EACH :]],
        at=now,
        source=recording.Source.DESK,
        by="demo",
        channel=Channel.SYSTEM,
        now=now,
        session_id=opened.id,
    )
    return teens[TODAY_EACH]
