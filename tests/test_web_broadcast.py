"""Siaran on the dashboard, over HTTP against the real bot and emulator: the preview says how many
it reaches and shows the text as it arrives; sending reaches exactly the audience's chats; an
audience of nobody, an over-long text and a form without its token send nothing."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select, update

from bot.db.models import Broadcast, Event, OutboxMessage, Region, School, Target
from bot.emulator import UserClient
from bot.services import broadcasts
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import teens_at
from tests.support.web import client, csrf_of, dashboard_bot, signed_in

HEADER = "📢 Pesan dari Dinas Dukcapil Kota Uji:"


@pytest.fixture
async def bot(sqlite_url: str):  # type: ignore[no-untyped-def]
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def office_of_three(bot: BotHarness) -> tuple[UserClient, UserClient, UserClient]:
    """Rina and Budi in Mawar (Budi already recorded), Sari in Melati; all three on Telegram."""
    place = await factories.add_place(bot.db)
    service = await factories.add_session(bot.db, bot.settings, place)
    people = await teens_at(bot, "Rina", "Budi", "Sari", session=service)
    (rina, rina_chat), (budi, budi_chat), (sari, sari_chat) = people
    async with bot.db.session() as session:
        mawar = Region(kecamatan="Utara", kelurahan="Mawar")
        melati = Region(kecamatan="Utara", kelurahan="Melati")
        session.add_all([mawar, melati, School(name="SMA Sepi")])
        await session.flush()
        await session.execute(
            update(Target).where(Target.id.in_([rina.id, budi.id])).values(region_id=mawar.id)
        )
        await session.execute(
            update(Target).where(Target.id == sari.id).values(region_id=melati.id)
        )
        await session.execute(
            update(Target).where(Target.id == budi.id).values(recorded_at=datetime.now(UTC))
        )
    return rina_chat, budi_chat, sari_chat


def option_value(page: httpx.Response, field: str, label: str) -> str:
    """The value of the <option> labelled `label` in the <select name=field>."""
    select_html = re.search(rf'<select name="{field}">(.*?)</select>', page.text, re.S)
    assert select_html, f"no {field} choice on the page"
    found = re.search(rf'<option value="(\d+)"[^>]*>{re.escape(label)}</option>', select_html[1])
    assert found, f"{label} not offered in {field}"
    return found.group(1)


def first_option(page: httpx.Response, field: str) -> str:
    select_html = page.text.split(f'<select name="{field}">')[1].split("</select>")[0]
    found = re.search(r'<option value="(\d+)"', select_html)
    assert found, f"nothing offered in {field}"
    return found.group(1)


def confirm_form(page: httpx.Response) -> dict[str, str]:
    """The fields of the preview's send form, as a browser would send them."""
    form = page.text.split('action="/siaran/kirim"')[1].split("</form>")[0]
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))


async def broadcasts_sent(bot: BotHarness) -> int:
    async with bot.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Broadcast)) or 0)


async def broadcast_chats(bot: BotHarness) -> list[int]:
    """The chat of every broadcast message ever queued (sent or still to send)."""
    async with bot.db.session() as session:
        rows = await session.scalars(
            select(OutboxMessage.chat_id).where(OutboxMessage.kind == "broadcast")
        )
        return list(rows)


