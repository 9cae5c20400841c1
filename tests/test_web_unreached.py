"""Belum terjangkau on the dashboard: the summoned teen nobody can reach is listed (and the
listing is an event), with her call list, her letter and a home visit asked for her; the teen
on Telegram is not listed; strangers and forged forms get nothing."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Event, HomeVisit
from tests.support import factories
from tests.support.people import linked
from tests.support.web import client, csrf_of, dashboard_bot, signed_in


async def test_the_unreached_are_listed_with_their_call_list_letters_and_a_visit(
    sqlite_url: str,
) -> None:
    async with dashboard_bot(sqlite_url, bot_username="RekamUjiBot") as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        sari = await factories.add_target(
            bot.db, bot.settings, name="Sari Uji", serial=2, code="SARI2345"
        )
        place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
        soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4)
        await linked(bot, rina, "Rina")  # on Telegram: reached
        await factories.summon(bot.db, bot.settings, rina, soon)
        await factories.summon(bot.db, bot.settings, sari, soon)
        async with signed_in(bot) as (officer, web):
            page = await web.get("/belum-terjangkau")
            assert page.status_code == 200
            assert "Belum terjangkau: 1 remaja." in page.text
            assert "Sari Uji" in page.text and "Rina Uji" not in page.text
            assert "tidak ada saluran" in page.text

            calls = await web.get("/belum-terjangkau/telepon.csv")
            assert calls.status_code == 200 and "Sari Uji" in calls.text
            assert "Rina Uji" not in calls.text

            pdf = await web.post("/belum-terjangkau/surat", data={"csrf": csrf_of(page)})
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

            asked = await web.post(
                "/belum-terjangkau/kunjungan",
                data={"csrf": csrf_of(page), "orang": str(sari.id)},
                follow_redirects=True,
            )
            assert "Kunjungan rumah untuk Sari Uji masuk antrean" in asked.text
            on_telegram = await web.post(
                "/belum-terjangkau/kunjungan", data={"csrf": csrf_of(page), "orang": str(rina.id)}
            )
            assert on_telegram.status_code == 404  # not on this list: nothing asked
            forged = await web.post(
                "/belum-terjangkau/kunjungan", data={"csrf": "x" * 43, "orang": str(sari.id)}
            )
            assert forged.status_code == 403
        async with client(bot) as stranger:
            assert (await stranger.get("/belum-terjangkau")).status_code == 401
            assert (await stranger.get("/belum-terjangkau/telepon.csv")).status_code == 401
        async with bot.db.session() as session:
            visits = list(await session.scalars(select(HomeVisit)))
            listed = list(
                await session.scalars(select(Event.target_id).where(Event.kind == "person_listed"))
            )
        assert [v.target_id for v in visits] == [sari.id]
        assert set(listed) == {sari.id} and officer is not None
