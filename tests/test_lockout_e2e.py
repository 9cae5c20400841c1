"""The lockout played once as a stranger would, through the bot: three refused guesses at an
invitation lock it, and nothing resets the lock — not another command, an old button pressed
again, /hapus, a brand-new Telegram account, nor a restart of the bot. The rules on every
surface (registration, parent code, parent NIK), the warning before the last try, other
accounts' guesses and locks ending in time are tested at the service level on a frozen clock
in tests/test_lockout.py; a teen locked by her own mistakes getting in after /buka_kunci is
tests/test_unlock_e2e.py."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bot.db.models import Account, ParentLink, Target
from bot.emulator import Limits, UserClient
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness, make_settings, onboard, running_bot

LOCKED = "Untuk keamanan, percobaan ditunda sampai"
WRONG = ("01-01-2001", "02-01-2001", "03-01-2001")


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


async def attempt(person: UserClient, target: Target) -> str:
    """Her letter opened with the right birth date: what the bot says."""
    reply = await said(person, f"/start {target.invite_code}")  # type: ignore[attr-defined]
    return reply if reply.startswith(LOCKED) else await said(person, dmy(target.birth_date))


async def _links(bot: BotHarness) -> tuple[int, int]:
    """(accounts linked to a target, parent links): nothing may have been linked."""
    async with bot.db.session() as session:
        linked = await session.scalar(
            select(func.count()).select_from(Account).where(Account.target_id.is_not(None))
        )
        parents = await session.scalar(select(func.count()).select_from(ParentLink))
    return int(linked or 0), int(parents or 0)


async def test_a_lock_survives_everything_a_stranger_can_do(sqlite_url: str) -> None:
    """The invitation; the other surfaces are alike (tests/test_lockout.py). Replies to one
    chat are paced (a second each past a short burst), so the stranger says no more than the
    story needs."""
    settings = make_settings(sqlite_url)
    # A private chat's burst allowance is Telegram's; this stranger types faster than people do.
    roomy = Limits(chat_burst=100, overall_per_second=100)
    async with running_bot(settings, limits=roomy) as bot:
        # This stranger presses more buttons in a few seconds than the flood guard allows.
        bot.app.bot_data.throttle = PressThrottle(presses=100)
        target = await factories.add_target(bot.db, bot.settings, name="Rina Lestari")
        stranger = bot.user("Stranger")
        # An old button, kept from before the lock: /daftar's consent.
        assert "Apakah Anda setuju?" in await said(stranger, "/daftar")
        old_consent = stranger.messages[-1]

        # Her letter's code, then three wrong birth dates (the step waits for another date).
        assert "tulis tanggal lahir Anda" in await said(stranger, f"/start {target.invite_code}")  # type: ignore[attr-defined]
        replies = [await said(stranger, wrong) for wrong in WRONG]
        assert not replies[0].startswith(LOCKED) and not replies[1].startswith(LOCKED)
        # The last try before a lock is said before it is made, not after.
        assert "Tinggal 1 kali percobaan" not in replies[0]
        assert "⚠️ Tinggal 1 kali percobaan." in replies[1]
        assert replies[2].startswith(LOCKED)

        # Other commands in between: another code (locked too: the guesser is, on any code),
        # a parent's code (its step waits for a date). The lock is checked after /hapus below:
        # none of these makes a guess, so none can lock again what one of them unlocked.
        assert (await said(stranger, "/start ZZZZZZZZ")).startswith(LOCKED)
        assert "Tulis tanggal lahir anak Anda" in await said(stranger, "/ortu ABCDEF")

        # The old consent button pressed again, then /hapus: the account goes, the lock stays.
        await stranger.answer(stranger.press("✅ Saya setuju", message=old_consent))
        await until(stranger, "/hapus", "Hapus data Anda?")  # past what the press said
        await stranger.answer(stranger.press("🗑"))
        assert (await attempt(stranger, target)).startswith(LOCKED)

        # A brand-new Telegram account, with the right date.
        fresh = bot.user("Fresh")
        await onboard(fresh)
        assert (await attempt(fresh, target)).startswith(LOCKED)
        assert await _links(bot) == (0, 0)
        user = stranger.user
        old_chat = bot.emulator.chats[user["id"]]

    async with running_bot(settings, limits=roomy) as restarted:  # a new process, the same database
        restarted.emulator.chats[user["id"]] = old_chat
        again = UserClient(restarted.emulator, user)
        again._cursor = old_chat.seq
        assert (await attempt(again, target)).startswith(LOCKED)
        assert await _links(restarted) == (0, 0)
