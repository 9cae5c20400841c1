"""Who gets into the dashboard, tried first as an attacker would: used, expired and forged
links, no session, a non-staff account, a removed staff member, a form without its token,
an idle session, a signed-out cookie. Real bot, real emulator chat, real HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.clock import Clock
from bot.config import SettingsError
from bot.db.models import Event, WebLogin, WebSession
from bot.i18n import Catalogs
from bot.web.context import WebServices
from bot.web.server import serving
from tests.support.harness import BotHarness, database, make_settings
from tests.support.people import staff_member, unknown
from tests.support.web import client, csrf_of, dashboard_bot, login_link, sign_in

SIGN_IN_HINT = "Kirim /dasbor ke bot Rekam"


@pytest.fixture
async def bot(sqlite_url: str):  # type: ignore[no-untyped-def]
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def sessions_of(bot: BotHarness, telegram_id: int) -> int:
    async with bot.db.session() as session:
        return int(
            await session.scalar(select(func.count()).where(WebSession.telegram_id == telegram_id))
            or 0
        )


async def test_a_staff_member_signs_in_once_with_the_link_and_out_again(
    database_url: str,
) -> None:
    async with dashboard_bot(database_url) as bot:
        desk = await staff_member(bot, "Dewi")
        link = await login_link(desk)
        assert link.startswith(bot.settings.dashboard_url + "/masuk/")
        async with client(bot) as web:
            pressed = await sign_in(web, link)
            assert pressed.status_code == 303 and pressed.headers["location"] == "/"
            cookie = pressed.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=lax" in cookie
            page = await web.get("/")
            assert page.status_code == 200 and "Ringkasan" in page.text
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            assert page.headers["cache-control"] == "no-store"
            # Out: the same cookie opens nothing any more.
            cookie_value = web.cookies["rekam_sesi"]
            out = await web.post("/keluar", data={"csrf": csrf_of(page)})
            assert out.status_code == 200 and "Anda sudah keluar" in out.text
        async with client(bot) as replay:  # the old cookie, kept by someone
            replay.cookies.set("rekam_sesi", cookie_value)
            again = await replay.get("/")
            assert again.status_code == 401 and SIGN_IN_HINT in again.text
        assert await sessions_of(bot, desk.id) == 0
        async with bot.db.session() as session:
            logins = await session.scalar(
                select(func.count()).where(
                    Event.kind == "web_login", Event.data["by"].as_string() == f"staff:{desk.id}"
                )
            )
        assert logins == 1


async def test_a_link_works_once_and_only_for_ten_minutes(bot: BotHarness) -> None:
    desk = await staff_member(bot, "Dewi")
    first = await login_link(desk)
    async with client(bot) as web:
        assert (await sign_in(web, first)).status_code == 303
    token = first.rsplit("/", 1)[1]
    async with client(bot) as thief:  # someone who saw the link after it was used
        shown = await thief.get(f"/masuk/{token}")
        assert shown.status_code == 403 and "sudah dipakai" in shown.text
        used = await thief.post(f"/masuk/{token}")
        assert used.status_code == 403
        assert "rekam_sesi" not in used.headers.get("set-cookie", "")
    late = await login_link(desk)
    async with client(bot) as web:
        page = await web.get(f"/masuk/{late.rsplit('/', 1)[1]}")  # opened in time, ...
        async with bot.db.session() as session:  # ... pressed eleven minutes later
            await session.execute(
                update(WebLogin)
                .where(WebLogin.used_at.is_(None))
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )
        expired = await web.post(f"/masuk/{late.rsplit('/', 1)[1]}", data={"csrf": csrf_of(page)})
        assert expired.status_code == 403 and "sudah lewat 10 menit" in expired.text
        assert (await web.get("/")).status_code == 401
    async with client(bot) as web:  # a made-up token
        assert (await web.get("/masuk/" + "A" * 43)).status_code == 403
        assert (await web.post("/masuk/" + "A" * 43)).status_code == 403


async def test_strangers_get_no_link_and_no_page(bot: BotHarness) -> None:
    stranger = bot.user("Orang Asing")
    stranger.send("/dasbor")
    assert (await stranger.next_message()).text == unknown("/dasbor")
    async with bot.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(WebLogin)) == 0
    async with client(bot) as web:
        for path in ("/", "/meja", "/petugas", "/hari-ini"):
            page = await web.get(path)
            assert page.status_code in (401, 404) and "Ringkasan</h1>" not in page.text
        assert (await web.get("/")).status_code == 401
        web.cookies.set("rekam_sesi", "bukan-sesi-siapa-pun")
        forged = await web.get("/")
        assert forged.status_code == 401 and SIGN_IN_HINT in forged.text
        posted = await web.post("/keluar", data={"csrf": "x"})
        assert posted.status_code == 401


async def test_removing_a_staff_member_ends_their_sessions_and_unused_links(
    bot: BotHarness,
) -> None:
    admin = await staff_member(bot, "Admin", admin=True)
    desk = await staff_member(bot, "Dewi")
    async with client(bot) as web:
        await sign_in(web, await login_link(desk))
        assert (await web.get("/")).status_code == 200
        unused = (await login_link(desk)).rsplit("/", 1)[1]
        async with client(bot) as other:
            shown = await other.get(f"/masuk/{unused}")  # opened before the removal
            admin.send(f"/petugas_hapus {desk.id}")
            assert "bukan petugas lagi" in (await admin.next_message()).text
            page = await web.get("/")
            assert page.status_code == 401 and SIGN_IN_HINT in page.text
            pressed = await other.post(f"/masuk/{unused}", data={"csrf": csrf_of(shown)})
            assert pressed.status_code == 403 and "bukan untuk petugas" in pressed.text
    assert await sessions_of(bot, desk.id) == 0


async def test_a_sign_in_posted_from_another_site_signs_nobody_in(bot: BotHarness) -> None:
    """Login CSRF: a page elsewhere posts a link's button in an office browser (to sign it in
    as the attacker's account, whose actions staff would then take as their own). Only the
    link's own page may press it; a refused press leaves the link unspent."""
    mallory = await staff_member(bot, "Mallory")
    token = (await login_link(mallory)).rsplit("/", 1)[1]
    async with client(bot) as office:
        # An evil page's auto-submitting form: the browser says where it comes from, and
        # (SameSite=Strict) sends no form cookie; the attacker cannot know the page's token.
        forged = [
            await office.post(
                f"/masuk/{token}",
                data={"csrf": "x" * 43},
                headers={"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
            ),
            await office.post(f"/masuk/{token}", headers={"sec-fetch-site": "cross-site"}),
            # An older browser, which says nothing of where a request comes from.
            await office.post(f"/masuk/{token}", data={"csrf": "x" * 43}),
        ]
        # A sibling subdomain that planted a form cookie of its own and posts its value.
        office.cookies.set("rekam_masuk", "planted", path="/masuk/")
        forged.append(
            await office.post(
                f"/masuk/{token}",
                data={"csrf": "planted"},
                headers={"sec-fetch-site": "same-site"},
            )
        )
        for refused in forged:
            assert refused.status_code == 403 and "tidak berasal dari dasbor" in refused.text
            assert "rekam_sesi" not in refused.headers.get("set-cookie", "")
        assert (await office.get("/")).status_code == 401  # nobody signed in
    assert await sessions_of(bot, mallory.id) == 0
    async with client(bot) as web:  # the link itself still works from its page
        assert (await sign_in(web, f"/masuk/{token}")).status_code == 303
    # Opened in two browsers: the form token of one page is no good in the other.
    other = await login_link(mallory)
    async with client(bot) as first, client(bot) as second:
        shown = await first.get(f"/masuk/{other.rsplit('/', 1)[1]}")
        await second.get(f"/masuk/{other.rsplit('/', 1)[1]}")
        mixed = await second.post(
            f"/masuk/{other.rsplit('/', 1)[1]}", data={"csrf": csrf_of(shown)}
        )
        assert mixed.status_code == 403


async def test_a_session_whose_staff_row_is_gone_is_refused_even_without_the_removal_service(
    bot: BotHarness,
) -> None:
    """Every page checks the staff row at that moment (a row deleted by hand, say)."""
    desk = await staff_member(bot, "Dewi")
    async with client(bot) as web:
        await sign_in(web, await login_link(desk))
        async with bot.db.session() as session:
            from bot.db.models import Staff

            await session.execute(Staff.__table__.delete().where(Staff.telegram_id == desk.id))
        assert (await web.get("/")).status_code == 401


async def test_a_form_without_its_token_changes_nothing(bot: BotHarness) -> None:
    desk = await staff_member(bot, "Dewi")
    async with client(bot) as web:
        await sign_in(web, await login_link(desk))
        page = await web.get("/")
        missing = await web.post("/bahasa", data={"language": "en", "back": "/"})
        wrong = await web.post("/bahasa", data={"language": "en", "csrf": "x" * 43})
        assert missing.status_code == wrong.status_code == 403
        assert "Ringkasan" in (await web.get("/")).text  # still Indonesian
        changed = await web.post(
            "/bahasa", data={"language": "en", "csrf": csrf_of(page), "back": "//evil.example/"}
        )
        assert changed.status_code == 303 and changed.headers["location"] == "/"
        assert "Overview" in (await web.get("/")).text
        # A signed-in session's token does not log another session out.
        async with client(bot) as other:
            await sign_in(other, await login_link(desk))
            refused = await other.post("/keluar", data={"csrf": csrf_of(page)})
            assert refused.status_code == 403
            assert (await other.get("/")).status_code == 200


async def test_an_idle_session_ends(bot: BotHarness) -> None:
    desk = await staff_member(bot, "Dewi")
    async with client(bot) as web:
        await sign_in(web, await login_link(desk))
        async with bot.db.session() as session:
            await session.execute(
                update(WebSession).values(
                    seen_at=datetime.now(UTC)
                    - timedelta(minutes=bot.settings.web_idle_minutes, seconds=5)
                )
            )
        assert (await web.get("/")).status_code == 401
    assert await sessions_of(bot, desk.id) == 0


async def test_only_hashes_of_links_and_cookies_are_stored(bot: BotHarness) -> None:
    desk = await staff_member(bot, "Dewi")
    link = await login_link(desk)
    async with client(bot) as web:
        await sign_in(web, link)
        cookie = web.cookies.get("rekam_sesi")
    async with bot.db.session() as session:
        stored = [*await session.scalars(select(WebLogin.token_hash))]
        stored += [*await session.scalars(select(WebSession.token_hash))]
    assert cookie and link.rsplit("/", 1)[1] not in stored and cookie not in stored


async def test_a_huge_body_is_refused_before_anything_stores_it(bot: BotHarness) -> None:
    """Any form: a few hundred kilobytes at most, counted as it arrives, stated length or not;
    the refusal carries the pages' security headers too."""
    desk = await staff_member(bot, "Dewi")
    async with client(bot) as web:
        await sign_in(web, await login_link(desk))
        csrf = csrf_of(await web.get("/"))
        stated = await web.post("/bahasa", data={"csrf": csrf, "language": "x" * 400_000})
        assert stated.status_code == 413 and "terlalu besar" in stated.text
        assert "frame-ancestors 'none'" in stated.headers["content-security-policy"]

        async def chunks() -> AsyncIterator[bytes]:
            yield f"csrf={csrf}&language=".encode()
            for _ in range(40):
                yield b"x" * 10_000

        streamed = await web.post(
            "/bahasa",
            content=chunks(),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert streamed.status_code == 413
        assert (await web.get("/")).status_code == 200  # still signed in, nothing changed


async def test_digits_from_other_scripts_are_refused_not_a_crash(bot: BotHarness) -> None:
    """'²' and '٣' pass str.isdigit() but are no number int() reads: every id a page reads."""
    admin = await staff_member(bot, "Admin", admin=True)
    async with client(bot) as web:
        await sign_in(web, await login_link(admin))
        csrf = csrf_of(await web.get("/"))
        for odd in ("²", "٣", "1²"):
            pages = [
                await web.get("/siaran", params={"dikirim": odd}),
                await web.post("/berkas/surat", data={"csrf": csrf, "sekolah": odd}),
                await web.get(f"/orang/{odd}"),
                await web.get(f"/jadwal/{odd}"),
                await web.post(
                    "/siaran/pratinjau",
                    data={"csrf": csrf, "audience": "session", "jadwal": odd, "teks": "x"},
                ),
                await web.post("/petugas/tambah", data={"csrf": csrf, "telegram_id": odd}),
                await web.post("/petugas/hapus", data={"csrf": csrf, "telegram_id": odd}),
                await web.post("/meja/direkam", data={"csrf": csrf, "orang": odd}),
            ]
            assert all(page.status_code < 500 for page in pages), [p.status_code for p in pages]


async def test_a_taken_port_is_named_and_the_process_lives_on(sqlite_url: str) -> None:
    """uvicorn exits the process when it cannot bind: the dashboard says which setting instead
    (the bot beside it, in `rekam run`, must not vanish without a word)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = make_settings(sqlite_url, web_port=taken.getsockname()[1])
        db = database(sqlite_url)
        web = WebServices(settings, db, Catalogs(), Clock(settings.zone))
        try:
            with pytest.raises(SettingsError) as raised:
                async with serving(web):
                    pass
        finally:
            await db.dispose()
    assert raised.value.variable == "WEB_PORT"
