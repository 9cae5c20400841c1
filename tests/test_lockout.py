"""The lockout's rules at the service level, on a frozen clock (bot/services/lockout.py): three
refused guesses lock, by the guesser's count on a surface or by the code's or NIK's count by
anyone; the last try is known before it is made; nothing a stranger can do resets a lock
(another account, /hapus, a restart), and a lock ends when its time is up, longer each time.
tests/test_lockout_e2e.py plays one such stranger through the bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import Account
from bot.domain import nik as nik_rules
from bot.domain.kinds import Actor, Channel, Role
from bot.services import accounts, conversations, lockout, notices, registration
from bot.services.lockout import Surface
from bot.services.registration import Claim
from tests.support import factories
from tests.support.harness import database as open_database
from tests.support.harness import make_settings

SETTINGS = make_settings("sqlite+aiosqlite:///unused.db")
START = datetime(2026, 11, 2, 3, tzinfo=UTC)
STRANGER, OTHER = 700_001, 700_002


@pytest.fixture
def db(sqlite_database: Database) -> Database:
    return sqlite_database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(SETTINGS.zone, START)


def vault(db: Database):  # type: ignore[no-untyped-def]
    assert db.vault is not None
    return db.vault


def subject_of(surface: Surface, db: Database, text: str) -> str:
    """What a guess on `surface` is about: a code, or a NIK's keyed hash."""
    if surface in (Surface.INVITATION, Surface.PARENT_CODE):
        return lockout.code_subject(text)
    return lockout.nik_subject(vault(db).hash(text))


async def guess(
    db: Database, clock: FrozenClock, surface: Surface, claimant: int, subject: str
) -> lockout.Lock | None:
    """One refused guess, a second after the last one."""
    clock.move_to(clock.now() + timedelta(seconds=1))
    async with db.session() as session:
        return await lockout.refuse(
            session, surface, claimant=claimant, subject=subject, now=clock.now(), actor=Actor.TEEN
        )


async def lock_on(
    db: Database, clock: FrozenClock, surface: Surface, claimant: int, subject: str | None
) -> lockout.Lock | None:
    async with db.session() as session:  # a new session each time: as a new request would
        return await lockout.lock_on(
            session, surface, claimant=claimant, subject=subject, now=clock.now()
        )


async def tries_left(
    db: Database, clock: FrozenClock, surface: Surface, claimant: int, subject: str
) -> int:
    async with db.session() as session:
        return await lockout.tries_left(
            session, surface, claimant=claimant, subject=subject, now=clock.now()
        )


GUESSED = {
    Surface.INVITATION: "RINA2345",
    Surface.PARENT_CODE: "RINA2345",
    Surface.REGISTRATION: "3599015203090007",
    Surface.PARENT_NIK: "3599015203090007",
}


@pytest.mark.parametrize("surface", list(Surface), ids=lambda s: s.value)
async def test_three_refused_guesses_lock_and_the_last_try_is_said_before_it(
    db: Database, clock: FrozenClock, surface: Surface
) -> None:
    subject = subject_of(surface, db, GUESSED[surface])
    assert await tries_left(db, clock, surface, STRANGER, subject) == 3
    assert await guess(db, clock, surface, STRANGER, subject) is None
    assert await tries_left(db, clock, surface, STRANGER, subject) == 2
    assert await guess(db, clock, surface, STRANGER, subject) is None
    # Two wrong tries are not a lock: the rightful answer would still be checked.
    assert await lock_on(db, clock, surface, STRANGER, subject) is None
    assert await tries_left(db, clock, surface, STRANGER, subject) == 1  # "Tinggal 1 kali"
    lock = await guess(db, clock, surface, STRANGER, subject)
    assert lock is not None and lock.until == clock.now() + lockout.FIRST_LOCK
    # Locked for the guesser on anything on this surface, and on this code or NIK for anyone.
    assert await lock_on(db, clock, surface, STRANGER, None) == lock
    assert await lock_on(db, clock, surface, OTHER, subject) == lock


@pytest.mark.parametrize("surface", list(Surface), ids=lambda s: s.value)
async def test_nothing_a_stranger_can_do_resets_a_lock(
    db: Database, clock: FrozenClock, surface: Surface
) -> None:
    """The lock is counted from the append-only log, keyed by the Telegram id and by the code
    or NIK: an account deleted (/hapus), a brand-new account, other surfaces' steps and a
    restarted bot (a new database handle) all find it there."""
    subject = subject_of(surface, db, GUESSED[surface])
    async with db.session() as session:
        account = await accounts.ensure(session, STRANGER, "id")
        account_id = account.id
    for _ in range(3):
        clock.move_to(clock.now() + timedelta(seconds=1))
        async with db.session() as session:
            await lockout.refuse(
                session,
                surface,
                claimant=STRANGER,
                subject=subject,
                now=clock.now(),
                actor=Actor.TEEN,
                account_id=account_id,
            )
    async with db.session() as session:  # /hapus: the account row goes
        await session.execute(delete(Account).where(Account.id == account_id))
    clock.move_to(clock.now() + timedelta(minutes=30))
    assert await lock_on(db, clock, surface, STRANGER, subject) is not None
    assert await lock_on(db, clock, surface, OTHER, subject) is not None  # a new account
    restarted = open_database(db.url)
    try:
        assert await lock_on(restarted, clock, surface, STRANGER, subject) is not None
    finally:
        await restarted.dispose()


