"""The outbox and its dispatcher, through the real bot and the emulator's real limits."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.models import Account, OutboxMessage, ParentLink, Staff
from bot.domain.kinds import LinkMethod, LinkState, OutboxState, Role
from bot.domain.outbox_kinds import Kind
from bot.domain.reminders import reminder_times
from bot.emulator import Limits
from bot.emulator.state import Fault
from bot.services import outbox
from bot.services.outbox import Message, Recipient
from tests.support import factories
from tests.support.harness import (
    BotHarness,
    broadcast_to,
    make_settings,
    running_bot,
    started,
    until,
)
from tests.support.offices import setup_summons
from tests.support.people import linked


async def rows(bot: BotHarness, **where: object) -> list[OutboxMessage]:
    async with bot.db.session() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for column, value in where.items():
            query = query.where(getattr(OutboxMessage, column) == value)
        return list((await session.execute(query)).scalars())


async def test_a_summons_goes_out_through_the_outbox_with_its_pin_and_reminders(
    bot: BotHarness,
) -> None:
    target, first, _second = await setup_summons(bot)
    teen = await linked(bot, target)
    summons = await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]

    received = [await teen.next_message(), await teen.next_message()]
    assert received[0].text.startswith("📣 Panggilan perekaman KTP-el")
    assert received[1].venue is not None
    sent = await rows(bot, summons_id=summons.id)
    by_key = {row.message_key: row for row in sent if row.message_key != "reminder"}
    await until(lambda: _all_sent(bot, summons.id))
    sent = await rows(bot, summons_id=summons.id)
    assert {r.message_key: r.state for r in sent if r.message_key != "reminder"} == {
        "summons": OutboxState.SENT,
        "venue": OutboxState.SENT,
    }
    assert by_key["summons"].chat_id == teen.id
    reminders = {r.params["which"]: r for r in sent if r.message_key == "reminder"}
    expected = reminder_times(first.starts_at, bot.settings.zone)  # type: ignore[attr-defined]
    assert {which: r.due_at for which, r in reminders.items()} == expected
    assert all(r.state == OutboxState.PENDING for r in reminders.values())


async def _all_sent(bot: BotHarness, summons_id: int) -> bool:
    found = await rows(bot, summons_id=summons_id)
    return all(r.state == OutboxState.SENT for r in found if r.message_key != "reminder")


async def test_reminders_are_cancelled_on_decline_and_rescheduled_on_move(bot: BotHarness) -> None:
    target, first, second = await setup_summons(bot)
    teen = await linked(bot, target)
    summons = await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]
    await teen.next_message()
    teen.press("🔁")
    options = await teen.next_message()
    teen.press("", message=options)
    await teen.edited(options)
    await teen.next_messages(2)  # the new summons and its pin
    found = await rows(bot, summons_id=summons.id, message_key="reminder")
    old = [r for r in found if r.params["session_id"] == first.id]  # type: ignore[attr-defined]
    new = [r for r in found if r.params["session_id"] == second.id]  # type: ignore[attr-defined]
    assert old and all(r.state == OutboxState.CANCELLED for r in old)
    assert len(new) == 3 and all(r.state == OutboxState.PENDING for r in new)
    # The teen who moved saw the new summons as a reply: it is not sent to them again.
    assert [
        r.message_key for r in await rows(bot, summons_id=summons.id, state=OutboxState.PENDING)
    ] == ["reminder"] * 3

    summons_message = next(m for m in reversed(teen.messages) if m.text.startswith("📣"))
    await teen.answer(teen.press("❌", message=summons_message))
    reasons = await teen.edited(summons_message)  # the reasons arrive as an edit
    await teen.answer(teen.press("Sakit", message=reasons))
    assert "/ganti" in (await teen.next_message()).text  # told it is recorded
    pending = await rows(bot, summons_id=summons.id, state=OutboxState.PENDING)
    assert pending == []


async def test_someone_linked_late_gets_the_reminders_still_ahead(bot: BotHarness) -> None:
    target, first, _ = await setup_summons(bot)
    await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]
    assert await rows(bot) == []  # nobody to send to yet
    teen = await linked(bot, target)
    assert any(m.text.startswith("📣") for m in teen.messages)  # shown at once, as a reply
    queued = await rows(bot, chat_id=teen.id)
    assert sorted(r.params["which"] for r in queued) == ["h1", "h3", "morning"]


async def test_a_blocked_teen_is_marked_unreachable_and_parent_and_staff_are_told(
    bot: BotHarness,
) -> None:
    target, first, _ = await setup_summons(bot)
    teen = await linked(bot, target)
    parent, staff = bot.user("Ibu Wulan"), bot.user("Petugas")
    for person in (parent, staff):
        person.send("/start")
        await person.next_message()
    async with bot.db.session() as session:
        parent_account = (
            await session.execute(select(Account).where(Account.telegram_id == parent.id))
        ).scalar_one()
        parent_account.role = Role.PARENT
        session.add(
            ParentLink(
                parent_account_id=parent_account.id,
                target_id=target.id,
                state=LinkState.ACTIVE,
                method=LinkMethod.CODE,
            )
        )
        session.add(Staff(telegram_id=staff.id, is_admin=True))
    teen.block_bot()
    summons = await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]

    assert (await parent.next_message()).text.startswith(
        "📣 Panggilan perekaman KTP-el untuk anak Anda, Rina Lestari"
    )
    told_parent = await parent.next_message()
    while not told_parent.text.startswith("Pesan kami untuk Rina Lestari tidak terkirim"):
        told_parent = await parent.next_message()
    told_staff = await staff.next_message()
    assert told_staff.text.startswith("Tidak terkirim: Rina Lestari memblokir bot Rekam.")
    async with bot.db.session() as session:
        account = (
            await session.execute(select(Account).where(Account.telegram_id == teen.id))
        ).scalar_one()
    assert account.unreachable_at is not None
    teen_rows = await rows(bot, summons_id=summons.id, chat_id=teen.id)
    assert {r.state for r in teen_rows if r.message_key == "summons"} == {OutboxState.UNREACHABLE}
    assert {r.state for r in teen_rows if r.message_key == "reminder"} == {OutboxState.CANCELLED}


async def test_server_errors_are_retried_with_backoff(bot: BotHarness) -> None:
    target, first, _ = await setup_summons(bot)
    teen = await linked(bot, target)
    bot.app.bot_data.dispatcher.retry_base = 0.05
    bot.emulator.inject(Fault("sendMessage", count=2, status=502))
    summons = await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]
    assert (await teen.next_message()).text.startswith("📣")
    await until(lambda: _all_sent(bot, summons.id))
    row = (await rows(bot, summons_id=summons.id, message_key="summons"))[0]
    assert (row.state, row.attempts, row.last_error) == (OutboxState.SENT, 3, None)
    assert sum(m.text.startswith("📣") for m in teen.messages) == 1  # two failures, one copy
    assert teen.messages[-1].venue is not None  # and the pin still comes after its summons


async def test_timeouts_are_retried(sqlite_url: str) -> None:
    async with running_bot(make_settings(sqlite_url), read_timeout=0.5) as bot:
        target, first, _ = await setup_summons(bot)
        teen = await linked(bot, target)
        bot.app.bot_data.dispatcher.retry_base = 0.05
        bot.emulator.inject(Fault("sendMessage", count=1, status=None, delay=1.0))
        summons = await factories.summon(bot.db, bot.settings, target, first)  # type: ignore[arg-type]
        await until(lambda: _all_sent(bot, summons.id))
        row = (await rows(bot, summons_id=summons.id, message_key="summons"))[0]
        assert row.attempts == 2
        # The timed-out call did reach "Telegram" (it was only slow), so the teen sees it twice:
        # the one duplicate a sender cannot avoid, and the reason timeouts are retried at all.
        assert sum(m.text.startswith("📣") for m in teen.messages) == 2


async def test_pacing_keeps_within_the_limits_with_no_429(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, dispatch_rate=10)
    async with running_bot(settings, limits=Limits(overall_per_second=10, chat_burst=1)) as bot:
        people = started(bot, 25)
        await broadcast_to(bot, people, "Jadwal MPP Sabtu dipindah ke pukul 09.00.")
        started_at = time.monotonic()
        await until(lambda: _delivered(bot, 25))
        elapsed = time.monotonic() - started_at
        stats = bot.emulator.limiter.stats
        assert (stats.refused, stats.accepted) == (0, 25)
        assert stats.peak_one_second <= 10
        assert elapsed >= 2.0  # 25 messages at 10 a second cannot take less
        assert all(p.messages[-1].text.endswith("dipindah ke pukul 09.00.") for p in people)


async def _delivered(bot: BotHarness, count: int) -> bool:
    return len(await rows(bot, state=OutboxState.SENT)) >= count


async def test_one_chat_gets_at_most_one_message_a_second(sqlite_url: str) -> None:
    settings = make_settings(sqlite_url, dispatch_rate=30)
    async with running_bot(settings, limits=Limits(chat_burst=1)) as bot:
        person = started(bot, 1)
        for text in ("satu", "dua", "tiga"):
            await broadcast_to(bot, person, text)
        await until(lambda: _delivered(bot, 3))
        sent = sorted(r.sent_at for r in await rows(bot, state=OutboxState.SENT))
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(sent)]
        assert bot.emulator.limiter.stats.refused == 0
        assert all(gap >= 0.9 for gap in gaps), gaps
        assert [m.text.rsplit("\n", 1)[-1] for m in person[0].messages] == ["satu", "dua", "tiga"]


@pytest.mark.parametrize("lease", [60.0, 3.0])
async def test_429_pauses_sending_and_nothing_is_lost_or_doubled(
    sqlite_url: str, lease: float
) -> None:
    # The dispatcher believes it may send 20 a second; "Telegram" allows 5. With a 3 s claim,
    # sends still waiting out the pauses when their claim runs out are claimed afresh, never
    # sent by both claims.
    settings = make_settings(sqlite_url, dispatch_rate=20, dispatch_lease_seconds=lease)
    async with running_bot(settings, limits=Limits(overall_per_second=5)) as bot:
        people = started(bot, 15)
        await broadcast_to(bot, people, "Pengumuman")
        await until(lambda: _delivered(bot, 15))
        assert bot.emulator.limiter.stats.refused > 0
        assert [len(p.messages) for p in people] == [1] * 15
        retried = [r for r in await rows(bot) if r.attempts > 1]
        assert retried and all(r.state == OutboxState.SENT for r in retried)


async def test_a_rejected_message_fails_with_the_reason(bot: BotHarness) -> None:
    person = started(bot, 1)
    await broadcast_to(bot, person, "x" * 5000)  # over Telegram's 4096 characters
    await until(lambda: _has_state(bot, OutboxState.FAILED))
    row = (await rows(bot))[0]
    assert row.last_error == "Message is too long"


async def _has_state(bot: BotHarness, state: OutboxState) -> bool:
    return any(r.state == state for r in await rows(bot))


async def test_the_same_reminder_can_never_be_queued_twice(bot: BotHarness) -> None:
    due = datetime.now(UTC) + timedelta(days=1)
    reminder = Message(
        kind=Kind.REMINDER,
        due_at=due,
        params={"summons_id": 1, "session_id": 1, "which": "h1"},
        summons_id=1,
        dedupe="reminder:1:1:h1",
    )
    async with bot.db.session() as session:
        for _ in range(3):
            await outbox.enqueue(session, [Recipient(42, "id")], [reminder])
    assert len(await rows(bot)) == 1
