"""Login CSRF in a real browser (Playwright driving Debian's chromium): a page of another site
posts the sign-in button of a link in an office's browser. The browser itself says where the
press comes from and keeps the page's form cookie to itself; nobody is signed in, and the
link still works from its own page."""

from __future__ import annotations

from playwright.async_api import Route, expect

from tests.support.browser import chromium
from tests.support.people import staff_member
from tests.support.web import dashboard_bot, login_link

EVIL = "http://evil.example/"


async def test_another_sites_form_cannot_press_the_sign_in_button(sqlite_url: str) -> None:
    async with dashboard_bot(sqlite_url) as bot:
        mallory = await staff_member(bot, "Mallory")
        link = await login_link(mallory)
        forged = (
            f'<form method="post" action="{link}"><input name="csrf" value="{"x" * 43}"></form>'
            "<script>document.forms[0].submit()</script>"
        )

        async def evil_page(route: Route) -> None:
            await route.fulfill(status=200, content_type="text/html", body=forged)

        async with chromium() as browser:
            office = await browser.new_context(locale="id-ID")
            await office.route(f"{EVIL}**", evil_page)
            page = await office.new_page()
            # Even after the link's own page was opened in this browser (its form cookie set).
            await page.goto(link)
            await page.goto(EVIL)
            await expect(page.get_by_text("tidak berasal dari dasbor")).to_be_visible()
            assert not [c for c in await office.cookies() if c["name"] == "rekam_sesi"]
            await page.goto(bot.settings.dashboard_url + "/")
            await expect(page.get_by_text("Kirim /dasbor ke bot Rekam")).to_be_visible()

            # The link was not spent: its own page still signs in.
            await page.goto(link)
            await page.get_by_role("button", name="Masuk", exact=True).click()
            await expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible()
            await office.close()
