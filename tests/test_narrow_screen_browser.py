"""The dashboard on a phone (360 px wide) in a real browser: the home-visit queue and the
overview's reach keep each name whole (no word broken across lines) and the page never scrolls
sideways (a wide table scrolls in its own box)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Page, expect

from tests.support.browser import chromium, screenshots_dir
from tests.support.harness import BotHarness
from tests.support.offices import requesting_teen
from tests.support.people import staff_member
from tests.support.web import dashboard_bot, figures_changed, login_link

# Every word of the element's text on one line: a word the browser broke spans two boxes.
_BROKEN_WORDS = """(element) => {
  const broken = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      if (range.getClientRects().length > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


async def _broken_words(page: Page, selector: str) -> list[str]:
    broken: list[str] = []
    for element in await page.locator(selector).all():
        broken += await element.evaluate(_BROKEN_WORDS)
    return broken


@asynccontextmanager
async def _a_phone_after_a_request(sqlite_url: str) -> AsyncIterator[tuple[BotHarness, Page]]:
    """The dashboard signed in on a 360 px phone, after Rina asked for a home visit (the staff
    member on duty read its alert first)."""
    async with dashboard_bot(sqlite_url) as bot:
        officer = await staff_member(bot, "Petugas")
        officer.send("/start")
        await officer.next_message()
        await requesting_teen(bot, reason="Saya memakai kursi roda sejak kecelakaan")
        alert = await officer.next_message()
        assert alert.text.startswith("🏠 Permintaan kunjungan ke rumah: Rina Lestari")
        figures_changed(bot)  # the overview counts her
        link = await login_link(officer)
        async with chromium() as browser:
            page = await browser.new_page(
                viewport={"width": 360, "height": 740}, locale="id-ID", timezone_id="Asia/Jakarta"
            )
            await page.goto(link)
            await page.get_by_role("button", name="Masuk", exact=True).click()
            yield bot, page


async def test_the_home_visit_queue_keeps_names_whole_at_360_px(sqlite_url: str) -> None:
    async with _a_phone_after_a_request(sqlite_url) as (bot, page):
        await expect(page.get_by_role("heading", name="Ringkasan")).to_be_visible()
        await page.goto(bot.settings.dashboard_url + "/kunjungan")
        name = page.locator("table.visits tbody th[scope=row]")
        await expect(name).to_have_count(1)
        await expect(name).to_contain_text("Rina Lestari")
        assert await _broken_words(page, "table.visits tbody th[scope=row]") == []
        await page.screenshot(path=screenshots_dir() / "dasbor-kunjungan-360.png", full_page=True)
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360


async def test_the_overview_s_reach_keeps_names_whole_at_360_px(sqlite_url: str) -> None:
    async with _a_phone_after_a_request(sqlite_url) as (_bot, page):
        await expect(page.locator("#jangkauan")).to_be_visible(timeout=15_000)  # once counted
        assert await _broken_words(page, "#jangkauan th[scope=row]") == []
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
