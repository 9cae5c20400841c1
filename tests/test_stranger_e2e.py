"""A stranger who knows a teen's NIK, name, school and the code on her letter, with several
fresh Telegram accounts at once, through the bot: never linked to her record, and never able to
lock her out without her being told until when. Fifty such accounts, and that nothing said
tells a listed or recorded NIK from an unlisted one, are proven at the service level on a
frozen clock in tests/test_stranger.py."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Account, ParentLink
from bot.domain.kinds import LinkState
from bot.emulator import Limits, UserClient
from bot.i18n import format_when
from bot.services import lockout
from bot.services.lockout import LONGEST_LOCK
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness, make_settings, onboard, running_bot
from tests.support.people import NEUTRAL_INVITE, REVIEW, linked_teen

LOCKED = "Untuk keamanan, percobaan ditunda sampai"
LINKED = ("Halo, Rina", "✅ Anda sekarang terhubung")
NIK_REQUEST = "Terima kasih. Bila data itu cocok dengan daftar sasaran"
NEUTRAL_PARENT = "Maaf, kode atau tanggal lahir tidak cocok"


@pytest.fixture
async def roomy_bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    """Strangers typing at machine speed, several at once: the emulator's overall limit is
    lifted, and the flood guard's on presses; each chat's own limit stays."""
    limits = Limits(chat_burst=50, overall_per_second=1000)
    async with running_bot(make_settings(sqlite_url), limits=limits) as bot:
        bot.app.bot_data.throttle = PressThrottle(presses=50)
        yield bot


async def said(person: UserClient, text: str) -> str:
    person.send(text)
    return (await person.next_message()).text


async def daftar(person: UserClient, nik: str, born: str, name: str) -> list[str]:
    """/daftar to the end; everything the bot said."""
    answers = [await said(person, "/daftar")]
    if "Apakah Anda setuju?" not in answers[-1]:
        return answers
    person.press("✅ Saya setuju")
    answers.append((await person.next_message()).text)
    for typed in (nik, born, name):
        answers.append(await said(person, typed))
        if not answers[-1].startswith(("Tulis tanggal lahir", "Tulis nama", "Kapan")):
            return answers
    person.press("Kapan saja")
    answers.append((await person.next_message()).text)
    return answers


async def parent_by_nik(person: UserClient, nik: str, born: str) -> list[str]:
    answers = [await said(person, "/ortu")]
    person.press("Anak tanpa Telegram: pakai NIK")
    answers.append((await person.next_message()).text)
    if answers[-1].startswith(LOCKED):
        return answers
    answers.append(await said(person, nik))
    answers.append(await said(person, born))
    return answers


async def with_her_code(person: UserClient, command: str, born: str) -> list[str]:
    """Her letter's code (/start CODE as the invitation, or /ortu CODE as a parent), then her
    birth date."""
    replies = [await said(person, command)]
    if not replies[-1].startswith(LOCKED):
        replies.append(await said(person, born))
    return replies


async def test_strangers_with_everything_on_the_letter_never_reach_her_record(
    roomy_bot: BotHarness,
) -> None:
    bot = roomy_bot
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    teen = await linked_teen(bot, rina)  # she opened her letter, as letters are for
    letter, nik = rina.invite_code, rina.nik  # type: ignore[attr-defined]
    born = rina.birth_date.strftime("%d-%m-%Y")  # inside the NIK: the stranger knows it
    # Every path at once, each on its own fresh account (each chat is paced on its own). Two
    # wrong tries at her code lock nothing: each of these answers is checked.
    replies = await asyncio.gather(
        with_her_code(bot.user("S1"), f"/start {letter}", born),
        with_her_code(bot.user("S2"), f"/ortu {letter}", born),
        daftar(bot.user("S3"), nik, born, "Rina Lestari"),
        parent_by_nik(bot.user("S4"), nik, born),
    )
    said_ = [reply for each in replies for reply in each]
    assert not [reply for reply in said_ if reply.startswith(LINKED)]
    expected = [NEUTRAL_INVITE, NEUTRAL_PARENT, REVIEW, NIK_REQUEST]
    assert [each[-1][: len(start)] for each, start in zip(replies, expected, strict=True)] == (
        expected
    )

    # One more wrong try at her code, the third, locks it.
    late = bot.user("S5")
    assert not (await said(late, f"/start {letter}")).startswith(LOCKED)
    assert (await said(late, born)).startswith(LOCKED)
    # Rina, on a new phone, opens her letter: locked by the guessing, and told until when,
    # which is no later than the longest lock from now.
    reply = await said(bot.user("Rina"), f"/start {letter}")
    assert reply.startswith(LOCKED)
    async with bot.db.session() as session:
        lock = await lockout.lock_on(
            session,
            lockout.Surface.INVITATION,
            claimant=0,
            subject=lockout.code_subject(letter),
            now=datetime.now(UTC),
        )
    assert lock is not None and lock.until <= datetime.now(UTC) + LONGEST_LOCK
    assert format_when(lock.until, "id", bot.settings.zone) in reply
    async with bot.db.session() as session:
        holders = list(
            await session.scalars(select(Account.telegram_id).where(Account.target_id == rina.id))
        )
        links = await session.scalar(
            select(func.count()).where(
                ParentLink.target_id == rina.id, ParentLink.state == LinkState.ACTIVE
            )
        )
    assert (holders, links) == ([teen.id], 0)
    # Her parents are untouched: they link with the code her own /kode gives.
    teen.send("/kode")
    await teen.next_message()
    code = (await teen.next_message()).text.split(": ")[1].split("\n")[0]
    mother = bot.user("Ibu Rina")
    await onboard(mother)
    assert (await said(mother, f"/ortu {code}")).startswith("Tulis tanggal lahir anak Anda")
    assert (await said(mother, born)).startswith("✅ Anda sekarang terhubung dengan Rina Lestari")


async def test_a_lock_says_until_when_and_lasts_no_longer_than_the_longest_lock(
    roomy_bot: BotHarness,
) -> None:
    bot = roomy_bot
    rina = await factories.add_target(bot.db, bot.settings, code="RINA2345")
    for n in range(12):  # twelve accounts; after three wrong dates the code is locked
        stranger = bot.user(f"S{n}")
        if not (await said(stranger, f"/start {rina.invite_code}")).startswith(LOCKED):
            await said(stranger, "01-01-2001")
    reply = await said(bot.user("Rina"), f"/start {rina.invite_code}")
    assert reply.startswith(LOCKED)
    day, clock = re.search(r"sampai \w+, (\d+ \w+ \d{4}), (\d{2}\.\d{2})", reply).groups()  # type: ignore[union-attr]
    assert clock and day
    async with bot.db.session() as session:
        lock = await lockout.lock_on(
            session,
            lockout.Surface.INVITATION,
            claimant=0,
            subject=lockout.code_subject(rina.invite_code),
            now=datetime.now(UTC),
        )
    assert lock is not None and lock.until <= datetime.now(UTC) + LONGEST_LOCK
    assert lock.until.astimezone(bot.settings.zone).strftime("%H.%M") == clock
    assert lock.until - datetime.now(UTC) > timedelta(minutes=55)  # the first lock: an hour