async def test_a_kelurahan_broadcast_is_previewed_with_its_count_then_reaches_only_its_teens(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        rina, budi, sari = await office_of_three(bot)
        async with signed_in(bot) as (officer, web):
            page = await web.get("/siaran")
            assert page.status_code == 200 and "Siaran untuk siapa?" in page.text
            mawar = option_value(page, "kelurahan", "Mawar")
            form = {
                "csrf": csrf_of(page),
                "audience": "kelurahan",
                "kelurahan": mawar,
                "teks": "Bawa fotokopi KK, ya!\r\nSampai jumpa.",
            }
            shown = await web.post("/siaran/pratinjau", data=form)
            assert shown.status_code == 200
            assert "Akan dikirim ke 1 orang." in shown.text
            preview = re.search(
                r'<div class="message" id="preview-text">(.*?)</div>', shown.text, re.S
            )
            assert preview and preview[1] == f"{HEADER}\n\nBawa fotokopi KK, ya!\nSampai jumpa."
            assert await broadcasts_sent(bot) == 0  # a preview sends nothing

            confirm = confirm_form(shown)
            assert confirm["audience"] == "kelurahan" and confirm["kelurahan"] == mawar
            sent = await web.post("/siaran/kirim", data=confirm)
            assert sent.status_code == 303
            after = await web.get(sent.headers["location"])
            assert "Siaran sedang dikirim ke 1 orang." in after.text
            assert "Mawar" in after.text  # listed among the latest broadcasts

        got = await rina.next_message()
        assert got.text == f"{HEADER}\n\nBawa fotokopi KK, ya!\nSampai jumpa."
        assert await broadcast_chats(bot) == [rina.id]  # nothing else on its way
        assert not [m for m in budi.messages + sari.messages if m.text.startswith("📢")]
        async with bot.db.session() as session:
            row = await session.scalar(select(Broadcast))
            event = await session.scalar(select(Event).where(Event.kind == "broadcast"))
        assert row is not None and row.created_by == officer.id and row.recipients == 1
        assert event is not None and event.channel == "web"
        assert event.data["by"] == f"staff:{officer.id}"


async def test_everyone_pending_and_one_session_reach_their_people(bot: BotHarness) -> None:
    rina, budi, sari = await office_of_three(bot)
    await factories.add_target(
        bot.db, bot.settings, name="Tanpa Telegram", serial=9, code="TANP2345"
    )
    async with signed_in(bot) as (_officer, web):
        page = await web.get("/siaran")
        form = {"csrf": csrf_of(page), "audience": "all_pending", "teks": "Halo semua"}
        shown = await web.post("/siaran/pratinjau", data=form)
        assert "Akan dikirim ke 2 orang." in shown.text
        # Everyone still to record, and how many of them a chat reaches.
        assert "Belum merekam: 3 — 2 dapat dijangkau, 1 tidak." in shown.text
        everyone = confirm_form(shown)
        slot = first_option(page, "jadwal")
        session_form = {**form, "audience": "session", "jadwal": slot, "teks": "Jadwal tetap"}
        assert (
            "Akan dikirim ke 2 orang."
            in (await web.post("/siaran/pratinjau", data=session_form)).text
        )
        assert (await web.post("/siaran/kirim", data=everyone)).status_code == 303
    for chat in (rina, sari):
        assert (await chat.next_message()).text == f"{HEADER}\n\nHalo semua"
    assert sorted(await broadcast_chats(bot)) == sorted([rina.id, sari.id])
    assert not [m for m in budi.messages if m.text.startswith("📢")]


async def test_an_audience_of_nobody_says_so_and_sends_nothing(bot: BotHarness) -> None:
    await office_of_three(bot)
    async with signed_in(bot) as (_officer, web):
        page = await web.get("/siaran")
        school = option_value(page, "sekolah", "SMA Sepi")
        form = {"csrf": csrf_of(page), "audience": "school", "sekolah": school, "teks": "Halo"}
        shown = await web.post("/siaran/pratinjau", data=form)
        assert "Akan dikirim ke 0 orang." in shown.text
        assert "Belum merekam: 0 — 0 dapat dijangkau, 0 tidak." in shown.text
        assert "tidak sampai ke siapa pun" in shown.text
        assert 'action="/siaran/kirim"' not in shown.text
        forced = await web.post("/siaran/kirim", data={**form, "kunci": "K" * 32})  # by hand
        assert forced.status_code == 409 and "Tidak ada yang dikirim." in forced.text
    assert await broadcasts_sent(bot) == 0


async def test_an_over_long_or_empty_text_or_a_vanished_audience_is_refused(
    bot: BotHarness,
) -> None:
    await office_of_three(bot)
    async with signed_in(bot) as (_officer, web):
        page = await web.get("/siaran")
        base = {"csrf": csrf_of(page), "audience": "all_pending"}
        too_long = "a" * (broadcasts.MAX_TEXT + 1)
        for path in ("/siaran/pratinjau", "/siaran/kirim"):
            refused = await web.post(path, data={**base, "teks": too_long})
            assert refused.status_code == 400
            assert "Pesan terlalu panjang (3.501 karakter; paling banyak 3.500)." in refused.text
            assert too_long in refused.text  # the text is kept to shorten, not lost
        # Exactly the limit, with Windows line breaks counted once, as Telegram counts them.
        fits = "b\r\n" * (broadcasts.MAX_TEXT // 2)
        assert (await web.post("/siaran/pratinjau", data={**base, "teks": fits})).status_code == 200
        empty = await web.post("/siaran/pratinjau", data={**base, "teks": "   "})
        assert empty.status_code == 400 and "Tulis pesannya dulu." in empty.text
        gone = await web.post(
            "/siaran/kirim",
            data={**base, "audience": "kelurahan", "kelurahan": "99999", "teks": "x"},
        )
        assert gone.status_code == 400 and "masih ada" in gone.text
    assert await broadcasts_sent(bot) == 0


async def test_a_broadcast_without_the_form_token_sends_nothing(bot: BotHarness) -> None:
    await office_of_three(bot)
    async with signed_in(bot) as (_officer, web):
        form = {"audience": "all_pending", "teks": "Palsu"}
        assert (await web.post("/siaran/kirim", data=form)).status_code == 403
        wrong = await web.post("/siaran/kirim", data={**form, "csrf": "x" * 43})
        assert wrong.status_code == 403
    async with client(bot) as stranger:
        assert (await stranger.post("/siaran/kirim", data=form)).status_code == 401
    assert await broadcasts_sent(bot) == 0
    async with bot.db.session() as session:
        queued = await session.scalar(select(func.count()).where(OutboxMessage.kind == "broadcast"))
    assert queued == 0


async def test_the_same_form_sent_twice_sends_one_broadcast(database_url: str) -> None:
    """A double click, or the form sent again after a slow answer: one broadcast, once (on
    PostgreSQL the two meet at the form key's unique index)."""
    async with dashboard_bot(database_url) as bot:
        await _sent_twice(bot)


async def _sent_twice(bot: BotHarness) -> None:
    rina, _budi, sari = await office_of_three(bot)
    async with signed_in(bot) as (_officer, web):
        page = await web.get("/siaran")
        form = {"csrf": csrf_of(page), "audience": "all_pending", "teks": "Sekali saja"}
        confirm = confirm_form(await web.post("/siaran/pratinjau", data=form))
        both = await asyncio.gather(
            web.post("/siaran/kirim", data=confirm), web.post("/siaran/kirim", data=confirm)
        )
        assert [answer.status_code for answer in both] == [303, 303]
        again = await web.post("/siaran/kirim", data=confirm)
        assert again.status_code == 303
        without = await web.post("/siaran/kirim", data={**confirm, "kunci": ""})
        assert without.status_code == 400
    assert await broadcasts_sent(bot) == 1
    for chat in (rina, sari):
        assert (await chat.next_message()).text == f"{HEADER}\n\nSekali saja"
        assert len([m for m in chat.messages if "Sekali saja" in m.text]) == 1
    # Once each, and no second copy on its way.
    assert sorted(await broadcast_chats(bot)) == sorted([rina.id, sari.id])
