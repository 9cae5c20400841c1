"""The ladder's edges a stranger's review found (issue 24): an answer in quiet hours is not held
behind the summons it answers; a dead end never keeps others from climbing; a corrected number
starts afresh; BERHENTI stops what was queued, on SMS and on WhatsApp; an SMS that failed for a
passing reason goes again; a GANTI list answers its own summons once; unasked help goes at most
once an hour. Through the real dispatcher, the emulators and the public listener."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.db.models import ContactPoint, OutboxMessage, Summons
from bot.domain.kinds import Channel, ContactOf, OutboxState, SummonsState
from bot.services import deliveries, ladder, outbox, unreached
from tests.support import factories
from tests.support.harness import until
from tests.support.phones import (
    PARENT,
    TEEN,
    PhoneOffice,
    phone_office,
    put_number,
    sms_count,
    sms_texts,
    summoned_by_phone,
    whatsapp_count,
)


@pytest.fixture
async def office(sqlite_url: str) -> Any:
    async with phone_office(sqlite_url) as running:
        yield running


async def state_of(office: PhoneOffice, summons_id: int) -> SummonsState:
    async with office.bot.db.session() as session:
        found = await session.get(Summons, summons_id)
        assert found is not None
        return found.state


async def test_in_quiet_hours_her_answer_is_not_held_behind_her_summons(sqlite_url: str) -> None:
    hour = datetime.now(ZoneInfo("Asia/Jakarta")).hour
    async with phone_office(sqlite_url, quiet_hours=f"{hour}-{(hour + 2) % 24}") as office:
        summons = await summoned_by_phone(office)  # held till morning
        office.sms.receive_sms(TEEN, "ya")  # she answers the letter anyway
        (thanks,) = await sms_count(office, TEEN, 1)
        assert thanks.startswith("Terima kasih. Tercatat: Rina Lestari akan datang")
        assert await state_of(office, summons.id) == SummonsState.CONFIRMED


async def test_a_javanese_office_s_template_goes_in_indonesian(sqlite_url: str) -> None:
    # WhatsApp has no Javanese templates (`rekam whatsapp templates` submits id and en).
    async with phone_office(sqlite_url, default_language="jv") as office:
        office.whatsapp.add_user(TEEN)
        await summoned_by_phone(office, whatsapp=True)
        (template,) = await whatsapp_count(office, TEEN, 1)
        assert template["type"] == "template"
        assert template["template"]["name"] == "rekam_panggilan"
        assert template["template"]["language"]["code"] == "id"
        assert sms_texts(office, TEEN) == []  # it did not fall to SMS


async def test_a_dead_end_never_keeps_another_summons_from_climbing(
    office: PhoneOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = office.bot
    ana = await factories.add_target(bot.db, bot.settings, name="Ana")
    await put_number(office, ana.id, "+6281211110002")  # SMS only: the last rung
    office.whatsapp.add_user(TEEN)
    bea = await factories.add_target(bot.db, bot.settings, name="Bea", serial=2, code="BEAB2345")
    await put_number(office, bea.id, TEEN, whatsapp=True)
    place = await factories.add_place(bot.db, "Kantor")
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=5)
    await factories.summon(bot.db, bot.settings, ana, soon)
    await sms_count(office, "+6281211110002", 1)
    await factories.summon(bot.db, bot.settings, bea, soon)
    await whatsapp_count(office, TEEN, 1)

    async def both_sent() -> bool:
        async with bot.db.session() as session:
            rows = list(
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.message_key == "summons")
                )
            )
        return len(rows) == 2 and all(r.state == OutboxState.SENT for r in rows)

    await until(both_sent, what="both summonses sent")
    wait, now = timedelta(hours=24), datetime.now(UTC)
    async with bot.db.session() as session:
        await session.execute(
            update(OutboxMessage).values(sent_at=now - wait - timedelta(minutes=1))
        )
    monkeypatch.setattr(ladder, "_CLIMBED_AT_ONCE", 1)
    async with bot.db.session() as session:
        assert await ladder.climb(session, now=now, wait=wait) == 1  # Bea's, past Ana's


async def test_a_corrected_number_starts_afresh(office: PhoneOffice) -> None:
    bot = office.bot
    ana = await factories.add_target(bot.db, bot.settings, name="Ana")
    await put_number(office, ana.id, "+6281211110002", whatsapp=True)
    async with bot.db.session() as session:
        await session.execute(
            update(ContactPoint).values(
                whatsapp_user=False,
                sms_choices={"summons": 1, "revision": 0, "sessions": [1, 2]},
                whatsapp_window_until=datetime.now(UTC) + timedelta(hours=20),
                sms_stopped_at=datetime.now(UTC),
            )
        )
    await put_number(office, ana.id, "+6281211110003", whatsapp=True)  # staff correct it
    async with bot.db.session() as session:
        point = await session.scalar(select(ContactPoint))
        assert point is not None
        assert (point.whatsapp_user, point.sms_choices, point.whatsapp_window_until) == (
            None,
            None,
            None,
        )
        assert outbox.reachable(point).whatsapp and outbox.reachable(point).sms


async def test_berhenti_stops_what_was_queued_for_the_number(office: PhoneOffice) -> None:
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    office.sms.receive_sms(TEEN, "BERHENTI")
    assert "dihentikan" in (await sms_count(office, TEEN, 2))[1]
    async with office.bot.db.session() as session:
        reminders = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.summons_id == summons.id)
            )
        )
    waiting = [r for r in reminders if r.message_key == "reminder"]
    assert waiting and all(r.state == OutboxState.CANCELLED for r in waiting)


async def test_berhenti_on_whatsapp_withdraws_its_yes_and_sms_takes_over(
    office: PhoneOffice,
) -> None:
    office.whatsapp.add_user(TEEN)
    summons = await summoned_by_phone(office, whatsapp=True)
    await whatsapp_count(office, TEEN, 1)
    office.whatsapp.user_text(TEEN, "berhenti")
    stopped = (await whatsapp_count(office, TEEN, 2))[1]
    assert "Pesan WhatsApp dari kantor Dukcapil ke nomor ini dihentikan" in stopped["text"]["body"]
    async with office.bot.db.session() as session:
        point = await session.scalar(select(ContactPoint))
        assert point is not None and point.whatsapp_consent_at is None
        waiting = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.summons_id == summons.id,
                    OutboxMessage.message_key == "reminder",
                )
            )
        )
    assert waiting and all(r.channel == Channel.SMS for r in waiting)


async def test_an_sms_that_failed_for_a_passing_reason_goes_again(
    office: PhoneOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deliveries, "RETRY_LATER", timedelta(seconds=0))
    office.sms.set_failing(TEEN, "RESULT_ERROR_NO_SERVICE")  # no signal at the moment
    await summoned_by_phone(office)

    async def failed_once() -> bool:
        async with office.bot.db.session() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.message_key == "summons")
            )
        return row is not None and row.attempts >= 2

    await until(failed_once, what="the summons tried again")
    office.sms.set_failing(TEEN, None)  # signal back

    async def delivered() -> bool:
        async with office.bot.db.session() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.message_key == "summons")
            )
        return row is not None and row.delivery == "delivered"

    await until(delivered, what="the summons delivered")
    states = [m["state"] for m in office.sms.messages_to(TEEN)]
    assert states.count("Delivered") == 1


async def test_a_ganti_list_answers_its_own_summons_once(office: PhoneOffice) -> None:
    summons = await summoned_by_phone(office)
    bot = office.bot
    other = await factories.add_place(bot.db, "Balai Kelurahan Mawar")
    await factories.add_session(bot.db, bot.settings, other, days_ahead=6)
    await sms_count(office, TEEN, 1)
    office.sms.receive_sms(TEEN, "GANTI")
    await sms_count(office, TEEN, 2)
    office.sms.receive_sms(TEEN, "YA")  # she keeps her session after all
    await sms_count(office, TEEN, 3)
    office.sms.receive_sms(TEEN, "1")  # a stray number later moves nothing
    assert "tidak bisa dipakai lagi" in (await sms_count(office, TEEN, 4))[3]
    assert await state_of(office, summons.id) == SummonsState.CONFIRMED


async def test_unasked_help_goes_at_most_once_an_hour(office: PhoneOffice) -> None:
    await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    for _ in range(3):
        office.sms.receive_sms(TEEN, "halo?")
    office.sms.receive_sms(TEEN, "YA")  # an answer is always answered
    texts = await sms_count(office, TEEN, 3)
    # Answers go in the order they were written: a second help would come before the thanks.
    assert "Balas YA jika datang" in texts[1]
    assert texts[2].startswith("Terima kasih.")
    assert len(sms_texts(office, TEEN)) == 3


async def test_a_parent_of_two_answers_for_each_child_by_its_number(office: PhoneOffice) -> None:
    bot = office.bot
    ana = await factories.add_target(bot.db, bot.settings, name="Ana")
    bea = await factories.add_target(bot.db, bot.settings, name="Bea", serial=2, code="BEAB2345")
    for child in (ana, bea):
        await put_number(office, child.id, PARENT, whose=ContactOf.GUARDIAN)
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=5)
    other = await factories.add_place(bot.db, "Balai Kelurahan Mawar")
    later = await factories.add_session(bot.db, bot.settings, other, days_ahead=6)
    first = await factories.summon(bot.db, bot.settings, ana, soon)
    second = await factories.summon(bot.db, bot.settings, bea, soon)
    await sms_count(office, PARENT, 2)  # a summons for each child

    office.sms.receive_sms(PARENT, "YA")  # which child?
    which = (await sms_count(office, PARENT, 3))[2]
    assert "1. Ana, 2. Bea" in which and "YA 1" in which
    office.sms.receive_sms(PARENT, "YA 2")
    assert "Bea akan datang" in (await sms_count(office, PARENT, 4))[3]
    assert await state_of(office, second.id) == SummonsState.CONFIRMED
    assert await state_of(office, first.id) == SummonsState.SUMMONED

    office.sms.receive_sms(PARENT, "GANTI 1")
    assert "Balai Kelurahan Mawar" in (await sms_count(office, PARENT, 5))[4]
    office.sms.receive_sms(PARENT, "1")  # the list Ana's GANTI showed
    assert (await sms_count(office, PARENT, 6))[5].startswith("Jadwal baru Ana:")
    async with bot.db.session() as session:
        moved = await session.get(Summons, first.id)
        assert moved is not None and moved.session_id == later.id


async def test_a_failure_that_keeps_passing_ends_the_ladder_after_a_few_tries(
    office: PhoneOffice,
) -> None:
    """No signal for ever: the SMS is tried again MOST_RESENDS times, then the teen is below
    the last rung (the unreached list), not retried every ten minutes until election day."""
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)

    async def sent_row() -> OutboxMessage | None:
        async with office.bot.db.session() as session:
            return await session.scalar(
                select(OutboxMessage).where(OutboxMessage.summons_id == summons.id)
            )

    async def recorded() -> bool:
        row = await sent_row()
        return row is not None and row.state == OutboxState.SENT and row.external_id is not None

    await until(recorded, what="the SMS recorded as sent")
    row = await sent_row()
    assert row is not None and row.external_id is not None
    now = datetime.now(UTC)
    async with office.bot.db.session() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(params={**row.params, "resent": deliveries.MOST_RESENDS}, delivery=None)
        )
        await deliveries.status(
            session, Channel.SMS, row.external_id, "failed", now=now, why="no signal", passes=True
        )
    after = await sent_row()
    assert after is not None and after.state == OutboxState.FAILED
    async with office.bot.db.session() as session:
        people = await unreached.unreached(session)
    assert [p.why for p in people] == [unreached.Why.UNDELIVERED]
