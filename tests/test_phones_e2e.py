"""Issue 24 end to end: a teen with only a phone is summoned by SMS and answers YA; her parent on
WhatsApp is told; WhatsApp's template outside the window, its buttons inside it; a number that
is not on WhatsApp falls to SMS; BERHENTI, unclear words, strangers' numbers, and forged,
replayed and repeated webhooks. Through the real dispatcher, the emulators and the public
listener. The numbers are made up."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select, update

from bot.channels.sms.inbound import signature
from bot.db.models import ContactPoint, Event, OutboxMessage, ServiceSession, Summons, Target
from bot.domain.kinds import Channel, OutboxState, SummonsState
from bot.i18n import Catalogs
from bot.presentation import schedule as schedule_views
from bot.services import ladder, schedule, summoning, unreached
from bot.services.office import Office
from tests.support import factories
from tests.support.harness import until, until_phone_question
from tests.support.phones import (
    PARENT,
    TEEN,
    PhoneOffice,
    phone_office,
    put_number,
    sms_count,
    sms_texts,
    summoned_by_phone,
    whatsapp_bodies,
    whatsapp_count,
)


@pytest.fixture
async def office(sqlite_url: str) -> Any:
    async with phone_office(sqlite_url) as running:
        yield running


async def test_a_teen_with_only_a_phone_is_summoned_by_sms_and_confirms_with_ya(
    office: PhoneOffice,
) -> None:
    office.whatsapp.add_user(PARENT)
    summons = await summoned_by_phone(office, parent_on_whatsapp=True)
    (summoned,) = await sms_count(office, TEEN, 1)
    assert summoned.startswith("Panggilan perekaman KTP-el untuk Rina Lestari:")
    assert "Kantor Kecamatan Klojen" in summoned and "Balas YA jika datang" in summoned
    assert len(summoned) <= 306  # two SMS at most
    # Her parent's summons has gone too (one still waiting when she answers is not sent: it
    # asks for an answer she gave, and her answer follows instead).
    await whatsapp_count(office, PARENT, 1)

    office.sms.receive_sms(TEEN, "ya")
    replies = await sms_count(office, TEEN, 2)
    assert replies[1].startswith("Terima kasih. Tercatat: Rina Lestari akan datang")
    async with office.bot.db.session() as session:
        now = await session.get(Summons, summons.id)
        assert now is not None and now.state == SummonsState.CONFIRMED
        place = await session.get(ServiceSession, summons.session_id)
        assert place is not None and place.booked == 1
        answered = await session.scalar(select(Event).where(Event.kind == "summons_confirm"))
        assert answered is not None and answered.channel == Channel.SMS

    # Her parent, on WhatsApp and outside its window, gets the answer as a template.
    bodies = await whatsapp_count(office, PARENT, 2)  # the summons, then her answer
    assert [b["type"] for b in bodies] == ["template", "template"]
    assert [b["template"]["name"] for b in bodies] == ["rekam_panggilan", "rekam_jawaban"]
    values = [p["text"] for p in bodies[1]["template"]["components"][0]["parameters"]]
    assert values == ["Rina Lestari", "akan datang"]


async def test_whatsapp_sends_a_template_outside_the_window_and_buttons_inside_it(
    office: PhoneOffice,
) -> None:
    office.whatsapp.add_user(TEEN)
    summons = await summoned_by_phone(office, whatsapp=True)
    (template,) = await whatsapp_count(office, TEEN, 1)
    assert template["type"] == "template" and template["template"]["name"] == "rekam_panggilan"
    assert sms_texts(office, TEEN) == []  # one channel, never two

    office.whatsapp.user_text(TEEN, "maaf ini apa?")  # words nobody understood: help, buttons
    help_ = (await whatsapp_count(office, TEEN, 2))[1]
    assert help_["type"] == "interactive"
    ids = [b["reply"]["id"] for b in help_["interactive"]["action"]["buttons"]]
    assert ids == ["ya", "tidak", "ganti"]

    office.whatsapp.press(TEEN, office.whatsapp.chats[TEEN.lstrip("+")][1].id, "ya")
    thanks = (await whatsapp_count(office, TEEN, 3))[2]
    assert thanks["type"] == "text"  # inside the window: no template needed
    assert thanks["text"]["body"].startswith("Terima kasih. Tercatat: Rina Lestari akan datang")
    async with office.bot.db.session() as session:
        now = await session.get(Summons, summons.id)
        assert now is not None and now.state == SummonsState.CONFIRMED


async def test_not_a_whatsapp_user_falls_to_sms_once(office: PhoneOffice) -> None:
    office.whatsapp.add_user(TEEN, is_user=False)
    await summoned_by_phone(office, whatsapp=True)
    (summoned,) = await sms_count(office, TEEN, 1)
    assert summoned.startswith("Panggilan perekaman KTP-el untuk Rina Lestari:")
    async with office.bot.db.session() as session:
        step = await session.scalar(select(Event).where(Event.kind == "ladder_step"))
        assert step is not None
        assert (step.data["failed"], step.data["to"]) == ("whatsapp", "sms")
        point = await session.scalar(select(ContactPoint))
        assert point is not None and point.whatsapp_user is False
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    # One row per message, moved: the summons sent by SMS, its reminders waiting on SMS too.
    assert [(r.message_key, r.channel, r.tried) for r in rows] == [
        ("summons", Channel.SMS, "whatsapp"),
        *[("reminder", Channel.SMS, "whatsapp")] * (len(rows) - 1),
    ]
    assert len(sms_texts(office, TEEN)) == 1 and whatsapp_bodies(office, TEEN) != []


async def test_ganti_numbers_other_sessions_and_a_number_moves_there(office: PhoneOffice) -> None:
    summons = await summoned_by_phone(office)
    bot = office.bot
    other = await factories.add_place(bot.db, "Balai Kelurahan Mawar")
    later = await factories.add_session(bot.db, bot.settings, other, days_ahead=6)
    await sms_count(office, TEEN, 1)
    office.sms.receive_sms(TEEN, "GANTI")
    choices = (await sms_count(office, TEEN, 2))[1]
    assert choices.startswith("Pilih jadwal lain, balas dengan angkanya:")
    assert "1. " in choices and "Balai Kelurahan Mawar" in choices
    office.sms.receive_sms(TEEN, "1")
    moved = (await sms_count(office, TEEN, 3))[2]
    assert moved.startswith("Jadwal baru Rina Lestari:") and "Balai Kelurahan Mawar" in moved
    async with bot.db.session() as session:
        now = await session.get(Summons, summons.id)
        assert now is not None and now.session_id == later.id
        assert now.state == SummonsState.MOVED


async def test_ganti_on_whatsapp_is_a_list_to_pick_from(office: PhoneOffice) -> None:
    office.whatsapp.add_user(TEEN)
    summons = await summoned_by_phone(office, whatsapp=True)
    bot = office.bot
    other = await factories.add_place(bot.db, "Balai Kelurahan Mawar " + "Sari" * 20)
    later = await factories.add_session(bot.db, bot.settings, other, days_ahead=6)
    await whatsapp_count(office, TEEN, 1)
    office.whatsapp.user_text(TEEN, "ganti")
    menu = (await whatsapp_count(office, TEEN, 2))[1]
    assert menu["type"] == "interactive" and menu["interactive"]["type"] == "list"
    (section,) = menu["interactive"]["action"]["sections"]
    (row,) = section["rows"]
    assert row["id"] == f"sesi:{later.id}" and row["title"].startswith("1. ")
    # A place's long name is cut to WhatsApp's 72 characters, never refused.
    assert (
        row["description"].startswith("08.00") and ", Balai Kelurahan Mawar" in row["description"]
    )
    assert len(row["description"]) == 72 and row["description"].endswith("…")

    office.whatsapp.pick(TEEN, office.whatsapp.chats[TEEN.lstrip("+")][1].id, row["id"])
    moved = (await whatsapp_count(office, TEEN, 3))[2]
    assert moved["text"]["body"].startswith("Jadwal baru Rina Lestari:")
    async with bot.db.session() as session:
        now = await session.get(Summons, summons.id)
        assert now is not None and (now.session_id, now.state) == (later.id, SummonsState.MOVED)


async def test_berhenti_stops_sms_and_unclear_words_get_help(office: PhoneOffice) -> None:
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    office.sms.receive_sms(TEEN, "siapa ini")
    helped = (await sms_count(office, TEEN, 2))[1]
    assert "Balas YA jika datang" in helped
    assert helped.endswith("Balas BERHENTI untuk berhenti menerima SMS.")
    office.sms.receive_sms(TEEN, "BERHENTI")
    assert "dihentikan" in (await sms_count(office, TEEN, 3))[2]
    async with office.bot.db.session() as session:
        point = await session.scalar(select(ContactPoint))
        assert point is not None and point.sms_stopped_at is not None
    # A change of her session now reaches her by no channel: nothing more is sent to her.
    async with office.bot.db.session() as session:
        from bot.services import outbox

        people = await outbox.recipients_of(session, summons.target_id)
    assert people == []


async def test_a_stranger_s_number_is_not_believed(office: PhoneOffice) -> None:
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    office.sms.receive_sms("+6285799990000", "YA")

    async def logged() -> bool:
        async with office.bot.db.session() as session:
            found = await session.scalar(select(func.count()).where(Event.kind == "unknown_number"))
        return bool(found)

    await until(logged, what="the stranger's SMS read")
    async with office.bot.db.session() as session:
        now = await session.get(Summons, summons.id)
        assert now is not None and now.state == SummonsState.SUMMONED
    assert sms_texts(office, "+6285799990000") == []  # no answer, no cost


async def test_forged_replayed_and_repeated_webhooks_change_nothing(office: PhoneOffice) -> None:
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    transport = httpx.ASGITransport(app=_inbound(office))
    async with httpx.AsyncClient(transport=transport, base_url="http://public") as public:
        body = json.dumps(
            {
                "deviceId": "d",
                "event": "sms:received",
                "id": "evt-1",
                "webhookId": "sms:received",
                "payload": {
                    "messageId": "m1",
                    "message": "YA",
                    "phoneNumber": TEEN,
                    "receivedAt": "2026-12-06T10:00:00.000+07:00",
                },
            }
        ).encode()
        now = str(int(office.inbound.clock.now().timestamp()))
        forged = await public.post(
            "/sms", content=body, headers={"X-Signature": "0" * 64, "X-Timestamp": now}
        )
        assert forged.status_code == 403
        old = str(int(office.inbound.clock.now().timestamp()) - 3600)
        replayed = await public.post(
            "/sms",
            content=body,
            headers={"X-Signature": signature("kunci-tanda-uji", body, old), "X-Timestamp": old},
        )
        assert replayed.status_code == 403
        async with office.bot.db.session() as session:
            still = await session.get(Summons, summons.id)
            assert still is not None and still.state == SummonsState.SUMMONED
        signed = {"X-Signature": signature("kunci-tanda-uji", body, now), "X-Timestamp": now}
        for _ in range(3):  # the gateway's retries of one event
            answered = await public.post("/sms", content=body, headers=signed)
            assert answered.status_code == 200
        forged_wa = await public.post(
            "/whatsapp", content=b"{}", headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}
        )
        assert forged_wa.status_code == 403
        wrong_token = await public.get(
            "/whatsapp",
            params={"hub.mode": "subscribe", "hub.verify_token": "x", "hub.challenge": "42"},
        )
        assert wrong_token.status_code == 403
        right = await public.get(
            "/whatsapp",
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": "test-verify-token",
                "hub.challenge": "42",
            },
        )
        assert right.text == "42"
    async with office.bot.db.session() as session:
        confirmed = await session.scalar(
            select(func.count()).where(Event.kind == "summons_confirm")
        )
        replies = await session.scalar(
            select(func.count()).where(
                OutboxMessage.message_key == "phone_reply",
                OutboxMessage.state != OutboxState.CANCELLED,
            )
        )
    assert (confirmed, replies) == (1, 1)


def _inbound(office: PhoneOffice) -> Any:
    from bot.inbound.app import inbound_app

    return inbound_app(office.inbound)


async def test_an_unanswered_summons_climbs_to_the_next_rung_after_the_wait(
    office: PhoneOffice,
) -> None:
    """Sent on WhatsApp, no answer for LADDER_WAIT_HOURS: the same summons goes by SMS. An
    answer before the wait (on any channel) stops it."""
    office.whatsapp.add_user(TEEN)
    summons = await summoned_by_phone(office, whatsapp=True)
    await whatsapp_count(office, TEEN, 1)
    wait = timedelta(hours=office.bot.settings.ladder_wait_hours)

    async def sent() -> bool:
        async with office.bot.db.session() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.message_key == "summons")
            )
            return row is not None and row.state == OutboxState.SENT

    await until(sent, what="the WhatsApp summons recorded as sent")
    now = datetime.now(UTC)
    async with office.bot.db.session() as session:
        assert await ladder.climb(session, now=now, wait=wait) == 0  # not yet
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.message_key == "summons")
            .values(sent_at=now - wait - timedelta(minutes=1))
        )
    async with office.bot.db.session() as session:
        assert await ladder.climb(session, now=now, wait=wait) == 1
    async with office.bot.db.session() as session:
        assert await ladder.climb(session, now=now, wait=wait) == 0  # once per rung
    (by_sms,) = await sms_count(office, TEEN, 1)
    assert by_sms.startswith("Panggilan perekaman KTP-el untuk Rina Lestari:")
    async with office.bot.db.session() as session:
        step = await session.scalar(
            select(Event).where(Event.kind == "ladder_step").order_by(Event.id.desc())
        )
        assert step is not None and step.data["why"] == "unanswered"
        assert (step.data["failed"], step.data["to"]) == ("whatsapp", "sms")
    # She answers YA by SMS: the ladder ends there; nothing climbs again.
    office.sms.receive_sms(TEEN, "YA")
    await sms_count(office, TEEN, 2)
    async with office.bot.db.session() as session:
        now_state = await session.get(Summons, summons.id)
        assert now_state is not None and now_state.state == SummonsState.CONFIRMED
        later = now + 3 * wait
        assert await ladder.climb(session, now=later, wait=wait) == 0


async def test_quiet_hours_hold_the_summons_and_let_an_answer_through(sqlite_url: str) -> None:
    hour = datetime.now(ZoneInfo("Asia/Jakarta")).hour
    quiet = f"{hour}-{(hour + 2) % 24}"  # now is in the quiet hours
    async with phone_office(sqlite_url, quiet_hours=quiet) as office:
        summons = await summoned_by_phone(office)
        other = await factories.add_target(
            office.bot.db, office.bot.settings, name="Sari", serial=2, code="SARI2345"
        )
        await put_number(office, other.id, PARENT)
        office.sms.receive_sms(PARENT, "halo")  # someone writes: the answer is urgent
        (answer,) = await sms_count(office, PARENT, 1)
        assert "Belum ada panggilan" in answer
        # The summons was due before that answer; in quiet hours it stays unsent.
        assert sms_texts(office, TEEN) == []
        async with office.bot.db.session() as session:
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.summons_id == summons.id)
            )
            assert row is not None and row.state == OutboxState.PENDING and not row.urgent


async def test_an_sms_that_cannot_arrive_ends_the_ladder_and_lists_her_as_unreached(
    office: PhoneOffice,
) -> None:
    office.sms.set_failing(TEEN)
    summons = await summoned_by_phone(office)

    async def ended() -> bool:
        async with office.bot.db.session() as session:
            found = await session.scalar(select(Event).where(Event.kind == "ladder_end"))
        return found is not None

    await until(ended, what="the ladder's end")
    async with office.bot.db.session() as session:
        people = await unreached.unreached(session)
    assert [(p.target_id, p.why, p.numbers) for p in people] == [
        (summons.target_id, unreached.Why.UNDELIVERED, (TEEN,))
    ]


@pytest.mark.postgres
async def test_two_processes_never_send_one_message_on_two_channels(postgres_url: str) -> None:
    """Two bots on one PostgreSQL database race for the same rows while WhatsApp refuses a
    third of the numbers (not users): every teen gets her summons once, on WhatsApp or by SMS,
    never both, and never twice."""
    async with phone_office(postgres_url, processes=2) as office:
        bot = office.bot
        place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
        hall = await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=60)
        numbers = [f"+62812111{index:05d}" for index in range(30)]
        for index, number in enumerate(numbers):
            teen = await factories.add_target(
                bot.db,
                bot.settings,
                name=f"Remaja {index}",
                serial=index + 1,
                code=f"RMJ{index:05d}",
            )
            kind = index % 3  # 0: on WhatsApp, 1: not a WhatsApp user, 2: SMS only
            if kind != 2:
                office.whatsapp.add_user(number, is_user=kind == 0)
            await put_number(office, teen.id, number, whatsapp=kind != 2)
            await factories.summon(bot.db, bot.settings, teen, hall)

        async def everyone_summoned() -> bool:
            return all(
                len(sms_texts(office, n)) + _accepted_templates(office, n) >= 1 for n in numbers
            )

        await until(everyone_summoned, timeout=60, what="every teen summoned")
        # Which process sends what is the machine's timing, not asserted (a busy CI run may
        # give one of them every row); that none sends a row twice, on any channel, is.
        for index, number in enumerate(numbers):
            by_sms, on_whatsapp = (
                len(sms_texts(office, number)),
                _accepted_templates(office, number),
            )
            assert by_sms + on_whatsapp == 1, (index, by_sms, on_whatsapp)
            assert (on_whatsapp == 1) == (index % 3 == 0), index


def _accepted_templates(office: PhoneOffice, number: str) -> int:
    """Summons templates WhatsApp delivered to this number (a non-user's fails: not counted)."""
    return sum(
        1
        for message in office.whatsapp.chats.get(number.lstrip("+"), ())
        if message.body.get("type") == "template" and message.error is None
    )


async def test_a_teen_who_links_telegram_after_an_sms_is_not_told_twice(
    office: PhoneOffice,
) -> None:
    """Summoned by SMS, then she opens her letter's link in Telegram: the reminders waiting
    for her number go to Telegram instead, her number stays the next rung."""
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    async with office.bot.db.session() as session:
        target = await session.get(Target, summons.target_id)
        assert target is not None
        codes = factories.in_clear(session, target)
    teen = office.bot.user("Rina")
    teen.send(f"/start {codes.invite_code}")  # type: ignore[attr-defined]
    await teen.next_message()
    teen.send(codes.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    async with office.bot.db.session() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.message_key == "reminder")
            )
        )
    waiting = [r for r in rows if r.state == OutboxState.PENDING]
    assert waiting and all(r.channel == Channel.TELEGRAM for r in waiting)
    assert all(r.contact_id is not None for r in waiting)  # her number: the next rung
    by_sms = [r for r in rows if r.channel == Channel.SMS]
    assert by_sms and all(r.state == OutboxState.CANCELLED for r in by_sms)


