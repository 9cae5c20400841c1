"""Kunjungan rumah on the dashboard: the queue with addresses and, where known, coordinates;
a visit (or a round) scheduled from the page reaches the teen's chat as the Telegram flow's
does; the outcome recorded at the door; wrong picks, times and ids, and forms without their
token, change nothing. Real bot, real emulator chats, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.db.models import Event, HomeVisit, Place, Region, ServiceSession, Summons, Target
from bot.domain.kinds import Channel, HomeVisitState, PlaceKind, SummonsState
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import requesting_teen, waiting_requests
from tests.support.web import csrf_of, dashboard_bot, signed_in

SCHEDULED = "✅ Kunjungan dijadwalkan untuk {count} remaja."


@pytest.fixture
async def bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def visits(bot: BotHarness) -> list[HomeVisit]:
    async with bot.db.session() as session:
        return list(await session.scalars(select(HomeVisit).order_by(HomeVisit.id)))


def when_form(bot: BotHarness, days: int = 3, start: str = "09:00", end: str = "10:30") -> dict:  # type: ignore[type-arg]
    day = factories.today(bot.settings) + timedelta(days=days)
    return {"tanggal": day.isoformat(), "mulai": start, "selesai": end}


async def test_a_visit_scheduled_from_the_page_summons_the_teen_at_home(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        teen = await requesting_teen(bot)
        await teen.next_message()  # "forwarded to staff"
        [visit] = await visits(bot)
        async with signed_in(bot) as (officer, web):
            page = await web.get("/kunjungan")
            assert page.status_code == 200
            for shown in ("Rina Lestari", "Jl. Melati 7", "Mawar", "Utara"):
                assert shown in page.text
            assert "Saya memakai kursi roda" in page.text and "Menunggu jadwal" in page.text
            assert "Koordinat belum ada" in page.text
            form = {"csrf": csrf_of(page), "kunjungan": str(visit.id), **when_form(bot)}
            done = await web.post("/kunjungan/jadwal", data=form)
            assert done.status_code == 303
            after = await web.get(done.headers["location"])
            assert SCHEDULED.format(count=1) in after.text
            assert "Terjadwal" in after.text and "09.00–10.30 WIB" in after.text
        summons = await teen.next_message()
        assert summons.text.startswith("📣") and "Jl. Melati 7" in summons.text
        assert [b.label[0] for b in summons.buttons][:2] == ["✅", "❌"]
        [scheduled] = await visits(bot)
        assert scheduled.state == HomeVisitState.SCHEDULED
        assert scheduled.decided_by == f"staff:{officer.id}"
        async with bot.db.session() as session:
            home = await session.get(ServiceSession, scheduled.session_id)
            made = await session.scalar(select(Event).where(Event.kind == "home_visit_scheduled"))
        assert home is not None
        day = factories.today(bot.settings) + timedelta(days=3)
        assert home.starts_at == datetime.combine(day, time(9), tzinfo=bot.settings.zone)
        assert made is not None and made.channel == Channel.WEB
        assert made.data["by"] == f"staff:{officer.id}"
        async with bot.db.session() as session:  # the queue showed her reason: who saw it
            seen = list(
                await session.scalars(
                    select(Event).where(
                        Event.kind == "person_listed", Event.target_id == scheduled.target_id
                    )
                )
            )
        assert seen and all(
            e.data == {"by": f"staff:{officer.id}", "where": "kunjungan"} for e in seen
        )


async def test_the_outcome_at_the_door_is_recorded_from_the_page(bot: BotHarness) -> None:
    teen = await requesting_teen(bot)
    await teen.next_message()
    [visit] = await visits(bot)
    async with signed_in(bot) as (_officer, web):
        csrf = csrf_of(await web.get("/kunjungan"))
        form = {"csrf": csrf, "kunjungan": str(visit.id), **when_form(bot)}
        assert (await web.post("/kunjungan/jadwal", data=form)).status_code == 303
        await teen.next_message()  # the summons home
        away = await web.post(
            f"/kunjungan/{visit.id}/hasil", data={"csrf": csrf, "hasil": "tidak-di-rumah"}
        )
        assert away.status_code == 303
        after = await web.get(away.headers["location"])
        assert "Tercatat; permintaan kembali ke daftar." in after.text
        assert "Menunggu jadwal" in after.text
        [back] = await visits(bot)
        assert (back.state, back.session_id) == (HomeVisitState.REQUESTED, None)

        again = await web.post(
            f"/kunjungan/{visit.id}/hasil", data={"csrf": csrf, "hasil": "terekam"}
        )
        assert again.status_code == 409
        assert "Kunjungan ini belum dijadwalkan atau sudah dicatat." in again.text

        form = {"csrf": csrf, "kunjungan": str(visit.id), **when_form(bot, days=4)}
        assert (await web.post("/kunjungan/jadwal", data=form)).status_code == 303
        await teen.next_message()
        recorded = await web.post(
            f"/kunjungan/{visit.id}/hasil", data={"csrf": csrf, "hasil": "terekam"}
        )
        assert recorded.status_code == 303
        after = await web.get(recorded.headers["location"])
        assert (
            "✅ Tercatat sudah direkam. Ucapan terima kasih dikirim lewat Telegram "
            "(1 di Telegram sendiri, 0 orang tua/wali)."
        ) in after.text
        assert "Tidak ada permintaan kunjungan rumah." in after.text
    thanks = await teen.next_message()
    assert thanks.text.startswith("✔️ Terima kasih, Rina Lestari")
    async with bot.db.session() as session:
        target = await session.scalar(select(Target))
        summons = await session.scalar(select(Summons))
        failed = await session.scalar(select(Event).where(Event.kind == "home_visit_failed"))
    assert target is not None and target.recorded_at is not None
    assert summons is not None and summons.state == SummonsState.ATTENDED
    assert failed is not None and failed.channel == Channel.WEB
    assert failed.data["reason"] == "not_at_home"


async def test_known_coordinates_are_shown_with_a_map_link_and_a_plot(bot: BotHarness) -> None:
    await waiting_requests(bot, "Ani", "Budi")
    ani, budi = await visits(bot)
    async with signed_in(bot) as (_officer, web):
        csrf = csrf_of(await web.get("/kunjungan"))
        form = {"csrf": csrf, "kunjungan": [str(ani.id), str(budi.id)], **when_form(bot)}
        done = await web.post("/kunjungan/jadwal", data=form)
        assert done.status_code == 303
        assert SCHEDULED.format(count=2) in (await web.get(done.headers["location"])).text
        async with bot.db.session() as session:  # staff put the pin on Ani's house
            home = await session.scalar(
                select(Place.id)
                .join(ServiceSession, ServiceSession.place_id == Place.id)
                .join(HomeVisit, HomeVisit.session_id == ServiceSession.id)
                .where(HomeVisit.id == ani.id, Place.kind == PlaceKind.HOME)
            )
            await session.execute(
                update(Place).where(Place.id == home).values(latitude=-7.9666, longitude=112.6326)
            )
        page = await web.get("/kunjungan")
        assert "https://www.openstreetmap.org/?mlat=-7.96660&amp;mlon=112.63260" in page.text
        assert "<svg" in page.text and "<circle" in page.text
        assert "Koordinat belum ada" in page.text  # Budi's house has none
        assert "tile.openstreetmap.org" not in page.text  # nothing loaded from outside


async def test_wrong_picks_times_and_ids_change_nothing(bot: BotHarness) -> None:
    await waiting_requests(bot, "Ani", "Budi")
    ani, budi = await visits(bot)
    async with bot.db.session() as session:  # Budi lives in another kecamatan
        selatan = Region(kecamatan="Selatan", kelurahan="Kenanga")
        session.add(selatan)
        await session.flush()
        await session.execute(
            update(Target).where(Target.id == budi.target_id).values(region_id=selatan.id)
        )
    async with signed_in(bot) as (_officer, web):
        csrf = csrf_of(await web.get("/kunjungan"))
        cases = {
            "Pilih minimal satu permintaan.": {"kunjungan": []},
            "Tanggal itu sudah lewat.": {"kunjungan": [str(ani.id)], **when_form(bot, days=-1)},
            "Jam selesai harus sesudah jam mulai.": {
                "kunjungan": [str(ani.id)],
                **when_form(bot, start="12:00", end="08:00"),
            },
            "Satu putaran kunjungan hanya untuk satu kecamatan.": {
                "kunjungan": [str(ani.id), str(budi.id)]
            },
            "Ada permintaan yang tidak menunggu lagi": {"kunjungan": ["99999"]},
            "Ada permintaan yang tidak menunggu lagi (": {"kunjungan": ["abc"]},
        }
        for said, change in cases.items():
            answer = await web.post(
                "/kunjungan/jadwal", data={"csrf": csrf, **when_form(bot), **change}
            )
            assert answer.status_code in (400, 409), (said, answer.status_code)
            assert said in answer.text and 'class="flash problem"' in answer.text
        for forged in ("99999", "abc", "99999999999999999999"):
            answer = await web.post(
                f"/kunjungan/{forged}/hasil", data={"csrf": csrf, "hasil": "terekam"}
            )
            assert answer.status_code == 409
            assert "Kunjungan ini belum dijadwalkan atau sudah dicatat." in answer.text
        odd = await web.post(f"/kunjungan/{ani.id}/hasil", data={"csrf": csrf, "hasil": "x"})
        assert odd.status_code == 400
        no_token = await web.post(
            "/kunjungan/jadwal", data={"kunjungan": str(ani.id), **when_form(bot)}
        )
        assert no_token.status_code == 403
    assert [v.state for v in await visits(bot)] == [HomeVisitState.REQUESTED] * 2
    async with bot.db.session() as session:
        homes = await session.scalar(
            select(func.count()).select_from(Place).where(Place.kind == PlaceKind.HOME)
        )
    assert homes == 0
