"""Petugas on the dashboard, over HTTP against the real bot: an admin adds and removes staff (a
removed member's open dashboard session is refused at its next request), nobody removes or
demotes themself, staff who are not admin get 403, and a form without its token does nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.db.models import Event, Staff
from tests.support.harness import BotHarness
from tests.support.people import staff_member
from tests.support.web import client, csrf_of, dashboard_bot, login_link, sign_in, signed_in


@pytest.fixture
async def bot(sqlite_url: str):  # type: ignore[no-untyped-def]
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def staff_rows(bot: BotHarness) -> dict[int, bool]:
    async with bot.db.session() as session:
        rows = await session.execute(select(Staff.telegram_id, Staff.is_admin))
        return {telegram_id: is_admin for telegram_id, is_admin in rows}


async def test_an_admin_adds_and_removes_staff_and_the_removed_session_ends(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        desk = await staff_member(bot, "Dewi")
        async with (
            signed_in(bot, "Admin", admin=True) as (admin, web),
            client(bot) as desk_web,
        ):
            await sign_in(desk_web, await login_link(desk))
            assert (await desk_web.get("/berkas")).status_code == 200
            page = await web.get("/petugas")
            assert page.status_code == 200
            assert (
                f'data-staff="{desk.id}"' in page.text and f'data-staff="{admin.id}"' in page.text
            )
            token = csrf_of(page)

            added = await web.post(
                "/petugas/tambah", data={"csrf": token, "telegram_id": "555000111", "admin": "1"}
            )
            assert added.status_code == 200 and "✅ 555000111 sekarang admin." in added.text
            assert 'data-staff="555000111"' in added.text
            made_staff = await web.post(
                "/petugas/tambah", data={"csrf": token, "telegram_id": "555000111"}
            )
            assert "✅ 555000111 sekarang petugas." in made_staff.text
            assert (await staff_rows(bot))[555000111] is False

            removed = await web.post(
                "/petugas/hapus", data={"csrf": token, "telegram_id": str(desk.id)}
            )
            assert removed.status_code == 200
            assert f"✅ {desk.id} bukan petugas lagi." in removed.text
            assert f'data-staff="{desk.id}"' not in removed.text
            # Dewi's dashboard, still open in her browser, is refused at its next request.
            refused = await desk_web.get("/berkas")
            assert refused.status_code == 401 and "Kirim /dasbor ke bot Rekam" in refused.text
            twice = await web.post(
                "/petugas/hapus", data={"csrf": token, "telegram_id": str(desk.id)}
            )
            assert twice.status_code == 404 and f"{desk.id} bukan petugas." in twice.text
        assert desk.id not in await staff_rows(bot)
        async with bot.db.session() as session:
            events = (
                await session.scalars(
                    select(Event).where(Event.kind.in_(["staff_added", "staff_removed"]))
                )
            ).all()
        web_events = [e for e in events if e.channel == "web"]
        assert {(e.kind, e.data["telegram_id"]) for e in web_events} == {
            ("staff_added", 555000111),
            ("staff_removed", desk.id),
        }
        assert {e.data["by"] for e in web_events} == {admin.id}


async def test_an_admin_cannot_remove_or_demote_themself(bot: BotHarness) -> None:
    async with signed_in(bot, "Admin", admin=True) as (admin, web):
        page = await web.get("/petugas")
        token = csrf_of(page)
        own_row = page.text.split(f'data-staff="{admin.id}"')[1].split("</tr>")[0]
        assert "/petugas/hapus" not in own_row  # no button to press
        forced = await web.post(
            "/petugas/hapus", data={"csrf": token, "telegram_id": str(admin.id)}
        )
        assert forced.status_code == 400
        assert "Anda tidak bisa menghapus diri sendiri." in forced.text
        demoted = await web.post(
            "/petugas/tambah", data={"csrf": token, "telegram_id": str(admin.id)}
        )
        assert demoted.status_code == 400 and "peran Anda sendiri" in demoted.text
        typo = await web.post("/petugas/tambah", data={"csrf": token, "telegram_id": "12ab"})
        assert typo.status_code == 400 and "ID Telegram adalah angka" in typo.text
        assert (await web.get("/petugas")).status_code == 200
    assert await staff_rows(bot) == {admin.id: True}


async def test_staff_who_are_not_admin_get_403_and_change_nothing(bot: BotHarness) -> None:
    admin = await staff_member(bot, "Admin", admin=True)
    async with signed_in(bot, "Dewi") as (desk, web):
        token = csrf_of(await web.get("/"))
        page = await web.get("/petugas")
        assert page.status_code == 403 and "Halaman ini hanya untuk admin." in page.text
        assert 'href="/petugas"' not in (await web.get("/")).text  # not in the menu either
        for path, data in (
            ("/petugas/tambah", {"csrf": token, "telegram_id": str(desk.id), "admin": "1"}),
            ("/petugas/hapus", {"csrf": token, "telegram_id": str(admin.id)}),
        ):
            assert (await web.post(path, data=data)).status_code == 403
    assert await staff_rows(bot) == {admin.id: True, desk.id: False}


async def test_a_staff_form_without_its_token_does_nothing(bot: BotHarness) -> None:
    desk = await staff_member(bot, "Dewi")
    async with signed_in(bot, "Admin", admin=True) as (admin, web):
        await web.get("/petugas")
        for data in ({"telegram_id": str(desk.id)}, {"telegram_id": str(desk.id), "csrf": "x"}):
            assert (await web.post("/petugas/hapus", data=data)).status_code == 403
            assert (await web.post("/petugas/tambah", data=data)).status_code == 403
    assert await staff_rows(bot) == {admin.id: True, desk.id: False}


async def test_the_staff_page_shows_names_not_only_telegram_ids(bot: BotHarness) -> None:
    async with signed_in(bot, "Admin", admin=True) as (_admin, web):
        page = await web.get("/petugas")
        added = await web.post(
            "/petugas/tambah",
            data={"csrf": csrf_of(page), "telegram_id": "555000222", "name": " Sari  Wulandari "},
        )
        assert added.status_code == 200
        row = added.text.split('data-staff="555000222"')[1].split("</tr>")[0]
        assert '<td class="staff-name">Sari Wulandari' in row
        # Adding again without a name keeps the one the office knows.
        again = await web.post(
            "/petugas/tambah", data={"csrf": csrf_of(page), "telegram_id": "555000222"}
        )
        assert '<td class="staff-name">Sari Wulandari' in again.text


async def test_an_admin_makes_an_invitation_link_on_the_staff_page(sqlite_url: str) -> None:
    async with (
        dashboard_bot(sqlite_url, bot_username="rekam_kota_bot") as bot,
        signed_in(bot, "Admin", admin=True) as (admin, web),
    ):
        admin.send("/start")  # the admin has talked to the bot: it may write to them
        await admin.next_message()
        page = await web.get("/petugas")
        made = await web.post("/petugas/undang", data={"csrf": csrf_of(page)})
        assert made.status_code == 200
        found = re.search(
            r'<code id="tautan-undangan">https://t\.me/rekam_kota_bot\?start=(staf-[^<]+)</code>',
            made.text,
        )
        assert found, made.text
        # Whoever opens it in Telegram waits for an admin, who is asked there.
        sari = bot.user("Sari")
        sari.send(f"/start {found[1]}")
        assert "diteruskan ke admin kantor" in (await sari.next_message()).text
        asked = await admin.next_message()
        assert "Sari" in asked.text and "membuka tautan undangan petugas" in asked.text
        assert f"yang dibuat oleh {admin.id}" in asked.text  # staff without a name: their id
        # The page lists her as waiting, with the id to add her by if the question is lost.
        waiting = await web.get("/petugas")
        assert f'data-waiting="{sari.id}"' in waiting.text and "Menunggu keputusan admin" in (
            waiting.text
        )
        added = await web.post(
            "/petugas/tambah", data={"csrf": csrf_of(waiting), "telegram_id": str(sari.id)}
        )
        assert f"✅ {sari.id} sekarang petugas." in added.text
        assert f'data-waiting="{sari.id}"' not in added.text


async def test_without_the_bots_name_no_link_is_made(bot: BotHarness) -> None:
    async with signed_in(bot, "Admin", admin=True) as (_admin, web):
        page = await web.get("/petugas")
        made = await web.post("/petugas/undang", data={"csrf": csrf_of(page)})
        assert made.status_code == 409 and "BOT_USERNAME" in made.text
        assert "tautan-undangan" not in made.text
