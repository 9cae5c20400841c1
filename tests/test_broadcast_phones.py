"""A staff broadcast reaches the families Telegram does not (issue 24): a teen with only a
WhatsApp number gets the approved template, a teen and a guardian with only a phone get an SMS
under the office's name, a guardian's number on two siblings' records gets one copy, and the
preview says how many go on each channel and what the phone ones cost. A text too long for
SMS is refused when someone would get it by SMS, never cut. Through /siaran, the dispatcher,
the emulators; the numbers are made up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import Event, OutboxMessage
from bot.domain.kinds import Audience, Channel, ContactOf
from bot.services import broadcasts
from tests.support import factories
from tests.support.people import said, staff_member, teens_at
from tests.support.phones import (
    PhoneOffice,
    phone_office,
    put_number,
    sms_count,
    whatsapp_count,
)

SARI_WA = "+6281211110002"  # a teen with only WhatsApp
DEWI_SMS = "+6281211110003"  # a teen with only a phone
SIBLINGS_PARENT = "+6281322220009"  # the one guardian number of two siblings, SMS only


@pytest.fixture
async def office(sqlite_url: str) -> Any:
    async with phone_office(sqlite_url, whatsapp_cost=350, sms_cost=300) as running:
        yield running


async def _families(office: PhoneOffice) -> None:
    """Rina on Telegram; Sari on WhatsApp; Dewi by SMS; Eka and Fajar, siblings whose only
    contact is their guardian's number; Gita with nothing at all."""
    bot = office.bot
    place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
    service = await factories.add_session(bot.db, bot.settings, place, days_ahead=4)
    await teens_at(bot, "Rina", session=service)
    names = ("Sari Wulandari", "Dewi Anggraini", "Eka Putri", "Fajar Nugroho", "Gita Lestari")
    made = {}
    for serial, name in enumerate(names, start=11):
        made[name] = await factories.add_target(
            bot.db, bot.settings, name=name, serial=serial, code=f"KODE{serial}34"
        )
    office.whatsapp.add_user(SARI_WA)
    await put_number(office, made["Sari Wulandari"].id, SARI_WA, whatsapp=True)
    await put_number(office, made["Dewi Anggraini"].id, DEWI_SMS)
    for sibling in ("Eka Putri", "Fajar Nugroho"):
        await put_number(office, made[sibling].id, SIBLINGS_PARENT, whose=ContactOf.GUARDIAN)


async def test_siaran_reaches_whatsapp_and_sms_families_and_prices_them(
    office: PhoneOffice,
) -> None:
    await _families(office)
    officer = await staff_member(office.bot)
    officer.send("/siaran")
    await officer.next_message()
    officer.press("Semua yang belum merekam")
    await officer.next_message()
    preview = await said(officer, "Sesi Sabtu mulai pukul 09.00.")
    # Two SMS copies (Dewi, and the siblings' guardian once), one SMS each at Rp 300.
    assert preview.endswith(
        "Akan dikirim ke 4 orang.\n"
        "1 lewat Telegram, 1 lewat WhatsApp (≈ Rp 350), 2 lewat SMS (≈ Rp 600).\n"
        "Belum merekam: 6 — 5 dapat dijangkau, 1 tidak."
    )
    officer.press("📢 Kirim sekarang")
    assert (await officer.next_message()).text.startswith("✅ Siaran sedang dikirim ke 4 orang.")

    (template,) = await whatsapp_count(office, SARI_WA, 1)
    assert template["type"] == "template"
    assert template["template"]["name"] == "rekam_siaran"
    values = [p["text"] for p in template["template"]["components"][0]["parameters"]]
    assert values == ["Dinas Dukcapil Kota Uji", "Sesi Sabtu mulai pukul 09.00."]
    expected = "Dinas Dukcapil Kota Uji: Sesi Sabtu mulai pukul 09.00."
    assert await sms_count(office, DEWI_SMS, 1) == [expected]
    assert await sms_count(office, SIBLINGS_PARENT, 1) == [expected]
    # One copy for the guardian of two: the outbox holds one row for that number.
    async with office.bot.db.session() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.channel).where(OutboxMessage.message_key == "broadcast")
            )
        ).all()
        event = await session.scalar(select(Event).where(Event.kind == "broadcast"))
    assert sorted(channel for (channel,) in rows) == ["sms", "sms", "telegram", "whatsapp"]
    assert event is not None
    assert event.data["channels"] == {"telegram": 1, "whatsapp": 1, "sms": 2}


async def test_a_text_too_long_for_sms_is_refused_only_where_someone_gets_an_sms(
    office: PhoneOffice,
) -> None:
    bot = office.bot
    await _families(office)
    long_text = "Mohon bawa fotokopi kartu keluarga dan akta kelahiran. " * 9  # ~500 chars
    async with bot.db.session() as session:
        refused = await broadcasts.send(
            session,
            audience=Audience.ALL_PENDING,
            value=None,
            text=long_text,
            office=bot.settings.office_name,
            by=0,
            channel=Channel.CLI,
            now=datetime.now(UTC),
        )
    assert refused.refused == broadcasts.Refusal.TOO_LONG_FOR_SMS
    assert refused.sms_parts == 4 and refused.recipients == 0
    # Rina's session holds only Telegram people: the same text goes, uncut.
    async with bot.db.session() as session:
        choices = await broadcasts.session_choices(
            session, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        sent = await broadcasts.send(
            session,
            audience=Audience.SESSION,
            value=str(choices[0].id),
            text=long_text,
            office=bot.settings.office_name,
            by=0,
            channel=Channel.CLI,
            now=datetime.now(UTC),
        )
    assert sent.refused is None and sent.recipients == 1
    assert sent.reach is not None and sent.reach.by_phone == 0


async def test_siaran_says_why_a_text_is_too_long_for_sms_and_takes_a_shorter_one(
    office: PhoneOffice,
) -> None:
    await _families(office)
    officer = await staff_member(office.bot)
    officer.send("/siaran")
    await officer.next_message()
    officer.press("Semua yang belum merekam")
    await officer.next_message()
    refusal = await said(officer, "Mohon bawa fotokopi kartu keluarga. " * 14)
    assert refusal == (
        "Pesan terlalu panjang untuk SMS: 4 SMS, paling banyak 3. Sebagian penerima hanya bisa "
        "dihubungi lewat WhatsApp atau SMS; persingkat pesannya."
    )
    # The step stays: a shorter text is previewed.
    assert "Akan dikirim ke 4 orang." in await said(officer, "Bawa KK.")
