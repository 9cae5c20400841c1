"""The dashboard in a real browser (Playwright driving Debian's chromium), as a staff member
uses it: the /dasbor link from the emulator chat, the overview beside `rekam report`, the desk
marking a teen recorded (the teen is thanked in Telegram, the overview moves), a home visit
scheduled, a broadcast previewed and sent to the right chats, an upload's progress and outcome,
and signing out; and every way in that must stay shut. Screenshots of the overview at 360 px and 1280 px go to test-output/."""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select, update

from bot.cli import main
from bot.db.models import OutboxMessage, Target, WebLogin
from bot.domain import nik as nik_rules
from bot.domain.outbox_kinds import Kind
from bot.emulator import UserClient
from bot.services import figures, imports
from tests.support import factories
from tests.support.browser import chromium, screenshots_dir
from tests.support.harness import BotHarness
from tests.support.people import linked_teen, staff_member
from tests.support.sheets import ID_HEADER, person
from tests.support.uploads import crafted_workbook
from tests.support.web import dashboard_bot, figures_changed, login_link

TOUR = [
    ("Hari ini", "Hari ini"),
    ("Tinjauan", "Tinjauan"),
    ("Jadwal", "Jadwal"),
    ("Impor / Ekspor", "Impor / Ekspor"),
    ("Petugas", "Petugas"),
]
NOTICE = "Jadwal Sabtu di Kantor Kelurahan Mawar dibuka pukul 07.30."
# Two kecamatan, three kelurahan, three schools: enough to drill down through every level.
AREAS = [("Utara", "Mawar", "SMA Negeri 1 Uji"), ("Utara", "Melati", "SMK Negeri 2 Uji")]
AREAS += [("Selatan", "Kenanga", "SMA Negeri 3 Uji")]


async def office_list(bot: BotHarness, tmp_path: Path) -> list[list[str]]:
    """Twelve teens on the target list, through the same import as `rekam import targets`."""
    rows = []
    for serial in range(1, 13):
        kecamatan, kelurahan, school = AREAS[serial % 3]
        row = person(serial, born=date(2009, 3, serial), name=f"Remaja Uji {serial}")
        row[4], row[5], row[7] = kelurahan, kecamatan, school
        rows.append(row)
    rows[0][9] = "sudah rekam"  # one recorded before the campaign
    now = datetime.now(UTC)
    result = await imports.import_targets(
        bot.db,
        ID_HEADER,
        iter(list(enumerate(rows, start=2))),
        today=now.date(),
        now=now,
        regions=bot.settings.office_region_codes,
    )
    assert result.added == 12 and not result.rejected, result
    return rows


async def report_csv(
    bot: BotHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, dict[str, str]]:
    """`rekam report --by kecamatan --format csv`, run as the office runs it."""
    monkeypatch.setenv("DATABASE_URL", bot.settings.database_url)
    out = tmp_path / "laporan.csv"
    code = await asyncio.to_thread(
        main, ["report", "--by", "kecamatan", "--format", "csv", "-o", str(out)]
    )
    assert code == 0
    with out.open(encoding="utf-8-sig") as handle:
        header, *rows = list(csv.reader(handle))
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


async def shown_figures(page: Page) -> dict[str, tuple[int, int, int]]:
    """Target, recorded and remaining of each line of the overview's table, and the total."""
    found: dict[str, tuple[int, int, int]] = {}
    for row in await page.locator("table.figures tbody tr[data-area]").all():
        area = await row.get_attribute("data-area") or ""
        cells = row.locator("td[data-value]")
        values = [int(await cells.nth(i).get_attribute("data-value") or "0") for i in range(3)]
        found[area] = (values[0], values[1], values[2])
    total = [
        int(await page.locator(f"#total-{name}").get_attribute("data-value") or "0")
        for name in ("target", "recorded", "remaining")
    ]
    found["JUMLAH"] = (total[0], total[1], total[2])
    return found


async def snap(page: Page, name: str) -> None:
    """A screenshot for people to look at (and for docs/operator-guide.id.md)."""
    await page.screenshot(path=screenshots_dir() / f"dasbor-{name}.png", full_page=True)


async def signed_in_page(browser: Browser, link: str, shot: str = "") -> Page:
    # An office's browser: Indonesian, in the office's zone (dates and times in its forms).
    page = await browser.new_page(
        viewport={"width": 1280, "height": 900}, locale="id-ID", timezone_id="Asia/Jakarta"
    )
    await page.goto(link)
    if shot:
        await snap(page, shot)
    await page.get_by_role("button", name="Masuk", exact=True).click()
    await expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible()
    await recounted(page)
    return page


