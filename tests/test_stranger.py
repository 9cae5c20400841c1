"""A stranger who knows a teen's NIK, name, birth date and the code on her letter, with fifty
fresh Telegram accounts, at the service level on a frozen clock: the services every path's
handler calls (bot/handlers/invitation.py, parents.py, self_registration.py) are driven in the
order the handlers call them. No account reaches her record, nothing said tells a listed or a
recorded NIK from an unlisted one, and she is told her lock and until when.
tests/test_stranger_e2e.py plays a few such strangers through the bot."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.db.engine import Database
from bot.db.models import Account, Claim, ParentLink, Target
from bot.domain import nik as nik_rules
from bot.domain.kinds import LinkState, PreferredDays
from bot.domain.steps import Step
from bot.i18n import Catalogs
from bot.presentation import texts
from bot.services import accounts, answers, conversations, guardians, lockout, notices, registration
from bot.services.guardians import Linking
from bot.services.lockout import LONGEST_LOCK, Surface
from bot.services.registration import Claim as Claimed
from tests.support import factories
from tests.support.harness import make_settings

SETTINGS = make_settings("sqlite+aiosqlite:///unused.db")
POLICY = notices.Policy.of(SETTINGS)
ACCOUNTS = 50
_ = Catalogs().gettext("id")
_ids = itertools.count(710_000)


@pytest.fixture
def db(sqlite_database: Database) -> Database:
    return sqlite_database


@pytest.fixture
def clock() -> FrozenClock:
    # Now, to the minute: the factories' birth dates are ages as of today.
    return FrozenClock(SETTINGS.zone, datetime.now(UTC).replace(second=0, microsecond=0))


def tick(clock: FrozenClock, seconds: int = 5) -> None:
    """The next message, a few seconds after the last."""
    clock.move_to(clock.now() + timedelta(seconds=seconds))


async def fresh_account(db: Database) -> int:
    """A brand-new Telegram account that has sent /start: its Telegram id."""
    telegram_id = next(_ids)
    async with db.session() as session:
        await accounts.ensure(session, telegram_id, "id")
    return telegram_id


def locked_text(until: datetime) -> str:
    """What the person reads when locked (texts.locked), the time taken out: it is
    compared alike whatever the lock's end."""
    return texts.locked(until, _, "id", SETTINGS.zone).split(" sampai ")[0] + " sampai <waktu>"


# --- every path, as its handler calls the services --------------------------------------------


async def invitation(db: Database, clock: FrozenClock, person: int, code: str, born: date) -> str:
    """/start CODE, then the birth date (bot/handlers/invitation.py): what the person is told."""
    tick(clock)
    async with db.session() as session:
        lock = await registration.invitation_lock(session, person, code, now=clock.now())
        if lock is not None:
            return locked_text(lock.until)
        convo = await conversations.ensure(session, person, "id")
        await conversations.go(session, convo.account_id, Step.INVITE_DATE, code=code)
    tick(clock)
    async with db.session() as session:
        result = await registration.claim_invitation(
            session, person, code, born, now=clock.now(), policy=POLICY
        )
    if result.outcome == Claimed.LOCKED:
        assert result.locked_until is not None
        return locked_text(result.locked_until)
    return result.outcome.value


async def parent_code(db: Database, clock: FrozenClock, person: int, code: str, born: date) -> str:
    """/ortu CODE, then the child's birth date (bot/handlers/parents.py)."""
    tick(clock)
    async with db.session() as session:
        lock = await guardians.link_lock(session, person, code, via_nik=False, now=clock.now())
        if lock is not None:
            return locked_text(lock.until)
        convo = await conversations.ensure(session, person, "id")
        await conversations.go(session, convo.account_id, Step.PARENT_CODE_DATE, code=code)
    tick(clock)
    async with db.session() as session:
        linked = await guardians.link_by_code(
            session, person, code, born, name="Orang Asing", now=clock.now(), policy=POLICY
        )
    if linked.outcome == Linking.LOCKED:
        assert linked.locked_until is not None
        return locked_text(linked.locked_until)
    return linked.outcome.value