async def test_a_lock_ends_when_its_time_is_up_and_the_next_is_longer(
    db: Database, clock: FrozenClock
) -> None:
    subject = lockout.code_subject("RINA2345")
    surface = Surface.INVITATION
    for _ in range(3):
        first = await guess(db, clock, surface, STRANGER, subject)
    assert first is not None
    clock.move_to(first.until - timedelta(seconds=1))
    assert await lock_on(db, clock, surface, STRANGER, subject) is not None
    clock.move_to(first.until)
    assert await lock_on(db, clock, surface, STRANGER, subject) is None
    # Three more: the lock doubles (1 h, then 2 h, ... never more than a day).
    for _ in range(3):
        second = await guess(db, clock, surface, STRANGER, subject)
    assert second is not None and second.until == clock.now() + 2 * lockout.FIRST_LOCK
    assert [lockout.lock_length(n) for n in (3, 6, 9, 30, 300)] == [
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=4),
        timedelta(hours=24),
        timedelta(hours=24),
    ]


async def test_other_accounts_guesses_at_the_same_code_count_toward_its_lock(
    db: Database, clock: FrozenClock
) -> None:
    """A lock comes from the code's guesses by anyone too: the warning says so before it."""
    subject = lockout.code_subject("RINA2345")
    surface = Surface.INVITATION
    await guess(db, clock, surface, STRANGER, subject)
    # The second account's first guess is the code's second: one more and the code locks.
    assert await tries_left(db, clock, surface, OTHER, subject) == 2
    await guess(db, clock, surface, OTHER, subject)
    assert await tries_left(db, clock, surface, OTHER, subject) == 1
    third = 700_003
    assert await guess(db, clock, surface, third, subject) is not None
    # ... and across surfaces: the code's lock holds on /ortu with it as well.
    assert await lock_on(db, clock, Surface.PARENT_CODE, 700_004, subject) is not None


async def test_a_nik_is_locked_alike_whether_or_not_it_is_listed(
    db: Database, clock: FrozenClock
) -> None:
    """The lock on a NIK typed in /daftar never tells whether the NIK is on the list."""
    listed = await factories.add_target(db, SETTINGS)
    born = factories.born_aged(SETTINGS, 16)
    unlisted = nik_rules.build(factories.REGION, born, female=True, serial=77)
    surface = Surface.REGISTRATION
    found = []
    for nik in (listed.nik, unlisted):
        subject = lockout.nik_subject(vault(db).hash(nik))
        locks = [await guess(db, clock, surface, 800_000 + n, subject) for n in range(3)]
        found.append([lock is not None for lock in locks])
        assert await lock_on(db, clock, surface, 900_000, subject) is not None
    assert found == [[False, False, True], [False, False, True]]


async def test_an_invitation_claimed_while_locked_is_refused_even_with_the_right_date(
    db: Database, clock: FrozenClock
) -> None:
    """The surface as the bot uses it: wrong dates are counted, and once locked the right date
    is not even checked; when the lock is lifted the rightful teen gets in."""
    target = await factories.add_target(db, SETTINGS, name="Rina Lestari", code="RINA2345")
    async with db.session() as session:
        await accounts.ensure(session, STRANGER, "id")
        await accounts.choose_role(session, STRANGER, Role.TEEN, "id")
    policy = notices.Policy.of(SETTINGS)
    answers = []
    for wrong in (1, 2, 3, 4):
        async with db.session() as session:
            born = target.birth_date if wrong == 4 else target.birth_date - timedelta(days=wrong)
            linked = await registration.claim_invitation(
                session, STRANGER, "RINA2345", born, now=clock.now(), policy=policy
            )
        answers.append(linked.outcome)
    assert answers == [Claim.REFUSED, Claim.REFUSED, Claim.LOCKED, Claim.LOCKED]
    async with db.session() as session:
        lifted = await lockout.lift_typed(
            session, "RINA2345", by=9, channel=Channel.TELEGRAM, now=clock.now()
        )
        assert lifted.anything
    async with db.session() as session:
        linked = await registration.claim_invitation(
            session, STRANGER, "RINA2345", target.birth_date, now=clock.now(), policy=policy
        )
        assert linked.outcome == Claim.LINKED


async def test_a_nik_typed_by_any_path_into_daftar_meets_the_lock(
    db: Database, clock: FrozenClock
) -> None:
    """However a person reaches /daftar's NIK question again (the command, an old consent
    button, a new account), the NIK they type is checked against the lock before it is kept."""
    nik = GUESSED[Surface.REGISTRATION]
    subject = lockout.nik_subject(vault(db).hash(nik))
    for _ in range(3):
        await guess(db, clock, Surface.REGISTRATION, STRANGER, subject)
    for person in (STRANGER, OTHER):
        async with db.session() as session:
            convo = await conversations.ensure(session, person, "id")
            lock = await registration.nik_typed(
                session, convo, nik_rules.parse(nik, today=clock.today()), now=clock.now()
            )
        assert lock is not None
        async with db.session() as session:
            after = await conversations.current(session, person)
        assert after is not None and after.step is None  # nothing of the NIK is kept
