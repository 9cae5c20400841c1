"""One lockout for every guessing surface, played as a stranger would: three refused guesses
lock it, and nothing resets the lock — not another command, an old button pressed again,
/hapus, a brand-new Telegram account, nor a restart of the bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.db.models import Account, ParentLink
from bot.domain import nik as nik_rules
from bot.emulator import Limits, UserClient
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness, make_settings, onboard, running_bot

LOCKED = "Untuk keamanan, percobaan ditunda sampai"
WRONG_DATE = "01-01-2001"


def dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


async def said(person: UserClient, text: str) -> str:
    person.send(text)
    return (await person.next_message()).text


async def until(person: UserClient, text: str, fragment: str) -> None:
    """Send `text`, then read until the bot's reply containing `fragment` (messages an earlier
    press sent before it are skipped)."""
    person.send(text)
    while fragment not in (await person.next_message()).text:
        pass


@dataclass(frozen=True)
class Surface:
    """How a person guesses on one surface, and how they try again with the right answers."""

    name: str
    guess: Callable[[UserClient, factories.Target], Awaitable[str]]  # one wrong try
    attempt: Callable[[UserClient, factories.Target], Awaitable[str]]  # the right answers
    # A parent's NIK request is answered alike whatever happens to it, so the lock its third
    # attempt reaches is said at the next attempt, not as the answer to that one.
    lock_said_at_once: bool = True


async def _invitation_guess(person: UserClient, target: factories.Target) -> str:
    await said(person, f"/start {target.invite_code}")
    return await said(person, WRONG_DATE)


async def _invitation_attempt(person: UserClient, target: factories.Target) -> str:
    reply = await said(person, f"/start {target.invite_code}")
    return reply if reply.startswith(LOCKED) else await said(person, dmy(target.birth_date))


async def _daftar_to_nik(person: UserClient) -> str | None:
    """/daftar up to the NIK question; what the bot said instead, if it refused."""
    reply = await said(person, "/daftar")
    if "Apakah Anda setuju?" not in reply:
        return reply
    person.press("✅ Saya setuju")
    assert "Tulis NIK Anda" in (await person.next_message()).text
    return None


async def _registration_guess(person: UserClient, target: factories.Target) -> str:
    assert await _daftar_to_nik(person) is None
    await said(person, target.nik)
    return await said(person, WRONG_DATE)


async def _registration_attempt(person: UserClient, target: factories.Target) -> str:
    refused = await _daftar_to_nik(person)
    if refused is not None:
        return refused
    reply = await said(person, target.nik)
    return reply if reply.startswith(LOCKED) else await said(person, dmy(target.birth_date))


async def _parent_code_guess(person: UserClient, target: factories.Target) -> str:
    await said(person, f"/ortu {target.invite_code}")
    return await said(person, WRONG_DATE)


async def _parent_code_attempt(person: UserClient, target: factories.Target) -> str:
    reply = await said(person, f"/ortu {target.invite_code}")
    return reply if reply.startswith(LOCKED) else await said(person, dmy(target.birth_date))


async def _parent_nik_to_nik(person: UserClient) -> str:
    await said(person, "/ortu")
    person.press("Anak tanpa Telegram: pakai NIK")
    return (await person.next_message()).text


async def _parent_nik_guess(person: UserClient, target: factories.Target) -> str:
    await _parent_nik_to_nik(person)
    await said(person, target.nik)
    return await said(person, WRONG_DATE)


async def _parent_nik_attempt(person: UserClient, target: factories.Target) -> str:
    reply = await _parent_nik_to_nik(person)
    if reply.startswith(LOCKED):
        return reply
    await said(person, target.nik)
    return await said(person, dmy(target.birth_date))


SURFACES = [
    Surface("invitation", _invitation_guess, _invitation_attempt),
    Surface("registration", _registration_guess, _registration_attempt),
    Surface("parent_code", _parent_code_guess, _parent_code_attempt),
    Surface("parent_nik", _parent_nik_guess, _parent_nik_attempt, lock_said_at_once=False),
]


async def _links(bot: BotHarness) -> tuple[int, int]:
    """(accounts linked to a target, parent links): nothing may have been linked."""
    async with bot.db.session() as session:
        linked = await session.scalar(
            select(func.count()).select_from(Account).where(Account.target_id.is_not(None))
        )
        parents = await session.scalar(select(func.count()).select_from(ParentLink))
    return int(linked or 0), int(parents or 0)


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
async def test_a_lock_survives_everything_a_stranger_can_do(
    sqlite_url: str, surface: Surface
) -> None:
    settings = make_settings(sqlite_url)
    # A private chat's burst allowance is Telegram's; this stranger types faster than people do.
    roomy = Limits(chat_burst=100, overall_per_second=100)
    async with running_bot(settings, limits=roomy) as bot:
        # This stranger presses more buttons in a few seconds than the flood guard allows.
        bot.app.bot_data.throttle = PressThrottle(presses=100)
        target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
        stranger = bot.user("Stranger")
        await onboard(stranger)
        # An old button, kept from before the lock: /daftar's consent.
        assert "Apakah Anda setuju?" in await said(stranger, "/daftar")
        old_consent = stranger.messages[-1]

        replies = [await surface.guess(stranger, target) for _ in range(3)]
        assert not replies[0].startswith(LOCKED) and not replies[1].startswith(LOCKED)
        # The last try before a lock is said before it is made, not after.
        assert "Tinggal 1 kali percobaan" not in replies[0]
        assert "⚠️ Tinggal 1 kali percobaan." in replies[1]
        assert replies[2].startswith(LOCKED) == surface.lock_said_at_once

        # Other commands in between, each answered.
        for command in ("/start ZZZZZZZZ", "/ortu ABCDEF", "/bantuan", "/jadwal"):
            await said(stranger, command)
        assert (await surface.attempt(stranger, target)).startswith(LOCKED)

        # The old consent button pressed again.
        await stranger.answer(stranger.press("✅ Saya setuju", message=old_consent))
        await until(stranger, "/bantuan", "Rekam membantu")  # past whatever the press said
        assert (await surface.attempt(stranger, target)).startswith(LOCKED)

        # /hapus: the account goes, the lock stays.
        await said(stranger, "/hapus")
        await stranger.answer(stranger.press("🗑"))
        assert (await surface.attempt(stranger, target)).startswith(LOCKED)

        # A brand-new Telegram account, guessing at the same code or NIK.
        fresh = bot.user("Fresh")
        await onboard(fresh)
        assert (await surface.attempt(fresh, target)).startswith(LOCKED)
        assert await _links(bot) == (0, 0)
        user = stranger.user
        old_chat = bot.emulator.chats[user["id"]]

    async with running_bot(settings, limits=roomy) as restarted:  # a new process, the same database
        restarted.emulator.chats[user["id"]] = old_chat
        again = UserClient(restarted.emulator, user)
        again._cursor = old_chat.seq
        assert (await surface.attempt(again, target)).startswith(LOCKED)
        assert await _links(restarted) == (0, 0)


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
async def test_the_rightful_answer_still_works_before_the_lock(
    bot: BotHarness, surface: Surface
) -> None:
    """Two wrong tries are not a lock: the right answers then go through."""
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
    person = bot.user("Rina")
    await onboard(person)
    for _ in range(2):
        assert not (await surface.guess(person, target)).startswith(LOCKED)
    assert not (await surface.attempt(person, target)).startswith(LOCKED)


async def test_a_nik_typed_in_daftar_is_locked_whether_or_not_it_is_listed(
    bot: BotHarness,
) -> None:
    """The lock on a NIK never tells whether the NIK is on the list."""
    listed = await factories.add_target(bot.db, bot.settings)
    born = factories.born_aged(bot.settings, 16)
    unlisted = nik_rules.build(factories.REGION, born, female=True, serial=77)
    for nik in (listed.nik, unlisted):
        for n in range(3):
            guesser = bot.user(f"G{n}")
            assert await _daftar_to_nik(guesser) is None
            await said(guesser, nik)
            reply = await said(guesser, WRONG_DATE)
        assert reply.startswith(LOCKED)
        newcomer = bot.user("New")
        assert await _daftar_to_nik(newcomer) is None
        assert (await said(newcomer, nik)).startswith(LOCKED)


async def test_the_warning_counts_other_accounts_guesses_at_the_same_code(bot: BotHarness) -> None:
    """A lock comes from the code's guesses by anyone too: the warning says so before it."""
    target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
    first, second = bot.user("Satu"), bot.user("Dua")
    for person in (first, second):
        await onboard(person)
    assert "Tinggal 1 kali percobaan" not in await _invitation_guess(first, target)
    # The second account's first guess is the code's second: one more and the code locks.
    assert "⚠️ Tinggal 1 kali percobaan." in await _invitation_guess(second, target)
