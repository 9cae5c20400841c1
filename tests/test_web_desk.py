"""The recording desk on the dashboard, as staff at a browser and as someone forging forms:
find a teen by attendance code, NIK, or name and birth date; recorded (the teen is thanked in
Telegram), undo, came-but-not-recorded (the teen is offered the sessions ahead); typing
mistakes explained; forged ids, missing tokens and hostile names changing nothing. Real bot,
real emulator chats, real HTTP."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from bot.db.models import Event, OutboxMessage, Summons, Target
from bot.domain.kinds import Channel, SummonsState
from bot.domain.outbox_kinds import Kind
from tests.support import factories
from tests.support.factories import attend_code_of
from tests.support.harness import BotHarness
from tests.support.people import linked
from tests.support.web import (
    client,
    csrf_of,
    dashboard_bot,
    overview,
    post_form,
    result_of,
    searched,
    signed_in,
)


@pytest.fixture
async def bot_web(sqlite_url: str) -> AsyncIterator[BotHarness]:
    """The bot with its dashboard, on SQLite."""
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def followed(web: httpx.AsyncClient, answer: httpx.Response) -> httpx.Response:
    """The page a 303 after a desk action leads to."""
    assert answer.status_code == 303, answer.text
    return await web.get(answer.headers["location"])


def flash(page: httpx.Response) -> str:
    found = re.search(r'<p class="flash[^"]*" role="status" id="hasil">([^<]*)</p>', page.text)
    assert found, "no result message on the page"
    return found.group(1)


def recorded_tile(page: httpx.Response) -> int:
    found = re.search(r'id="total-recorded" data-value="(\d+)"', page.text)
    assert found
    return int(found.group(1))


async def events_of(bot: BotHarness, kind: str) -> list[Event]:
    async with bot.db.session() as session:
        return list(await session.scalars(select(Event).where(Event.kind == kind)))


async def summons_state(bot: BotHarness, target_id: int) -> SummonsState:
    async with bot.db.session() as session:
        state = await session.scalar(select(Summons.state).where(Summons.target_id == target_id))
        assert state is not None
        return state


async def recorded_at(bot: BotHarness, target_id: int) -> object:
    async with bot.db.session() as session:
        target = await session.get(Target, target_id)
        assert target is not None
        return target.recorded_at


async def test_the_desk_finds_by_code_nik_and_name_marks_undoes_and_offers_sessions(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        budi = await factories.add_target(
            bot.db, bot.settings, name="Budi Uji", code="BUDI2345", serial=2, female=False
        )
        place = await factories.add_place(bot.db)
        soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=1)
        later = await factories.add_session(bot.db, bot.settings, place, days_ahead=3)
        teens = {}
        for target, name in ((rina, "Rina"), (budi, "Budi")):
            teen = await linked(bot, target, name)
            await factories.summon(bot.db, bot.settings, target, soon)
            await teen.next_message()  # the summons
            await teen.next_message()  # its pin
            teens[name] = teen
        async with signed_in(bot) as (officer, web):
            assert recorded_tile(await overview(web)) == 0
            desk = await web.get("/meja")
            assert desk.status_code == 200 and "Meja perekaman</h1>" in desk.text

            # By her attendance code, typed in lower case: found, masked NIK, not recorded.
            code = attend_code_of("RINA2345").lower()
            page = await searched(web, code)
            assert "Rina Uji" in page.text and "Budi Uji" not in page.text
            assert "3599************" in page.text and rina.nik not in page.text  # type: ignore[attr-defined]
            assert f'href="/orang/{rina.id}"' in page.text
            assert "dipanggil · Mal Pelayanan Publik" in page.text and "Belum terekam" in page.text
            pressed = await post_form(web, "/meja/direkam", page, orang=rina.id, q=code)
            assert result_of(pressed) == "recorded"
            after = await followed(web, pressed)
            assert flash(after).startswith("✅ Rina Uji terekam. Terima kasih dikirim ke remaja.")
            assert "Sudah terekam: " in after.text and "Batalkan tanda rekam" in after.text
            assert "Sudah direkam</button>" not in after.text
            thanks = await teens["Rina"].next_message()
            assert thanks.text.startswith("✔️ Terima kasih, Rina Uji")
            assert await recorded_at(bot, rina.id) is not None
            assert await summons_state(bot, rina.id) == SummonsState.ATTENDED
            (mark,) = await events_of(bot, "desk_recorded")
            (recorded,) = await events_of(bot, "recorded")
            for event in (mark, recorded):
                assert event.target_id == rina.id and event.channel == Channel.WEB
                assert event.data["by"] == f"staff:{officer.id}"
            # The overview counts the mark at once, not half a minute later.
            assert recorded_tile(await overview(web)) == 1

            # Pressed again (a second tab): nothing more happens, and she is not thanked twice.
            again = await post_form(web, "/meja/direkam", page, orang=rina.id, q=code)
            assert result_of(again) == "already"
            assert "sudah terekam sebelumnya" in flash(await followed(web, again))

            # By NIK: the mark was a mistake, undone; her summons is back as it was.
            typed_nik = rina.nik  # type: ignore[attr-defined]
            page = await searched(web, typed_nik)
            assert (
                "Rina Uji" in page.text
                and 'data-confirm="Batalkan tanda rekam Rina Uji?"' in page.text
            )
            undone = await post_form(web, "/meja/batalkan", page, orang=rina.id, q=typed_nik)
            assert result_of(undone) == "undone"
            assert flash(await followed(web, undone)) == "↩️ Tanda terekam Rina Uji dibatalkan."
            assert await recorded_at(bot, rina.id) is None
            assert await summons_state(bot, rina.id) == SummonsState.SUMMONED
            (undo,) = await events_of(bot, "recorded_undone")
            assert undo.channel == Channel.WEB and undo.data["by"] == f"staff:{officer.id}"
            assert recorded_tile(await overview(web)) == 0

            # By name and birth date: both match; Budi came without his documents.
            by_name = f"uji, {budi.birth_date.strftime('%d-%m-%Y')}"
            page = await searched(web, by_name)
            assert "Rina Uji" in page.text and "Budi Uji" in page.text
            assert "dokumen kurang" in page.text
            came = await post_form(
                web, "/meja/belum-direkam", page, orang=budi.id, q=by_name, alasan="documents"
            )
            assert result_of(came) == "unrecorded"
            shown = await followed(web, came)
            assert flash(shown) == (
                "📝 Budi Uji: datang, belum terekam. Remaja diberi tahu dan ditawari 1 jadwal "
                "berikutnya."
            )
            assert "datang, belum terekam · Mal Pelayanan Publik" in shown.text
            offer = await teens["Budi"].next_message()
            assert offer.text.startswith("Terima kasih sudah datang ke jadwal perekaman")
            assert "dokumen yang diperlukan belum lengkap" in offer.text
            assert len(offer.buttons) == 1  # only the session still ahead
            teens["Budi"].press(offer.buttons[0].label, message=offer)
            assert (await teens["Budi"].next_message()).text.startswith("📣")
            (why,) = await events_of(bot, "desk_unrecorded")
            assert why.target_id == budi.id and why.data["reason"] == "documents"
            assert why.channel == Channel.WEB and why.data["by"] == f"staff:{officer.id}"
            async with bot.db.session() as session:
                moved = await session.scalar(
                    select(Summons.session_id).where(Summons.target_id == budi.id)
                )
            assert moved == later.id
            # Every list shown is an event naming who looked at whom.
            listed = await events_of(bot, "person_listed")
            assert {e.target_id for e in listed} == {rina.id, budi.id}
            assert {e.data["by"] for e in listed} == {f"staff:{officer.id}"}


async def test_what_cannot_be_read_is_explained_and_reveals_nothing(bot_web: BotHarness) -> None:
    bot = bot_web
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
    async with signed_in(bot) as (_officer, web):

        async def answer(typed: str) -> str:
            page = await searched(web, typed)
            assert page.status_code == 200
            found = re.search(r'<p class="flash problem"[^>]*>([^<]*)</p>', page.text)
            assert found, page.text
            return found.group(1)

        bad_nik = "3599019999990001"  # 16 digits, but the 99th of the 99th month
        assert await answer(bad_nik) == "NIK salah (harus 16 angka dengan tanggal lahir yang benar)"
        assert await answer("Rina, 31-02-2009") == (
            "Tanggal lahir tidak terbaca; tulis seperti ini: Rina, 12-03-2009"
        )
        assert await answer("??") == (
            "Ketik kode kehadiran, NIK, atau nama (boleh dengan tanggal lahir), misalnya: "
            "Rina Lestari 12-03-2009"
        )
        # A NIK that is well formed but not Rina's, a code nobody has, her name with another
        # birth date: the same answer, which says nothing about who is on the list.
        other = "3599" + rina.nik[4:12] + "0009"  # type: ignore[attr-defined]
        not_found = "Tidak ditemukan. Periksa lagi, atau coba NIK-nya."
        assert await answer(other) == not_found
        assert await answer("ZZZZ9999") == not_found
        assert await answer("Rina Uji, 01-01-2008") == not_found
        # What was typed comes back in the box as text, never as markup.
        page = await searched(web, '"><script>alert(1)</script>')
        assert "<script>alert(1)</script>" not in page.text
        assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page.text


async def test_forged_ids_reasons_and_tokens_change_nothing(database_url: str) -> None:
    async with dashboard_bot(database_url) as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        place = await factories.add_place(bot.db)
        await factories.summon(
            bot.db, bot.settings, rina, await factories.add_session(bot.db, bot.settings, place)
        )
        async with signed_in(bot) as (_officer, web):
            page = await searched(web, rina.nik)  # type: ignore[attr-defined]
            for action in ("/meja/direkam", "/meja/belum-direkam", "/meja/batalkan"):
                for forged in ("999999", "abc", "-1", "1 OR 1=1", "99999999999999999999", ""):
                    answer = await post_form(
                        web, action, page, orang=forged, q="x", alasan="documents"
                    )
                    assert answer.status_code == 303 and result_of(answer) == "gone"
                    shown = await followed(web, answer)
                    assert shown.status_code == 200
                    assert flash(shown).startswith("Orang itu tidak ada dalam data")
            strange = await post_form(
                web, "/meja/belum-direkam", page, orang=rina.id, q="x", alasan="malas"
            )
            assert result_of(strange) == "reason"
            assert flash(await followed(web, strange)) == (
                "Pilih alasan dari daftar. Tidak ada yang diubah."
            )
            # No token, a wrong one, another session's: refused, and nothing done.
            no_token = await web.post("/meja/direkam", data={"orang": str(rina.id)})
            wrong = await web.post("/meja/direkam", data={"orang": str(rina.id), "csrf": "x" * 43})
            assert no_token.status_code == wrong.status_code == 403
            assert "Formulir ini kedaluwarsa" in no_token.text
        async with client(bot) as stranger:
            unsigned = await stranger.post(
                "/meja/direkam", data={"orang": str(rina.id), "csrf": csrf_of(page)}
            )
            assert unsigned.status_code == 401
        assert await recorded_at(bot, rina.id) is None
        assert await summons_state(bot, rina.id) == SummonsState.SUMMONED
        async with bot.db.session() as session:
            changes = await session.scalar(
                select(func.count()).where(
                    Event.kind.in_(
                        ("recorded", "desk_recorded", "desk_unrecorded", "recorded_undone")
                    )
                )
            )
            thanks = await session.scalar(
                select(func.count()).where(OutboxMessage.message_key == Kind.RECORDED.value)
            )
        assert changes == 0 and thanks == 0


async def test_hostile_unicode_and_long_names_show_as_text(bot_web: BotHarness) -> None:
    bot = bot_web
    hostile = '<script>alert("x")</script> Siti'
    long_name = "Ñoño Nurhaliza 李小龍 " + "Panjang" * 26  # 200 characters, the column's limit
    evil = await factories.add_target(bot.db, bot.settings, name=hostile, code="EVIL2345")
    wide = await factories.add_target(
        bot.db, bot.settings, name=long_name[:200], code="WIDE2345", serial=2
    )
    async with signed_in(bot) as (_officer, web):
        page = await searched(web, attend_code_of("EVIL2345"))
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Siti" in page.text
        marked = await post_form(
            web, "/meja/direkam", page, orang=evil.id, q=attend_code_of("EVIL2345")
        )
        shown = await followed(web, marked)
        assert "<script>alert" not in shown.text
        assert flash(shown).startswith(
            "✅ &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Siti terekam."
        )
        person = await web.get(f"/orang/{evil.id}")
        assert "<script>alert" not in person.text and "&lt;script&gt;" in person.text
        page = await searched(web, attend_code_of("WIDE2345"))
        assert long_name[:200] in page.text
        assert long_name[:200] in (await web.get(f"/orang/{wide.id}")).text


async def test_a_nik_never_goes_into_an_address_and_a_typed_result_shows_no_one(
    sqlite_url: str,
) -> None:
    """On a shared office computer the browser's history keeps every address: the search is a
    POST, the redirect after an action names an id and a signed result, and a result address
    made up or changed by hand shows nobody and records no view."""
    async with dashboard_bot(sqlite_url) as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        budi = await factories.add_target(
            bot.db, bot.settings, name="Budi Uji", code="BUDI2345", serial=2, female=False
        )
        async with signed_in(bot) as (_officer, web):
            page = await searched(web, rina.nik)  # type: ignore[attr-defined]
            assert "Rina Uji" in page.text
            pressed = await post_form(web, "/meja/direkam", page, orang=rina.id)
            location = pressed.headers["location"]
            assert rina.nik not in location  # type: ignore[attr-defined]
            shown = await followed(web, pressed)
            assert flash(shown).startswith("✅ Rina Uji terekam.")
            async with bot.db.session() as session:
                before = await session.scalar(select(func.count()).select_from(Event))
            # The same address for Budi, or with another result: nobody shown, nothing recorded.
            for forged in (
                location.replace(f"orang={rina.id}", f"orang={budi.id}"),
                location.replace("hasil=recorded", "hasil=undone"),
                location.replace("kabar=0.", "kabar=1."),  # claim the teen was told
                f"/meja?hasil=recorded&orang={budi.id}",
            ):
                page = await web.get(forged)
                assert page.status_code == 200
                assert "Budi Uji" not in page.text and 'id="hasil"' not in page.text
            async with bot.db.session() as session:
                assert await session.scalar(select(func.count()).select_from(Event)) == before


async def test_the_reason_for_not_recording_must_be_chosen(bot_web: BotHarness) -> None:
    """No reason is picked in advance: a clerk who presses without choosing is stopped by the
    browser, and a form sent without one changes nothing."""
    bot = bot_web
    rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
    async with signed_in(bot) as (_officer, web):
        page = await searched(web, "rina uji")
        select_tag = re.search(
            r'<select id="alasan-\d+" name="alasan"[^>]*>(.*?)</select>', page.text, re.S
        )
        assert select_tag, page.text
        assert "required" in select_tag.group(0)
        options = re.findall(r"<option([^>]*)>", select_tag.group(1))
        chosen = [o for o in options if "selected" in o]
        assert chosen and all('value=""' in o for o in chosen), options
        answer = await post_form(web, "/meja/belum-direkam", page, orang=rina.id, alasan="")
        assert result_of(answer) == "reason"
