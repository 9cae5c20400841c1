"""How far the office reaches, in the figures (issue 24, item 6): families per channel, teens
called and reached, answered, and unreached, counted in SQL per area, agree with the unreached
list teen by teen; through the real bot, dispatcher and phone emulators. Numbers made up."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import (
    Account,
    ContactPoint,
    Event,
    OutboxMessage,
    ParentLink,
    Place,
    Region,
    School,
    ServiceSession,
    Summons,
    Target,
)
from bot.db.vault import vault_of
from bot.domain.kinds import (
    ContactOf,
    ContactSource,
    LinkMethod,
    LinkState,
    OutboxState,
    SummonsState,
    TargetReview,
)
from bot.services import figures, outbox, unreached
from tests.support import factories
from tests.support.harness import database, make_settings, until
from tests.support.people import linked, staff_member
from tests.support.phones import PhoneOffice, phone_office, put_number, sms_count

RINA = "+6281211110001"
SARI_MOTHER = "+6281311110002"
DEWI = "+6281211110003"
MAYA = "+6281211110004"
AYU = "+6281211110006"


async def _office_of_six(office: PhoneOffice) -> dict[str, int]:
    """Six teens called to one session: Rina on Telegram (with a number too), Sari's mother on WhatsApp (and so
    SMS), Dewi by SMS (she answers YA), Maya's number cannot take an SMS, Wati has nothing,
    Ayu's number said BERHENTI and has no WhatsApp consent."""
    bot = office.bot
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=10)
    ids: dict[str, int] = {}
    for serial, name in enumerate(("Rina", "Sari", "Dewi", "Maya", "Wati", "Ayu"), start=1):
        teen = await factories.add_target(
            bot.db, bot.settings, name=f"{name} Uji", serial=serial, code=f"{name.upper()}2345"
        )
        ids[name] = teen.id
        if name == "Rina":
            await linked(bot, teen, "Rina")
            await put_number(office, teen.id, RINA)  # on Telegram, her number the next rung
        elif name == "Sari":
            office.whatsapp.add_user(SARI_MOTHER)
            await put_number(office, teen.id, SARI_MOTHER, whose=ContactOf.GUARDIAN, whatsapp=True)
        elif name == "Dewi":
            await put_number(office, teen.id, DEWI)
        elif name == "Maya":
            office.sms.set_failing(MAYA)
            await put_number(office, teen.id, MAYA)
        elif name == "Ayu":
            await put_number(office, teen.id, AYU)
            office.sms.receive_sms(AYU, "BERHENTI")
            await sms_count(office, AYU, 1)  # the one reply BERHENTI gets
        await factories.summon(bot.db, bot.settings, teen, soon)
    return ids


async def test_the_figures_count_each_channel_and_the_unreached_as_the_list_has_them(
    database_url: str,
) -> None:
    async with phone_office(database_url) as office:
        ids = await _office_of_six(office)
        await sms_count(office, DEWI, 1)
        office.sms.receive_sms(DEWI, "YA")

        async def settled() -> bool:
            async with office.bot.db.session() as session:
                dewi = await session.scalar(select(Summons).where(Summons.target_id == ids["Dewi"]))
                ended = await session.scalar(select(Event).where(Event.kind == "ladder_end"))
            return dewi is not None and dewi.state == SummonsState.CONFIRMED and ended is not None

        await until(settled, what="Dewi's YA and the end of Maya's ladder")
        async with office.bot.db.session() as session:
            listed = await unreached.unreached(session)
        whole = figures.total(await figures.report(office.bot.db.reading, figures.By.KELURAHAN))
        officer = await staff_member(office.bot, "Petugas")
        officer.send("/statistik")
        table = await officer.next_message()
    # /statistik says the same, for each of the office's channels.
    assert (
        "Terjangkau lewat Telegram 1 · WhatsApp 1 · SMS 4. Sudah menjawab 1 · menunggu jawaban 5, "
        "di antaranya belum terjangkau 3"
    ) in table.text

    assert {p.target_id: p.why for p in listed} == {
        ids["Maya"]: unreached.Why.UNDELIVERED,
        ids["Wati"]: unreached.Why.NO_CHANNEL,
        ids["Ayu"]: unreached.Why.NO_CHANNEL,
    }
    # Rina's account; Sari's mother's number (consent); every number but Ayu's takes SMS.
    assert (whole.telegram, whole.whatsapp, whole.sms) == (1, 1, 4)
    # Dewi holds an answer; the five others wait, three of them reached by nothing.
    assert (whole.summoned, whole.answered, whole.waiting, whole.unreached) == (6, 1, 5, 3)