async def recounted(page: Page) -> None:
    """Until the overview shows figures counted after the latest change: it says a recount is
    under way and refreshes itself (live.js) until then."""
    await expect(page.locator("#menghitung")).to_have_count(0, timeout=15_000)


@pytest.mark.slow
async def test_a_staff_morning_on_the_dashboard(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with dashboard_bot(database_url) as bot:
        await office_list(bot, tmp_path)
        figures_changed(bot)  # as `rekam import` beside the bot, half a minute later
        async with bot.db.session() as session:
            rina = await session.scalar(select(Target).where(Target.name == "Remaja Uji 5"))
            mawar = await session.scalar(select(Target).where(Target.name == "Remaja Uji 3"))
            kenanga = await session.scalar(select(Target).where(Target.name == "Remaja Uji 2"))
            assert rina is not None and mawar is not None and kenanga is not None
            for target in (rina, mawar, kenanga):
                factories.in_clear(session, target)  # their letters' codes, to type
        visitor = await home_visit_asked(bot, kenanga)
        teen = await linked_teen(bot, rina, "Remaja")  # lives in Kenanga (Selatan)
        neighbour = await linked_teen(bot, mawar, "Tetangga")  # lives in Mawar (Utara)
        desk = await staff_member(bot, "Dewi", admin=True)
        link = await login_link(desk)

        async with chromium() as browser:
            page = await signed_in_page(browser, link, shot="masuk")
            # The overview says what `rekam report` says, area by area and in total.
            report = await report_csv(bot, tmp_path, monkeypatch)
            shown = await shown_figures(page)
            assert set(shown) == set(report)
            for area, (target, recorded, remaining) in shown.items():
                line = report[area]
                assert (target, recorded, remaining) == (
                    int(line["sasaran"]),
                    int(line["terekam"]),
                    int(line["sisa"]),
                )
            assert shown["JUMLAH"] == (12, 1, 11)
            await expect(page.locator("#jangkauan caption")).to_have_text("Jangkauan")
            await snap(page, "ringkasan-1280")
            await page.set_viewport_size({"width": 360, "height": 740})
            await snap(page, "ringkasan-360")
            await page.set_viewport_size({"width": 1280, "height": 900})
            phone = await browser.new_page(viewport={"width": 360, "height": 740})
            await phone.goto(bot.settings.dashboard_url + "/")  # not signed in on this page
            await expect(phone.get_by_text("Kirim /dasbor ke bot Rekam")).to_be_visible()
            await phone.context.close()

            # Drill down: Utara → Mawar → its school.
            await page.get_by_role("link", name="Utara").click()
            await expect(page.get_by_role("caption").first).to_have_text("Per kelurahan")
            await page.get_by_role("link", name="Mawar").click()
            await expect(page.locator("tr[data-area='SMA Negeri 1 Uji']")).to_be_visible()
            await page.get_by_role("link", name="Semua kecamatan").click()

            # The desk: Rina by her NIK, marked recorded; she is thanked in Telegram.
            await page.get_by_role("link", name="Meja perekaman").click()
            await page.get_by_label("Kode kehadiran, NIK").fill(rina_nik(rina))
            await page.get_by_role("button", name="Cari").click()
            found = page.locator("article.found")
            await expect(found).to_have_count(1)
            await expect(found.get_by_role("heading")).to_have_text("Remaja Uji 5")
            await found.get_by_role("button", name="Sudah direkam").click()
            await expect(page.locator("#hasil")).to_contain_text("terekam.")
            await snap(page, "meja")
            thanks = await teen.next_message()
            assert thanks.text.startswith("✔️ Terima kasih, Remaja Uji 5")
            await page.get_by_role("link", name="Ringkasan").click()
            await expect(page.locator("#total-recorded")).to_have_attribute(
                "data-value", "2", timeout=15_000
            )
            await recounted(page)

            # The home-visit queue: her request scheduled for tomorrow morning; she is told.
            await page.get_by_role("link", name="Kunjungan rumah").click()
            await page.get_by_label("Remaja Uji 2").check()
            tomorrow = (datetime.now(bot.settings.zone) + timedelta(days=1)).date()
            await page.get_by_label("Tanggal").fill(tomorrow.isoformat())
            await page.get_by_label("Mulai (WIB)").fill("09:00")
            await page.get_by_label("Selesai (WIB)").fill("10:00")
            await page.get_by_label("Selesai (WIB)").blur()
            await snap(page, "kunjungan")
            await page.get_by_role("button", name="🗓️ Jadwalkan").click()
            visit = await visitor.next_message()
            assert visit.text.startswith("📣") and "Jl. Contoh 1" in visit.text
            await expect(page.get_by_text("Terjadwal").first).to_be_visible()

            # A broadcast to Mawar: previewed with its count, confirmed, and only Mawar hears it.
            await page.get_by_role("link", name="Siaran").click()
            await page.get_by_label("Siaran untuk siapa?").select_option("kelurahan")
            await page.get_by_label("Kelurahan (untuk satu kelurahan)").select_option(label="Mawar")
            await page.get_by_label("Pesan (paling banyak").fill(NOTICE)
            await page.get_by_role("button", name="Lihat pratinjau").click()
            await expect(page.locator("#preview-text")).to_contain_text(NOTICE)
            count = page.locator("#preview-count")
            await expect(count).to_contain_text("Akan dikirim ke 1 orang.")
            await expect(count).to_contain_text("1 dapat dijangkau")
            await snap(page, "siaran-pratinjau")
            page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
            await page.get_by_role("button", name="📢 Kirim sekarang").click()
            heard = await neighbour.next_message()
            assert NOTICE in heard.text
            async with bot.db.session() as session:
                reached = set(
                    await session.scalars(
                        select(OutboxMessage.chat_id).where(OutboxMessage.kind == Kind.BROADCAST)
                    )
                )
            assert reached == {neighbour.id}  # not Rina in Kenanga, nor the staff

            # The other pages, as an office sees them (pictures for the operator guide).
            for name, heading in TOUR:
                await page.get_by_role("link", name=name, exact=True).click()
                await expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
                await snap(page, name.lower().replace(" / ", "-").replace(" ", "-"))
            await page.get_by_role("link", name="Meja perekaman").click()
            await page.get_by_label("Kode kehadiran, NIK").fill(rina_nik(rina))
            await page.get_by_role("button", name="Cari").click()
            await page.get_by_role("link", name="Remaja Uji 5").click()
            await expect(page.get_by_role("heading", name="Remaja Uji 5")).to_be_visible()
            await expect(page.get_by_text(rina_nik(rina))).to_have_count(0)  # masked
            await snap(page, "orang")

            # Signing out: the page's cookie opens nothing more.
            await page.get_by_role("button", name="Keluar").click()
            await expect(page.get_by_role("heading", name="Anda sudah keluar")).to_be_visible()
            await page.goto(bot.settings.dashboard_url + "/meja")
            await expect(page.get_by_text("Kirim /dasbor ke bot Rekam")).to_be_visible()
            # The link, used once, opens nothing either.
            await page.goto(link)
            await expect(page.get_by_text("sudah dipakai")).to_be_visible()


async def home_visit_asked(bot: BotHarness, target: Target) -> UserClient:
    """A summoned teen on Telegram who presses 🏠 and says why she needs a visit at home."""
    place = await factories.add_place(bot.db, "Mal Pelayanan Publik")
    first = await factories.add_session(bot.db, bot.settings, place, days_ahead=5)
    await factories.summon(bot.db, bot.settings, target, first)
    teen = await linked_teen(bot, target, "Kursi")
    teen.press("🏠")
    await teen.next_message()
    teen.send("Saya memakai kursi roda")
    await teen.next_message()  # forwarded to the staff on duty
    return teen


def rina_nik(target: Target) -> str:
    # person() builds each NIK from its serial and birth date; read it back from the list.
    from bot.domain import nik as nik_rules

    return nik_rules.build("359901", target.birth_date, female=True, serial=5)


async def test_every_way_in_that_must_stay_shut_is_shut_in_the_browser(sqlite_url: str) -> None:
    async with dashboard_bot(sqlite_url) as bot:
        admin = await staff_member(bot, "Admin", admin=True)
        desk = await staff_member(bot, "Dewi")
        stranger = bot.user("Orang Asing")
        stranger.send("/dasbor")  # not staff: the ordinary answer, and no link
        assert "/masuk/" not in (await stranger.next_message()).text
        async with chromium() as browser:
            # A page opened without a session.
            nobody = await browser.new_page()
            await nobody.goto(bot.settings.dashboard_url + "/meja")
            await expect(nobody.get_by_text("Kirim /dasbor ke bot Rekam")).to_be_visible()
            await expect(nobody.get_by_role("link", name="Meja perekaman")).to_have_count(0)

            # An expired link.
            late = await login_link(desk)
            async with bot.db.session() as session:
                await session.execute(
                    update(WebLogin).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
                )
            await nobody.goto(late)
            await expect(nobody.get_by_text("sudah lewat 10 menit")).to_be_visible()
            await expect(nobody.get_by_role("button", name="Masuk", exact=True)).to_have_count(0)

            # A form whose CSRF token was taken out changes nothing.
            page = await signed_in_page(browser, await login_link(desk))
            await page.get_by_role("link", name="Meja perekaman").click()
            await page.evaluate(
                "document.querySelectorAll('input[name=csrf]').forEach(f => f.remove())"
            )
            await page.get_by_role("button", name="Keluar").click()
            await expect(page.get_by_text("Formulir ini kedaluwarsa")).to_be_visible()
            await page.goto(bot.settings.dashboard_url + "/")
            await expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible()

            # Staff pages for admins only.
            await page.goto(bot.settings.dashboard_url + "/petugas")
            await expect(page.get_by_text("Halaman ini hanya untuk admin.")).to_be_visible()

            # Removed from the staff in Telegram: the open page's session is over.
            admin.send(f"/petugas_hapus {desk.id}")
            assert "bukan petugas lagi" in (await admin.next_message()).text
            await page.reload()
            await expect(page.get_by_text("Kirim /dasbor ke bot Rekam")).to_be_visible()
            # And the session's cookie, replayed by hand, is refused too (a non-staff session).
            cookies = await page.context.cookies()
            assert [c for c in cookies if c["name"] == "rekam_sesi" and c["httpOnly"]]
            response = await page.request.get(bot.settings.dashboard_url + "/hari-ini")
            assert response.status == 401


async def test_the_overview_says_it_is_recounting_and_updates_itself(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a million targets a count takes a second: after a change made on the dashboard the
    overview answers at once with the figures it has, says they are being counted again, and
    replaces them by itself when the new count lands (no reload by the staff member)."""
    gate = asyncio.Event()
    real_count = figures.count

    async def slow_count(sessions: Any) -> figures.Counts:
        await gate.wait()
        return await real_count(sessions)

    async with dashboard_bot(sqlite_url) as bot:
        await office_list(bot, tmp_path)
        figures_changed(bot)
        desk = await staff_member(bot, "Dewi")
        async with chromium() as browser:
            page = await signed_in_page(browser, await login_link(desk))
            await expect(page.locator("#total-recorded")).to_have_attribute("data-value", "1")
            monkeypatch.setattr(figures, "count", slow_count)
            async with bot.db.session() as session:
                target = await session.scalar(select(Target).where(Target.name == "Remaja Uji 7"))
            assert target is not None
            await page.get_by_role("link", name="Meja perekaman").click()
            await page.get_by_label("Kode kehadiran, NIK").fill(
                nik_rules.build("359901", target.birth_date, female=True, serial=7)
            )
            await page.get_by_role("button", name="Cari").click()
            await page.get_by_role("button", name="Sudah direkam").click()
            await page.get_by_role("link", name="Ringkasan").click()
            await expect(page.locator("#menghitung")).to_be_visible()
            await expect(page.locator("#total-recorded")).to_have_attribute("data-value", "1")
            gate.set()  # the count lands; the page, left alone, shows it
            await expect(page.locator("#total-recorded")).to_have_attribute(
                "data-value", "2", timeout=15_000
            )
            await expect(page.locator("#menghitung")).to_have_count(0)


@pytest.mark.slow
async def test_an_upload_shows_its_progress_then_its_outcome_in_place(
    sqlite_url: str, tmp_path: Path
) -> None:
    """An admin uploads a list (the crafted kind, all of it rejected): the page answers at once
    with a progress bar that moves by itself, then shows the outcome in its place, without a
    reload: the rejected rows counted by reason, the first thousand, the whole list to download."""
    crafted = crafted_workbook(tmp_path / "daftar.xlsx", 100_000)
    async with dashboard_bot(sqlite_url) as bot:
        admin = await staff_member(bot, "Admin", admin=True)
        async with chromium() as browser:
            page = await signed_in_page(browser, await login_link(admin))
            await page.get_by_role("link", name="Impor / Ekspor").click()
            await page.get_by_label("Berkas", exact=True).set_input_files(crafted)
            await page.get_by_role("button", name="Unggah dan impor").click()
            bar = page.locator("#import-progress")
            await expect(bar).to_be_visible()
            await page.evaluate("window.notReloaded = true")
            await expect(bar).to_have_attribute("value", re.compile(r"^[1-9]"), timeout=30_000)
            await expect(page.locator("#import-job [role=status]")).to_contain_text("baris")
            await snap(page, "impor-berjalan")
            counts = page.locator("#rejected-counts tbody tr")
            await expect(counts).to_have_count(1, timeout=60_000)
            await expect(counts).to_contain_text("100.000")
            await expect(bar).to_have_count(0)
            assert await page.evaluate("window.notReloaded === true")  # live.js replaced it
            await expect(page.locator("#rejected-rows tbody tr")).to_have_count(1000)
            await snap(page, "impor-selesai")
            async with page.expect_download() as info:
                await page.get_by_role("link", name="Unduh semua baris yang ditolak (CSV)").click()
            saved = Path(await (await info.value).path())
            text = await asyncio.to_thread(saved.read_text, encoding="utf-8-sig")
            assert len(text.splitlines()) == 100_001