async def daftar(
    db: Database, clock: FrozenClock, person: int, nik: str, born: date, name: str
) -> list[str]:
    """/daftar to the end (bot/handlers/self_registration.py): consent, NIK, birth date, name,
    preferred days; what the person is told at each step."""
    tick(clock)
    async with db.session() as session:
        mine = await answers.mine(session, person)
        lock = await registration.registration_lock(session, person, None, now=clock.now())
    if mine.registered or mine.in_review:
        return [f"registered={mine.registered} in_review={mine.in_review}"]
    if lock is not None:
        return [locked_text(lock.until)]
    said = ["consent?"]
    tick(clock)
    async with db.session() as session:  # ✅ Saya setuju
        convo = await conversations.ensure(session, person, "id")
        await conversations.go(session, convo.account_id, Step.NIK)
    said.append("nik?")
    tick(clock)
    async with db.session() as session:
        convo = await conversations.ensure(session, person, "id")
        parsed = nik_rules.parse(nik, today=clock.today(), regions=SETTINGS.office_region_codes)
        lock = await registration.nik_typed(session, convo, parsed, now=clock.now())
    if lock is not None:
        return [*said, locked_text(lock.until)]
    said.append("born?")
    tick(clock)
    async with db.session() as session:
        convo = await conversations.ensure(session, person, "id")
        if born != date.fromisoformat(str(convo.data["nik_born"])):
            mismatch = await registration.refuse_registration(session, convo, now=clock.now())
            if mismatch.lock is not None:
                return [*said, locked_text(mismatch.lock.until)]
            return [*said, f"mismatch, {mismatch.tries_left} left"]
        refused = await registration.birth_date_given(
            session, convo, born, today=clock.today(), election=SETTINGS.election_date
        )
    if refused is not None:
        return [*said, f"age: {refused.problem}"]
    said.append("name?")
    tick(clock)
    async with db.session() as session:  # the name: kept as the handler keeps it
        convo = await conversations.ensure(session, person, "id")
        await conversations.go(
            session, convo.account_id, Step.PREFERENCE, after=convo.step, name=name, **convo.data
        )
    said.append("when?")
    tick(clock)
    async with db.session() as session:  # "Kapan saja"
        convo = await conversations.ensure(session, person, "id")
        assert convo.step == Step.PREFERENCE
        await registration.register(session, convo, preferred=PreferredDays.ANY)
    return [*said, "for review"]


async def parent_by_nik(
    db: Database, clock: FrozenClock, person: int, nik: str, born: date
) -> list[str]:
    """/ortu, "Anak tanpa Telegram: pakai NIK", the NIK, the birth date (bot/handlers/parents.py):
    what the person is told, with the last-try warning its tries_left brings."""
    tick(clock)
    async with db.session() as session:
        lock = await guardians.link_lock(session, person, None, via_nik=True, now=clock.now())
        if lock is not None:
            return [locked_text(lock.until)]
        convo = await conversations.ensure(session, person, "id")
        await conversations.go(session, convo.account_id, Step.PARENT_NIK)
    tick(clock)
    async with db.session() as session:
        convo = await conversations.ensure(session, person, "id")
        await guardians.nik_typed(session, convo.account_id, nik, after=convo.step)
    tick(clock)
    async with db.session() as session:
        convo = await conversations.ensure(session, person, "id")
        nik_hash = str(convo.data["nik_hash"])
        linked = await guardians.request_by_nik(
            session, person, nik_hash, born, name="Orang Asing", now=clock.now()
        )
    if linked.outcome == Linking.LOCKED:
        assert linked.locked_until is not None
        return ["nik?", "born?", locked_text(linked.locked_until)]
    return ["nik?", "born?", f"{linked.outcome.value} last-try-warned={linked.tries_left == 1}"]


# --- (a) fifty accounts ----------------------------------------------------------------------


@dataclass
class Reached:
    """Who holds her record, and the guardians linked to it."""

    holders: list[int]
    active_links: int


async def reached(db: Database, target_id: int) -> Reached:
    async with db.session() as session:
        holders = await session.scalars(
            select(Account.telegram_id).where(Account.target_id == target_id)
        )
        links = await session.scalar(
            select(func.count()).where(
                ParentLink.target_id == target_id, ParentLink.state == LinkState.ACTIVE
            )
        )
        return Reached(list(holders), int(links or 0))


async def wait_out_locks(db: Database, clock: FrozenClock, code: str, nik_hash: str) -> None:
    """The stranger waits until neither her letter's code nor her NIK is locked, so that the
    next account's answers are checked, not merely refused by a lock."""
    while True:
        async with db.session() as session:
            ends = [
                await lockout.lock_on(
                    session, surface, claimant=0, subject=subject, now=clock.now()
                )
                for surface, subject in (
                    (Surface.INVITATION, lockout.code_subject(code)),
                    (Surface.REGISTRATION, lockout.nik_subject(nik_hash)),
                )
            ]
        found = [lock.until for lock in ends if lock is not None]
        if not found:
            return
        clock.move_to(max(found))