async def test_an_office_without_phone_channels_counts_numbers_as_reaching_nobody(
    sqlite_url: str,
) -> None:
    """The same records where the office sends on Telegram only: a number carries nothing, so
    every teen but Rina is unreached, and no channel but Telegram counts anyone."""
    async with phone_office(sqlite_url) as office:
        ids = await _office_of_six(office)
        telegram_only = database(office.bot.settings.database_url, ())
        try:
            async with telegram_only.session() as session:
                listed = await unreached.unreached(session)
            whole = figures.total(await figures.report(telegram_only.reading, figures.By.KECAMATAN))
        finally:
            await telegram_only.dispose()

    assert {p.target_id for p in listed} == {
        ids[n] for n in ("Sari", "Dewi", "Maya", "Wati", "Ayu")
    }
    assert (whole.telegram, whole.whatsapp, whole.sms) == (1, 0, 0)
    assert (whole.summoned, whole.waiting, whole.unreached) == (6, 6, 5)


async def _random_office(url: str, seed: int, size: int = 80) -> None:
    """Targets in three kelurahan (or none), each with a random mix of what decides reach:
    review, recording, a summons in any state, the teen's account (blocked or not), parents
    linked in any state (blocked or not), the teen's and the guardian's numbers (consent,
    WhatsApp user or not, SMS stopped), and summons messages in every outbox state."""
    chance = random.Random(seed)
    settings = make_settings(url)
    db = database(url)
    now = datetime.now(UTC)
    try:
        async with db.session() as session:
            regions = [Region(kecamatan=f"Kec {i % 2}", kelurahan=f"Kel {i}") for i in range(3)]
            session.add_all(regions)
            await session.flush()
            schools = [School(name=f"SMA Uji {i}", region_id=regions[i].id) for i in range(2)]
            place = Place(name="Kantor", address="Jl. Uji", region_id=regions[0].id)
            session.add_all([*schools, place])
            await session.flush()
            soon = ServiceSession(
                place_id=place.id,
                starts_at=now + timedelta(days=3),
                ends_at=now + timedelta(days=3, hours=3),
                capacity=1000,
            )
            session.add(soon)
            await session.flush()
            areas = [None, *(r.id for r in regions)]
            school_ids = [None, *(s.id for s in schools)]
        ids = [
            (
                await factories.add_target(
                    db,
                    settings,
                    name=f"Uji {i}",
                    serial=i + 1,
                    code=f"U{i:07d}",
                    recorded=chance.random() < 0.15,
                )
            ).id
            for i in range(size)
        ]
        chat = 10_000
        async with db.session() as session:
            for target_id in ids:
                target = await session.get(Target, target_id)
                assert target is not None
                target.region_id = chance.choice(areas)
                target.school_id = chance.choice(school_ids)
                target.review = chance.choice([TargetReview.ACCEPTED] * 5 + list(TargetReview))
                summons = None
                if chance.random() < 0.85:
                    state = chance.choice([SummonsState.SUMMONED] * 3 + list(SummonsState))
                    summons = Summons(target_id=target_id, session_id=soon.id, state=state)
                    session.add(summons)
                if chance.random() < 0.4:
                    chat += 1
                    blocked = now if chance.random() < 0.4 else None
                    session.add(
                        Account(
                            telegram_id=chat,
                            language="id",
                            target_id=target_id,
                            unreachable_at=blocked,
                        )
                    )
                for _ in range(chance.choice([0, 0, 1, 2])):
                    chat += 1
                    parent = Account(
                        telegram_id=chat,
                        language="id",
                        unreachable_at=now if chance.random() < 0.3 else None,
                    )
                    session.add(parent)
                    await session.flush()
                    session.add(
                        ParentLink(
                            parent_account_id=parent.id,
                            target_id=target_id,
                            state=chance.choice(list(LinkState)),
                            method=LinkMethod.CODE,
                        )
                    )
                for whose in ContactOf:
                    if chance.random() < 0.5:
                        number = f"+62812{target_id:04d}{len(whose):04d}"
                        session.add(
                            ContactPoint(
                                target_id=target_id,
                                whose=whose,
                                phone_hash=f"{target_id}-{whose}",
                                phone_sealed=vault_of(session).seal_phones([number])[0],
                                source=ContactSource.LIST,
                                whatsapp_consent_at=now if chance.random() < 0.5 else None,
                                whatsapp_user=chance.choice([None, True, False]),
                                sms_stopped_at=now if chance.random() < 0.3 else None,
                            )
                        )
                if summons is not None:
                    await session.flush()
                    for _ in range(chance.choice([0, 0, 1, 2, 3])):
                        key = chance.choice(["summons", "session_moved", "reminder"])
                        session.add(
                            OutboxMessage(
                                chat_id=1,
                                summons_id=summons.id,
                                kind=key,
                                message_key=key,
                                language="id",
                                state=chance.choice(list(OutboxState)),
                            )
                        )
    finally:
        await db.dispose()


