"""A teen's page on the dashboard: everything `rekam person` shows, the NIK masked until a
staff member asks for it; each view and each reveal an event naming who looked. Unknown,
forged and unsigned requests get a page in Indonesian and leave no trace of a view."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.db.models import Event
from bot.domain.kinds import Channel
from bot.services import contacts
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import linked
from tests.support.web import client, csrf_of, dashboard_bot, signed_in

NO_SUCH = "Tidak ada remaja dengan nomor itu"


@pytest.fixture
async def bot_web(sqlite_url: str) -> AsyncIterator[BotHarness]:
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def views(bot: BotHarness, kind: str) -> list[Event]:
    async with bot.db.session() as session:
        return list(
            await session.scalars(select(Event).where(Event.kind == kind).order_by(Event.id))
        )


async def test_the_page_masks_the_nik_until_asked_and_records_who_looked(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
        soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4)
        teen = await linked(bot, rina, "Rina")
        await factories.summon(bot.db, bot.settings, rina, soon)
        full = rina.nik  # type: ignore[attr-defined]
        async with signed_in(bot) as (officer, web):
            page = await web.get(f"/orang/{rina.id}")
            assert page.status_code == 200
            assert "<h1>Rina Uji</h1>" in page.text
            assert '<span id="nik">3599************</span>' in page.text and full not in page.text
            assert "Tampilkan NIK" in page.text
            assert "dipanggil" in page.text and "Kantor Kecamatan Klojen" in page.text
            assert f'<td class="num">{teen.id}</td>' in page.text  # her Telegram account
            history = page.text.split('class="history"')[1]
            assert "<td>dipanggil</td>" in history  # the history, newest first, in words
            assert "summoned" not in history and "person_viewed" not in history
            (viewed,) = await views(bot, "person_viewed")
            assert viewed.target_id == rina.id and viewed.channel == Channel.WEB
            assert viewed.data["by"] == f"staff:{officer.id}"
            assert await views(bot, "nik_revealed") == []

            shown = await web.post(f"/orang/{rina.id}/nik", data={"csrf": csrf_of(page)})
            assert shown.status_code == 200
            assert f'<strong id="nik-lengkap">{full}</strong>' in shown.text
            assert "tercatat bahwa Anda melihatnya" in shown.text
            (revealed,) = await views(bot, "nik_revealed")
            assert revealed.target_id == rina.id and revealed.channel == Channel.WEB
            assert revealed.data["by"] == f"staff:{officer.id}"
            assert "nik" not in revealed.data  # the event says who saw it, not what it is

            # The next visit is masked again, and is one more view.
            again = await web.get(f"/orang/{rina.id}")
            assert full not in again.text and "3599************" in again.text
            assert len(await views(bot, "person_viewed")) == 3  # the reveal showed the page too

            # Without the form's token: refused, no NIK, no reveal recorded.
            forged = await web.post(f"/orang/{rina.id}/nik", data={"csrf": "x" * 43})
            assert forged.status_code == 403 and full not in forged.text
            assert len(await views(bot, "nik_revealed")) == 1


async def test_unknown_forged_and_unsigned_requests_see_nobody(bot_web: BotHarness) -> None:
    bot = bot_web
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
    async with signed_in(bot) as (_officer, web):
        page = await web.get("/meja")
        for address in ("/orang/999999", "/orang/abc", "/orang/-1", "/orang/99999999999999999999"):
            missing = await web.get(address)
            assert missing.status_code == 404 and NO_SUCH in missing.text, address
            posted = await web.post(address + "/nik", data={"csrf": csrf_of(page)})
            assert posted.status_code == 404 and NO_SUCH in posted.text, address
    async with client(bot) as stranger:
        unsigned = await stranger.get(f"/orang/{rina.id}")
        assert unsigned.status_code == 401 and "Rina Uji" not in unsigned.text
        revealed = await stranger.post(f"/orang/{rina.id}/nik", data={"csrf": "x"})
        assert revealed.status_code == 401 and rina.nik not in revealed.text  # type: ignore[attr-defined]
    async with bot.db.session() as session:
        looked = await session.scalar(
            select(func.count()).where(Event.kind.in_(("person_viewed", "nik_revealed")))
        )
    assert looked == 0


async def test_staff_put_correct_and_remove_a_number_and_a_wrong_one_is_refused_in_words(
    bot_web: BotHarness,
) -> None:
    bot = bot_web
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
    async with signed_in(bot) as (officer, web):
        page = await web.get(f"/orang/{rina.id}")
        assert 'id="nomor-telepon"' in page.text and "belum ada" in page.text
        form = {"csrf": csrf_of(page), "milik": "guardian"}

        landline = await web.post(
            f"/orang/{rina.id}/telepon", data={**form, "nomor": "021-7654321"}
        )
        assert landline.status_code == 200
        assert "Itu nomor telepon rumah atau kantor" in landline.text

        saved = await web.post(
            f"/orang/{rina.id}/telepon",
            data={**form, "nomor": "0812-3456-7890", "izin_wa": "ya"},
            follow_redirects=True,
        )
        assert "Nomor telepon disimpan." in saved.text
        assert "+62 812 ***** 890" in saved.text and "81234567890" not in saved.text
        assert "izin WhatsApp ada" in saved.text and "diisi petugas" in saved.text
        # The saying comes only from the address the save made.
        typed = await web.get(f"/orang/{rina.id}?nomor=disimpan&s=0000")
        assert "Nomor telepon disimpan." not in typed.text

        removed = await web.post(
            f"/orang/{rina.id}/telepon", data={**form, "hapus": "1"}, follow_redirects=True
        )
        assert "Nomor telepon dihapus dari data ini." in removed.text
        assert "+62 812" not in removed.text.split('id="nomor-telepon"')[1].split("</section>")[0]

        wrong_whose = await web.post(
            f"/orang/{rina.id}/telepon", data={**form, "milik": "tetangga", "nomor": "0812345678"}
        )
        assert wrong_whose.status_code == 404
        forged = await web.post(
            f"/orang/{rina.id}/telepon", data={**form, "csrf": "x" * 43, "nomor": "08123456789"}
        )
        assert forged.status_code == 403
    async with client(bot) as stranger:
        unsigned = await stranger.post(
            f"/orang/{rina.id}/telepon", data={"milik": "teen", "nomor": "081234567890"}
        )
        assert unsigned.status_code == 401
    async with bot.db.session() as session:
        assert await contacts.of(session, rina.id) == ()
        said = list(
            await session.scalars(
                select(Event.kind).where(Event.kind.like("contact_%")).order_by(Event.id)
            )
        )
    assert said == ["contact_set", "contact_removed"]
    assert officer is not None
