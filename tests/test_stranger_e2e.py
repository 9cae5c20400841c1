"""A stranger who knows a teen's NIK, name, school and the code on her letter, with up to 50
fresh Telegram accounts: never linked to her record, never told whether a NIK is listed or
recorded, and never able to lock her out without her being told until when."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.models import Account, ParentLink
from bot.domain import nik as nik_rules
from bot.domain.kinds import LinkState
from bot.emulator import Limits, UserClient
from bot.services.lockout import LONGEST_LOCK
from bot.throttle import PressThrottle
from tests.support import factories
from tests.support.harness import BotHarness, make_settings, onboard, running_bot
from tests.support.people import linked_teen

ACCOUNTS = 50
LOCKED = "Untuk keamanan, percobaan ditunda sampai"


@pytest.fixture
async def roomy_bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    """Fifty accounts typing at machine speed: replies are not paced yet (issue 13), so the
    emulator's overall limit is lifted; each chat's own limit stays."""
    limits = Limits(chat_burst=50, overall_per_second=1000)
    async with running_bot(make_settings(sqlite_url), limits=limits) as bot:
        bot.app.bot_data.throttle = PressThrottle(presses=50)
        yield bot


async def said(person: UserClient, text: str) -> str:
    person.send(text)
    return (await person.next_message()).text


def neutral(text: str) -> str:
    """The words of an answer, with a lock's time taken out (it differs by the second)."""
    return re.sub(r"sampai .*? W[IT]+A?\.", "sampai <waktu>.", text)


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


async def test_fifty_accounts_with_everything_on_the_letter_never_reach_her_record(
    roomy_bot: BotHarness,
) -> None:
    bot = roomy_bot
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Lestari", code="RINA2345")
    teen = await linked_teen(bot, rina)  # she opened her letter, as letters are for
    born = rina.birth_date.strftime("%d-%m-%Y")  # inside the NIK: the stranger knows it
    for n in range(ACCOUNTS):
        stranger = bot.user(f"S{n}")
        await onboard(stranger)
        replies = [await said(stranger, f"/start {rina.invite_code}")]
        if not replies[-1].startswith(LOCKED):
            replies.append(await said(stranger, born))
        replies.append(await said(stranger, f"/ortu {rina.invite_code}"))
        if not replies[-1].startswith(LOCKED):
            replies.append(await said(stranger, born))
        if n < 5:  # the longer paths, for a few of them
            replies += await daftar(stranger, rina.nik, born, "Rina Lestari")
            replies += await parent_by_nik(stranger, rina.nik, born)
        assert not any(r.startswith(("Halo, Rina", "✅ Anda sekarang terhubung")) for r in replies)

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

    # Rina, on a new phone, opens her letter: locked by the guessing, and told until when,
    # which is no later than the longest lock from now.
    again = bot.user("Rina")
    reply = await said(again, f"/start {rina.invite_code}")
    assert reply.startswith(LOCKED)
    # Her parents are untouched: they link with the code her own /kode gives.
    teen.send("/kode")
    await teen.next_message()
    code = (await teen.next_message()).text.split(": ")[1].split("\n")[0]
    mother = bot.user("Ibu Rina")
    await onboard(mother)
    assert (await said(mother, f"/ortu {code}")).startswith("Tulis tanggal lahir anak Anda")
    assert (await said(mother, born)).startswith("✅ Anda sekarang terhubung dengan Rina Lestari")


async def test_nothing_said_tells_a_listed_or_recorded_nik_from_an_unlisted_one(
    roomy_bot: BotHarness,
) -> None:
    bot = roomy_bot
    listed = await factories.add_target(bot.db, bot.settings, serial=11, code="LIST2345")
    recorded = await factories.add_target(
        bot.db, bot.settings, serial=12, code="RECO2345", recorded=True
    )
    born = factories.born_aged(bot.settings, 17)
    unlisted = nik_rules.build(factories.REGION, born, female=True, serial=13)
    transcripts = []
    for nik, date_ in ((listed.nik, listed.birth_date), (recorded.nik, recorded.birth_date)):
        transcripts.append(await _transcript(bot, nik, date_.strftime("%d-%m-%Y")))
    transcripts.append(await _transcript(bot, unlisted, born.strftime("%d-%m-%Y")))
    assert transcripts[0] == transcripts[1] == transcripts[2]


async def _transcript(bot: BotHarness, nik: str, born: str) -> list[str]:
    """What fresh accounts read when they try one NIK on every path, three times each."""
    said_: list[str] = []
    for n in range(3):
        person = bot.user(f"P{n}")
        await onboard(person)
        said_ += await daftar(person, nik, born, "Nama Tebakan")
        said_ += await parent_by_nik(person, nik, born)
    return [neutral(text) for text in said_]


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
        from bot.services import lockout

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