@pytest.mark.parametrize("seed", range(3))
async def test_the_figures_agree_with_the_list_and_the_recipients_whatever_the_mix(
    database_url: str, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On random offices, under every ladder an office can set up: per kelurahan the unreached
    are the list's, and the families on Telegram are those a Telegram recipient exists for.
    The list reads its teens a few at a time here, as it reads 2,000 at a time in an office."""
    monkeypatch.setattr(unreached, "_READ_AT_ONCE", 7)
    await _random_office(database_url, seed)
    for phones in (("whatsapp", "sms"), ("sms", "whatsapp"), ("whatsapp",), ("sms",), ()):
        db = database(database_url, phones)
        try:
            async with db.session() as session:
                listed = await unreached.unreached(session)
                areas = dict((await session.execute(select(Target.id, Target.region_id))).all())
                accepted = list(
                    await session.scalars(
                        select(Target.id).where(Target.review == TargetReview.ACCEPTED)
                    )
                )
                recipients = await outbox.recipients_of_many(session, accepted)
                names = dict((await session.execute(select(Region.id, Region.kelurahan))).all())
            counts = await figures.count(db.reading)
            lines = figures.lines(counts, figures.By.KELURAHAN)
            # Each line's cell opens its own area's list (on the overview), as long as it counts;
            # so does each school's within its kelurahan.
            schools = [
                (line, school)
                for line in lines
                for school in figures.lines(
                    counts, figures.By.SCHOOL, in_kelurahan=(line.parent_area, line.area)
                )
            ]
            async with db.reading() as session:
                for line in lines:
                    area = unreached.Area(kecamatan=line.parent_area, kelurahan=line.area)
                    opened = await unreached.unreached(session, area=area)
                    assert len(opened) == line.unreached, (phones, line.area)
                for line, school in schools:
                    area = unreached.Area(line.parent_area, line.area, school.area)
                    opened = await unreached.unreached(session, area=area)
                    assert len(opened) == school.unreached, (phones, line.area, school.area)
        finally:
            await db.dispose()
        counted = {line.area: line.unreached for line in lines if line.unreached}
        expected = Counter(names.get(areas[person.target_id], "") for person in listed)
        assert counted == dict(expected), phones
        on_telegram = sum(1 for people in recipients.values() if any(r.chat_id > 0 for r in people))
        assert figures.total(lines).telegram == on_telegram, phones