async def test_rekam_summon_reaches_a_teen_who_has_only_a_number(office: PhoneOffice) -> None:
    """The benchmark's finding: `rekam summon` queued only for Telegram; a number on the
    record is reached the same way."""
    bot = office.bot
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
    await put_number(office, rina.id, TEEN)
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    await factories.add_session(bot.db, bot.settings, place, days_ahead=4, capacity=5)
    office_rules = Office.of(bot.settings)
    async with bot.db.session() as session:
        done = await summoning.summon_all(
            session,
            now=datetime.now(UTC),
            deadline=office_rules.deadline,
            policy=office_rules.policy,
            dry_run=False,
        )
    assert (done.summoned, done.messages_queued) == (1, 1)
    (summoned,) = await sms_count(office, TEEN, 1)
    assert summoned.startswith("Panggilan perekaman KTP-el untuk Rina Lestari:")


async def test_a_change_told_by_sms_is_said_so_and_not_as_telegram(office: PhoneOffice) -> None:
    """Who was told: a teen reached at her number is counted there, never "in her own
    Telegram chat"; the cancellation reaches her by SMS."""
    summons = await summoned_by_phone(office)
    await sms_count(office, TEEN, 1)
    rules = Office.of(office.bot.settings)
    async with office.bot.db.session() as session:
        _change, reach = await schedule.cancel(
            session, summons.session_id, now=datetime.now(UTC), deadline=rules.deadline, by="uji"
        )
    assert (reach.teens, reach.own_chat, reach.by_phone, reach.untold) == (1, 0, 1, 0)
    said = schedule_views.reached(reach, Catalogs().gettext("id"), "id")
    assert said == (
        "Dikabari: 1 dari 1 remaja (0 di Telegram sendiri, 1 lewat WhatsApp atau SMS ke "
        "nomornya, 0 orang tua/wali)."
    )
    cancelled = (await sms_count(office, TEEN, 2))[1]
    assert cancelled.startswith("Maaf, jadwal perekaman KTP-el Rina Lestari pada")
