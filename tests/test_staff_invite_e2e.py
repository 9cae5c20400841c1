"""Becoming staff through a one-time link, in Telegram through the emulator: whoever opens it
waits until an admin confirms; the strangers' cases change nothing and say so (a link used by
someone else, expired, forged, opened by someone already staff; an admin who refuses; a second
admin pressing after the first)."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.db.models import Staff, StaffInvite
from bot.domain.kinds import Channel
from bot.emulator import UserClient
from bot.emulator.client import ReceivedMessage
from bot.services import staff_invites
from tests.support.harness import BotHarness, database, until
from tests.support.people import staff_member


async def admin_in_chat(bot: BotHarness, name: str) -> UserClient:
    """An admin who has talked to the bot (a bot cannot write first to anyone)."""
    admin = await staff_member(bot, name, admin=True)
    admin.send("/start")
    await admin.next_message()
    return admin


async def invitation(bot: BotHarness, *, hours: int = 24, ago: timedelta | None = None) -> str:
    """A fresh link's /start payload, made `ago` before now."""
    made = bot.app.bot_data.clock.now() - (ago or timedelta())
    async with bot.db.session() as session:
        token = await staff_invites.create(
            session, by="Kepala", channel=Channel.CLI, now=made, lifetime=timedelta(hours=hours)
        )
    return f"/start {staff_invites.PREFIX}{token}"


async def staff_names(bot: BotHarness) -> dict[int, tuple[str | None, bool]]:
    async with bot.db.session() as session:
        rows = await session.execute(select(Staff.telegram_id, Staff.name, Staff.is_admin))
        return {telegram_id: (name, admin) for telegram_id, name, admin in rows}


async def said(person: UserClient, text: str) -> str:
    person.send(text)
    return (await person.next_message()).text


async def edited(person: UserClient, message: ReceivedMessage) -> str:
    """The text of `message` once the bot has edited it."""

    async def changed() -> bool:
        return person.message(message.message_id).text != message.text

    await until(changed, what="the message edited")
    return person.message(message.message_id).text


async def test_an_invited_person_becomes_staff_once_an_admin_confirms(bot: BotHarness) -> None:
    admin = await admin_in_chat(bot, "Kepala")
    other_admin = await admin_in_chat(bot, "Wakil")
    link = await invitation(bot)
    sari = bot.user("Sari")

    answer = await said(sari, link)
    assert "diteruskan ke admin kantor" in answer
    assert sari.id not in await staff_names(bot)  # nothing yet: an admin must confirm
    asked = await admin.next_message()
    assert (
        f"Sari (ID Telegram {sari.id}) membuka tautan undangan petugas yang dibuat oleh Kepala"
        in (asked.text)
    )
    other_asked = await other_admin.next_message()

    # Opening it again asks nobody twice; it is the same request, still waiting.
    assert "masih menunggu keputusan admin kantor" in await said(sari, link)

    admin.press("✅ Setujui", message=asked)
    assert (await sari.next_message()).text.startswith("✅ Admin menyetujui: Anda sekarang petugas")
    assert await edited(admin, asked) == "✅ Sari sekarang petugas. Ia sudah diberi tahu."
    assert (await staff_names(bot))[sari.id] == ("Sari", False)
    # The other admin's buttons are stale now: the first answer stands.
    other_admin.press("❌ Tolak", message=other_asked)
    assert "Sudah diputuskan admin lain: Sari disetujui" in await edited(other_admin, other_asked)
    assert (await staff_names(bot))[sari.id] == ("Sari", False)
    # Staff now: the link takes nothing more.
    assert "Anda sudah menjadi petugas" in await said(sari, link)
    # /petugas lists her by name, and says how to invite someone.
    listed = await said(admin, "/petugas")
    assert f"• Sari · {sari.id}" in listed and "rekam staff invite" in listed
    # Removed later, she cannot use the same link to come back, nor is told it "waits".
    assert await said(admin, f"/petugas_hapus {sari.id}") == f"✅ {sari.id} bukan petugas lagi."
    assert "sudah dipakai" in await said(sari, link)


