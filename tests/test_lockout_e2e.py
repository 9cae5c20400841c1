"""The lockout played once as a stranger would, through the bot: three refused guesses at an
invitation lock it, and nothing resets the lock — not another command, an old button pressed
again, /hapus, a brand-new Telegram account, nor a restart of the bot. The rules on every
surface (registration, parent code, parent NIK), the warning before the last try, other
accounts' guesses and locks ending in time are tested at the service level on a frozen clock
in tests/test_lockout.py; a teen locked by her own mistakes getting in after /buka_kunci is
tests/test_unlock_e2e.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from bot.db.models import Account, ParentLink
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


async def test_a_lock_survives_everything_a_stranger_can_do(sqlite_url: str) -> None:
    surface = SURFACES[0]  # the invitation: the others are alike (tests/test_lockout.py)
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
