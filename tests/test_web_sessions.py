"""Jadwal on the dashboard, tried first as an attacker and a hurried officer would: a session
moved or cancelled only after a page that says how many are affected, everyone affected told in
Telegram; new sessions and seats; wrong times, wrong numbers, forged ids and forms without their
token answered in Indonesian with nothing changed. Real bot, real emulator chats, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from bot.db.models import Event, Place, ServiceSession
from bot.domain.kinds import Channel, PlaceKind, SessionState
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import teens_at
from tests.support.web import client, csrf_of, dashboard_bot, signed_in


@pytest.fixture
async def bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def token(web: httpx.AsyncClient, path: str = "/jadwal") -> str:
    page = await web.get(path)
    assert page.status_code == 200, page.text
    return csrf_of(page)


def ahead(bot: BotHarness, days: int) -> date:
    return factories.today(bot.settings) + timedelta(days=days)


async def event(bot: BotHarness, kind: str) -> Event | None:
    async with bot.db.session() as session:
        return await session.scalar(select(Event).where(Event.kind == kind))


async def stored(bot: BotHarness, session_id: int) -> ServiceSession:
    async with bot.db.session() as session:
        found = await session.get(ServiceSession, session_id)
        assert found is not None
        return found


async def test_a_moved_session_is_confirmed_with_its_count_then_its_teens_are_told(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        mpp = await factories.add_place(bot.db)
        school = await factories.add_place(bot.db, "SMK Negeri 9")
        moved = await factories.add_session(bot.db, bot.settings, mpp, days_ahead=5)
        other = await factories.add_session(bot.db, bot.settings, school, days_ahead=6)
        [(_, rina), (_, budi)] = await teens_at(bot, "Rina", "Budi", session=moved)
        async with signed_in(bot) as (officer, web):
            listing = await web.get("/jadwal")
            assert listing.status_code == 200
            assert "Mal Pelayanan Publik" in listing.text and "SMK Negeri 9" in listing.text
            assert f'href="/jadwal/{moved.id}"' in listing.text
            shown = await web.get(f"/jadwal/{moved.id}")
            assert "2 remaja dipanggil ke jadwal ini." in shown.text
            new_day = ahead(bot, 8)
            form = {
                "csrf": csrf_of(shown),
                "tanggal": new_day.isoformat(),
                "mulai": "13:00",
                "selesai": "15:00",
            }
            asked = await web.post(f"/jadwal/{moved.id}/pindah", data=form)
            assert asked.status_code == 200
            assert "2 dari 2 remaja yang dipanggil ke jadwal ini akan dikabari" in asked.text
            assert "13.00–15.00 WIB" in asked.text
            assert (await stored(bot, moved.id)).starts_at == moved.starts_at  # asked only
            done = await web.post(f"/jadwal/{moved.id}/pindah", data={**form, "yakin": "1"})
            assert done.status_code == 303
            after = await web.get(done.headers["location"])
            assert "✅ Jadwal dipindahkan. Dikabari lewat Telegram: 2 dari 2 remaja" in after.text
            # The same page with its counts changed by hand says nothing of who was told.
            forged = done.headers["location"].replace("kabar=2.2.0.0", "kabar=9.9.0.0")
            assert forged != done.headers["location"]
            shown = await web.get(forged)
            assert shown.status_code == 200 and "Dikabari lewat Telegram" not in shown.text
        for chat in (rina, budi):
            notice = await chat.next_message()
            assert notice.text.startswith("📅 Petugas mengubah jadwal")
            assert "13.00–15.00" in notice.text
        changed = await stored(bot, moved.id)
        assert changed.starts_at == datetime.combine(new_day, time(13), tzinfo=bot.settings.zone)
        assert (await stored(bot, other.id)).starts_at == other.starts_at
        told = await event(bot, "session_moved")
        assert told is not None and told.channel == Channel.WEB
        assert told.data["by"] == f"staff:{officer.id}" and told.data["affected"] == 2


async def test_a_cancelled_session_tells_its_teens_and_offers_the_sessions_ahead(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        mpp = await factories.add_place(bot.db)
        school = await factories.add_place(bot.db, "SMK Negeri 9")
        cancelled = await factories.add_session(bot.db, bot.settings, mpp, days_ahead=5)
        await factories.add_session(bot.db, bot.settings, school, days_ahead=6)
        [(_, rina_chat)] = await teens_at(bot, "Rina", session=cancelled)
        async with signed_in(bot) as (officer, web):
            form = {"csrf": await token(web, f"/jadwal/{cancelled.id}")}
            asked = await web.post(f"/jadwal/{cancelled.id}/batal", data=form)
            assert asked.status_code == 200
            assert "Batalkan jadwal ini?" in asked.text
            assert "1 dari 1 remaja yang dipanggil ke jadwal ini akan dikabari" in asked.text
            assert (await stored(bot, cancelled.id)).state == SessionState.OPEN
            done = await web.post(f"/jadwal/{cancelled.id}/batal", data={**form, "yakin": "1"})
            assert done.status_code == 303
            after = await web.get(done.headers["location"])
            assert "✅ Jadwal dibatalkan. Dikabari lewat Telegram: 1 dari 1 remaja" in after.text
            assert f'href="/jadwal/{cancelled.id}"' not in after.text
            again = await web.post(f"/jadwal/{cancelled.id}/batal", data={**form, "yakin": "1"})
            assert again.status_code == 409
            assert "Jadwal ini sudah tidak ada atau sudah dibatalkan." in again.text
        notice = await rina_chat.next_message()
        assert "dibatalkan oleh petugas" in notice.text and "Pilih jadwal baru" in notice.text
        assert any("SMK Negeri 9" in button.label for button in notice.buttons)
        assert (await stored(bot, cancelled.id)).state == SessionState.CANCELLED
        told = await event(bot, "session_cancelled")
        assert told is not None and told.channel == Channel.WEB
        assert told.data["by"] == f"staff:{officer.id}" and told.data["affected"] == 1


async def test_a_new_session_and_more_seats_from_the_page(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db, "Kantor Kecamatan Utara")
    async with signed_in(bot) as (officer, web):
        page = await web.get("/jadwal")
        assert f'<option value="{place.id}">Kantor Kecamatan Utara</option>' in page.text
        day = ahead(bot, 4)
        made = await web.post(
            "/jadwal/baru",
            data={
                "csrf": csrf_of(page),
                "tempat": str(place.id),
                "tanggal": day.strftime("%d-%m-%Y"),  # typed, not picked: read the same
                "mulai": "08.00",
                "selesai": "11:30",
                "kapasitas": "40",
            },
        )
        assert made.status_code == 303
        listing = await web.get(made.headers["location"])
        assert "Jadwal dibuat." in listing.text and "08.00–11.30 WIB" in listing.text
        async with bot.db.session() as session:
            created = await session.scalar(select(ServiceSession))
        assert created is not None and (created.capacity, created.booked) == (40, 0)
        assert created.starts_at == datetime.combine(day, time(8), tzinfo=bot.settings.zone)
        made_event = await event(bot, "session_created")
        assert made_event is not None and made_event.channel == Channel.WEB
        grown = await web.post(
            f"/jadwal/{created.id}/tempat", data={"csrf": csrf_of(page), "kapasitas": "60"}
        )
        assert grown.status_code == 303
        assert "Sekarang 60 tempat." in (await web.get(grown.headers["location"])).text
        assert (await stored(bot, created.id)).capacity == 60
        grown_event = await event(bot, "session_capacity")
        assert grown_event is not None and grown_event.channel == Channel.WEB
        assert grown_event.data["by"] == f"staff:{officer.id}"


async def test_wrong_input_is_explained_and_changes_nothing(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    held = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    await teens_at(bot, "Rina", "Budi", session=held)
    async with bot.db.session() as session:  # someone's home: only a home visit goes there
        home = Place(name="Jl. Melati 7", address="Jl. Melati 7", kind=PlaceKind.HOME)
        session.add(home)
    async with signed_in(bot) as (_officer, web):
        csrf = await token(web)
        good = {
            "csrf": csrf,
            "tempat": str(place.id),
            "tanggal": ahead(bot, 3).isoformat(),
            "mulai": "08:00",
            "selesai": "11:00",
            "kapasitas": "30",
        }
        wrong = {
            "Jam selesai harus sesudah jam mulai.": {"mulai": "11:00", "selesai": "08:00"},
            "Tanggal itu sudah lewat.": {"tanggal": ahead(bot, -1).isoformat()},
            "Tanggal atau jam tidak terbaca.": {"tanggal": "besok"},
            "Jumlah tempat harus angka 1 sampai 100.000.": {"kapasitas": "0"},
            "Jumlah tempat harus angka": {"kapasitas": "banyak"},
            "Tempat itu tidak ada.": {"tempat": "99999"},
            "Tempat itu tidak ada. ": {"tempat": str(home.id)},
            "Pilih tempatnya.": {"tempat": "abc"},
            "sebelum hari pemungutan suara": {"tanggal": bot.settings.election_date.isoformat()},
        }
        for said, change in wrong.items():
            answer = await web.post("/jadwal/baru", data={**good, **change})
            assert answer.status_code == 400, (said, answer.text)
            assert said.strip() in answer.text and 'class="flash problem"' in answer.text
        assert "Jl. Melati 7" not in (await web.get("/jadwal")).text
        assert (await web.post("/jadwal/baru", data={**good, "yakin": "x"})).status_code == 303

        # Moving: the same checks, and nothing moves.
        move = {"csrf": csrf, "tanggal": ahead(bot, -2).isoformat(), "mulai": "08:00"}
        past = await web.post(f"/jadwal/{held.id}/pindah", data={**move, "selesai": "10:00"})
        assert past.status_code == 400 and "Tanggal itu sudah lewat." in past.text
        today = await web.post(
            f"/jadwal/{held.id}/pindah",
            data={
                **move,
                "tanggal": ahead(bot, 0).isoformat(),
                "mulai": "00:00",
                "selesai": "00:30",
            },
        )
        # The schedule service's own reason, in the words /sesi uses.
        assert today.status_code == 400
        assert "Jam itu sudah lewat: jadwal harus di masa depan." in today.text
        election = bot.settings.election_date
        late = await web.post(
            f"/jadwal/{held.id}/pindah",
            data={**move, "tanggal": election.isoformat(), "selesai": "10:00"},
        )
        assert late.status_code == 400
        assert "Jadwal harus sebelum hari pemungutan suara (" in late.text
        assert (await stored(bot, held.id)).starts_at == held.starts_at

        # Fewer seats than teens already called; not a number of seats at all.
        fewer = await web.post(f"/jadwal/{held.id}/tempat", data={"csrf": csrf, "kapasitas": "1"})
        assert fewer.status_code == 400
        assert "Tidak bisa kurang dari jumlah remaja yang sudah dipanggil" in fewer.text
        for typed in ("0", "-3", "dua", "1e9"):
            refused = await web.post(
                f"/jadwal/{held.id}/tempat", data={"csrf": csrf, "kapasitas": typed}
            )
            assert refused.status_code == 400 and "Jumlah tempat harus angka" in refused.text
        assert (await stored(bot, held.id)).capacity == 10

        # Forged and unknown session ids: a page that says so, never a crash.
        for path in (
            "/jadwal/999999",
            "/jadwal/abc",
            "/jadwal/99999999999999999999",
            "/jadwal/-1",
        ):
            page = await web.get(path)
            assert page.status_code == 404 and "Jadwal ini sudah tidak ada" in page.text
        for action in ("pindah", "batal", "tempat"):
            for forged in ("999999", "99999999999999999999", "1%20OR%201=1"):
                answer = await web.post(
                    f"/jadwal/{forged}/{action}",
                    data={
                        "csrf": csrf,
                        "yakin": "1",
                        "tanggal": ahead(bot, 6).isoformat(),
                        "mulai": "08:00",
                        "selesai": "10:00",
                        "kapasitas": "20",
                    },
                )
                assert answer.status_code in (404, 409), (forged, action, answer.status_code)
                assert "Jadwal ini sudah tidak ada" in answer.text
    async with bot.db.session() as session:
        count = await session.scalar(select(func.count()).select_from(ServiceSession))
        untouched = await session.get(ServiceSession, held.id)
    assert count == 2  # the held one and the one good form
    assert untouched is not None and untouched.state == SessionState.OPEN


async def test_forms_without_their_token_change_nothing(bot: BotHarness) -> None:
    place = await factories.add_place(bot.db)
    held = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    async with signed_in(bot) as (_officer, web):
        forged = {
            "tempat": str(place.id),
            "tanggal": ahead(bot, 3).isoformat(),
            "mulai": "08:00",
            "selesai": "11:00",
            "kapasitas": "30",
            "yakin": "1",
        }
        for path in ("/jadwal/baru", f"/jadwal/{held.id}/pindah", f"/jadwal/{held.id}/batal"):
            for data in (forged, {**forged, "csrf": "x" * 43}):
                answer = await web.post(path, data=data)
                assert answer.status_code == 403 and "Formulir ini kedaluwarsa" in answer.text
    async with client(bot) as stranger:  # nobody signed in
        assert (await stranger.get("/jadwal")).status_code == 401
    after = await stored(bot, held.id)
    assert (after.state, after.starts_at, after.capacity) == (
        SessionState.OPEN,
        held.starts_at,
        10,
    )