async def test_fifty_accounts_with_everything_on_the_letter_never_reach_her_record(
    db: Database, clock: FrozenClock
) -> None:
    rina = await factories.add_target(db, SETTINGS, name="Rina Lestari", code="RINA2345")
    code, born = rina.invite_code, rina.birth_date  # type: ignore[attr-defined]
    nik = rina.nik  # type: ignore[attr-defined]
    teen = await fresh_account(db)  # she opened her letter, as letters are for
    assert await invitation(db, clock, teen, code, born) == Claimed.LINKED

    told: set[str] = set()
    for n in range(ACCOUNTS):
        # Every account's right answers are checked against her record, lock or no lock.
        await wait_out_locks(db, clock, code, rina.nik_hash)
        stranger = await fresh_account(db)
        told.add(await invitation(db, clock, stranger, code, born))
        told.add(await parent_code(db, clock, stranger, code, born))
        if n % 5 == 0:  # the longer paths, for one account in five
            told.update(await daftar(db, clock, stranger, nik, born, "Rina Lestari"))
            told.update(await parent_by_nik(db, clock, stranger, nik, born))
        assert await reached(db, rina.id) == Reached([teen], 0), f"account {n}"
    assert Claimed.LINKED not in told and Linking.LINKED not in told
    assert Claimed.REFUSED in told and Linking.REFUSED in told  # the answers were checked
    async with db.session() as session:  # /daftar leaves claims for staff, linking nothing
        claims = await session.scalar(select(func.count()).select_from(Claim))
    assert claims == ACCOUNTS // 5

    # Guessing on without waiting, they lock her letter within three more tries.
    for _tries in range(3):
        if (await invitation(db, clock, await fresh_account(db), code, born)).startswith(
            "Untuk keamanan"
        ):
            break
    # Rina, on a new phone, opens her letter: she is told of the lock and until when, which is
    # no later than the longest lock from now.
    again = await fresh_account(db)
    tick(clock)
    async with db.session() as session:
        lock = await registration.invitation_lock(session, again, code, now=clock.now())
        claimed = await registration.claim_invitation(
            session, again, code, born, now=clock.now(), policy=POLICY
        )
    assert lock is not None and claimed.outcome == Claimed.LOCKED
    assert claimed.locked_until == lock.until
    assert clock.now() < lock.until <= clock.now() + LONGEST_LOCK
    shown = texts.locked(lock.until, _, "id", SETTINGS.zone)
    local = lock.until.astimezone(SETTINGS.zone)
    assert shown.startswith("Untuk keamanan, percobaan ditunda sampai")
    assert f"{local.year}, {local:%H.%M} WIB" in shown
    assert await reached(db, rina.id) == Reached([teen], 0)

    # Her parents are untouched: they link with the code her own /kode gives.
    async with db.session() as session:
        kode = await guardians.parent_code_of(session, rina.id)
    mother = await fresh_account(db)
    assert await parent_code(db, clock, mother, kode, born) == Linking.LINKED
    assert await reached(db, rina.id) == Reached([teen], 1)


# --- (b) listed, recorded, unlisted ------------------------------------------------------------


async def transcript(db: Database, clock: FrozenClock, nik: str, born: date) -> list[str]:
    """What three fresh accounts are told when each tries one NIK on /daftar and on the
    parents' NIK path."""
    said: list[str] = []
    for _n in range(3):
        person = await fresh_account(db)
        said += await daftar(db, clock, person, nik, born, "Nama Tebakan")
        said += await parent_by_nik(db, clock, person, nik, born)
    said += await daftar(db, clock, await fresh_account(db), nik, born, "Nama Tebakan")
    said += await parent_by_nik(db, clock, await fresh_account(db), nik, born)
    return said


async def test_nothing_said_tells_a_listed_or_recorded_nik_from_an_unlisted_one(
    db: Database, clock: FrozenClock
) -> None:
    listed = await factories.add_target(db, SETTINGS, serial=11, code="LIST2345")
    recorded = await factories.add_target(db, SETTINGS, serial=12, code="RECO2345", recorded=True)
    born = factories.born_aged(SETTINGS, 17)
    unlisted = nik_rules.build(factories.REGION, born, female=True, serial=13)
    tried = [
        (listed.nik, listed.birth_date),  # type: ignore[attr-defined]
        (recorded.nik, recorded.birth_date),  # type: ignore[attr-defined]
        (unlisted, born),
    ]
    transcripts = [await transcript(db, clock, nik, date_) for nik, date_ in tried]
    assert transcripts[0] == transcripts[1] == transcripts[2]
    # The transcript went through every step, the lock included (or it would prove little).
    assert {"for review", "pending last-try-warned=True"} <= set(transcripts[0])
    assert "Untuk keamanan, percobaan ditunda sampai <waktu>" in transcripts[0]
    async with db.session() as session:  # the unlisted NIK became a record for staff to review
        records = await session.scalar(select(func.count()).select_from(Target))
    assert records == 3
