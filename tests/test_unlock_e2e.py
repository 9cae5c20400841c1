"""/buka_kunci lifts the lock it says it lifts: the teen who mistyped her birth date three times
gets in after staff unlock her letter's code, and the reply says what was locked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import FrozenClock
from bot.db.migrate import upgrade
from bot.domain.kinds import Actor, Channel
from bot.services import lockout
from tests.support import factories
from tests.support.harness import BotHarness, database, make_settings, until_phone_question
from tests.support.people import said, staff_member

LOCKED = "Untuk keamanan, percobaan ditunda sampai"


async def test_a_teen_locked_by_her_own_wrong_dates_gets_in_after_unlock(bot: BotHarness) -> None:
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    rina = bot.user("Rina")
    await said(rina, "/start RINA2345")
    for wrong in ("01-01-2001", "02-01-2001", "03-01-2001"):
        reply = await said(rina, wrong)
    assert reply.startswith(LOCKED)
    assert (await said(rina, "/start RINA2345")).startswith(LOCKED)

    officer = await staff_member(bot)
    lifted = await said(officer, "/buka_kunci RINA2345")
    assert "1 orang yang terkunci" in lifted and "✅" in lifted

    assert (await said(rina, "/start RINA2345")).startswith("Halo! Anda membuka undangan")
    rina.send(target.birth_date.strftime("%d-%m-%Y"))
    assert (await until_phone_question(rina))[0].text.startswith("Halo, Rina Lestari!")

    # Nothing is locked any more: the reply says so, and claims nothing.
    again = await said(officer, "/buka_kunci RINA2345")
    assert again.startswith("Tidak ada yang terkunci") and "✅" not in again


async def test_a_lift_frees_every_guesser_of_that_code_and_no_other_guess(sqlite_url: str) -> None:
    """Service level, on a frozen clock: two people locked on one code are both freed; a lock
    one of them earned on another code stays."""
    db = database(sqlite_url)
    await upgrade(db)
    now = FrozenClock(ZoneInfo("Asia/Jakarta"), datetime(2026, 11, 2, 3, tzinfo=UTC)).now()
    surface = lockout.Surface.INVITATION
    try:
        async with db.session() as session:
            for claimant in (1, 2):
                for n in range(3):
                    await lockout.refuse(
                        session,
                        surface,
                        claimant=claimant,
                        subject=lockout.code_subject("RINA2345"),
                        now=now + timedelta(seconds=n),
                        actor=Actor.TEEN,
                    )
            for n in range(3):
                await lockout.refuse(
                    session,
                    surface,
                    claimant=1,
                    subject=lockout.code_subject("DIMA2345"),
                    now=now + timedelta(seconds=10 + n),
                    actor=Actor.TEEN,
                )
            later = now + timedelta(minutes=1)
            lifted = await lockout.lift_typed(
                session, "rina2345", by=9, channel=Channel.TELEGRAM, now=later
            )
            assert lifted == lockout.Lifted(subject_locked=True, people=2)
            rina = lockout.code_subject("RINA2345")
            assert (
                await lockout.lock_on(session, surface, claimant=2, subject=rina, now=later) is None
            )
            still = await lockout.lock_on(session, surface, claimant=1, subject=rina, now=later)
            assert (
                still is not None
            )  # the lock earned on the other code is not staff's to lift here
            assert (
                await lockout.tries_left(session, surface, claimant=2, now=later, subject=rina) == 3
            )
    finally:
        await db.dispose()


async def test_a_letters_code_lifts_the_lock_on_that_teens_nik_too(sqlite_url: str) -> None:
    """Locked on /daftar by her NIK, the teen shows her letter at the desk: staff type its code,
    and her NIK is free again."""
    db = database(sqlite_url)
    await upgrade(db)
    settings = make_settings(sqlite_url)
    target = await factories.add_target(db, settings, code="RINA2345")
    now = datetime(2026, 11, 2, 3, tzinfo=UTC)
    surface = lockout.Surface.REGISTRATION
    try:
        async with db.session() as session:
            nik = lockout.nik_subject(target.nik_hash)
            for n in range(3):
                await lockout.refuse(
                    session,
                    surface,
                    claimant=5,
                    subject=nik,
                    now=now + timedelta(seconds=n),
                    actor=Actor.TEEN,
                )
            assert await lockout.lock_on(session, surface, claimant=5, subject=nik, now=now)
            lifted = await lockout.lift_typed(
                session, "RINA 2345", by=9, channel=Channel.TELEGRAM, now=now + timedelta(minutes=1)
            )
            assert lifted == lockout.Lifted(subject_locked=True, people=1)
            later = now + timedelta(minutes=1)
            assert (
                await lockout.lock_on(session, surface, claimant=5, subject=nik, now=later) is None
            )
    finally:
        await db.dispose()