async def test_the_strangers_cases_change_nothing_and_say_so(bot: BotHarness) -> None:
    admin = await admin_in_chat(bot, "Kepala")
    desk = await staff_member(bot, "Dewi")

    # Forged: a token nobody made.
    mallory = bot.user("Mallory")
    forged = f"/start {staff_invites.PREFIX}{'A' * 32}"
    assert "tidak dikenal" in await said(mallory, forged)
    assert "tidak dikenal" in await said(mallory, f"/start {staff_invites.PREFIX}x")

    # Expired: made 25 hours ago with a day's life.
    expired = await invitation(bot, ago=timedelta(hours=25))
    assert "sudah kedaluwarsa" in await said(mallory, expired)

    # Already staff: the link is not taken, and stays good for the person it was meant for.
    link = await invitation(bot)
    assert "Anda sudah menjadi petugas" in await said(desk, link)
    budi = bot.user("Budi")
    assert "diteruskan ke admin kantor" in await said(budi, link)
    asked = await admin.next_message()

    # Reused: someone else opening a link already opened gets nothing.
    assert "sudah dipakai" in await said(mallory, link)

    # The admin refuses: Budi is told and is not staff; opening it again says refused.
    admin.press("❌ Tolak", message=asked)
    assert (
        await budi.next_message()
    ).text == "Permintaan Anda menjadi petugas tidak disetujui admin."
    assert await edited(admin, asked) == "❌ Permintaan Budi ditolak. Ia sudah diberi tahu."
    assert "sudah ditolak admin" in await said(budi, link)
    names = await staff_names(bot)
    assert budi.id not in names and mallory.id not in names


async def test_only_an_admin_can_answer_a_request(bot: BotHarness) -> None:
    admin = await admin_in_chat(bot, "Kepala")
    desk = await staff_member(bot, "Dewi")
    link = await invitation(bot)
    budi = bot.user("Budi")
    await said(budi, link)
    asked = await admin.next_message()
    # The same button's data pressed by staff who are not admin: a stale button, nothing done.
    button = asked.button("✅ Setujui")
    assert button.data is not None
    desk.send("/staf")
    menu = await desk.next_message()
    query = desk.press(data=button.data, message=menu)
    await desk.answer(query)  # answered as a stale button
    assert budi.id not in await staff_names(bot)
    # The admin still can: the request waits for them.
    admin.press("✅ Setujui", message=asked)
    assert (await budi.next_message()).text.startswith("✅ Admin menyetujui")


def test_rekam_staff_invite_prints_a_one_time_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/kantor.db")
    monkeypatch.delenv("BOT_USERNAME", raising=False)
    assert main(["staff", "invite"]) == 1
    assert "BOT_USERNAME" in capsys.readouterr().err
    monkeypatch.setenv("BOT_USERNAME", "rekam_kota_bot")
    assert main(["staff", "invite", "--jam", "2", "--by", "Kepala"]) == 0
    out = capsys.readouterr().out
    found = re.search(r"https://t\.me/rekam_kota_bot\?start=staf-([A-Za-z0-9_-]+)", out)
    assert found, out
    assert "Tautan berlaku sekali" in out

    async def stored() -> list[str]:
        db = database(f"sqlite+aiosqlite:///{tmp_path}/kantor.db")
        async with db.session() as session:
            hashes = list(await session.scalars(select(StaffInvite.token_hash)))
        await db.dispose()
        return hashes

    # Only the hash is kept: a copy of the database invites nobody.
    (kept,) = asyncio.run(stored())
    assert found[1] not in kept and kept == hashlib.sha256(found[1].encode()).hexdigest()


async def test_with_no_admin_reachable_nobody_is_said_to_have_been_asked(bot: BotHarness) -> None:
    """The only admin never wrote to the bot, so it cannot write to them: the person is told
    so, and opening the link again does not claim it was passed on either."""
    await staff_member(bot, "Kepala", admin=True)  # no /start: the bot may not write first
    link = await invitation(bot)
    sari = bot.user("Sari")
    assert "tidak ada admin yang bisa dihubungi" in await said(sari, link)
    again = await said(sari, link)
    assert "masih menunggu keputusan admin kantor" in again
    assert "diteruskan" not in again
