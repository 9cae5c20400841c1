"""The dashboard in tests: the bot with its dashboard served, a staff member's /dasbor link
read from the emulator chat, and an HTTP client signed in with it."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bot.emulator import UserClient
from tests.support.harness import WAIT, BotHarness, free_port, make_settings, running_bot

LINK = re.compile(r"https?://\S+/masuk/[A-Za-z0-9_-]+")


@asynccontextmanager
async def dashboard_bot(database_url: str, **overrides: Any) -> AsyncIterator[BotHarness]:
    """The bot polling the emulator, and its dashboard on a free loopback port."""
    settings = make_settings(database_url, web_port=free_port(), **overrides)
    async with running_bot(settings, web=True) as bot:
        yield bot


async def login_link(person: UserClient) -> str:
    """What a staff member gets for /dasbor: the one-time link in the bot's answer."""
    person.send("/dasbor")
    answer = await person.next_message()
    found = LINK.search(answer.text)
    assert found, answer.text
    return found.group(0)


def client(bot: BotHarness) -> httpx.AsyncClient:
    # httpx's 5 s default is short on a busy machine; a page that comes returns at once.
    return httpx.AsyncClient(
        base_url=bot.settings.dashboard_url, follow_redirects=False, timeout=WAIT
    )


async def sign_in(web: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open the link and press its button, as a staff member does; the response to the press."""
    path = link.split("/masuk/", 1)[1]
    shown = await web.get(f"/masuk/{path}")
    assert shown.status_code == 200, shown.text
    return await web.post(f"/masuk/{path}", data={"csrf": csrf_of(shown)})


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "no form token on the page"
    return found.group(1)


async def searched(web: httpx.AsyncClient, typed: str) -> httpx.Response:
    """The desk's search, as its form sends it (a POST: a NIK never goes into an address)."""
    page = await web.get("/meja")
    return await web.post("/meja", data={"csrf": csrf_of(page), "q": typed})


def figures_changed(bot: BotHarness) -> None:
    """Data put in by a test's own hands (not through the dashboard, which says so itself): the
    next overview counts afresh, as it would once its figures are half a minute old."""
    web = bot.app.bot_data.web
    assert web is not None, "the dashboard is not served"
    web.figures.invalidate()


async def overview(web: httpx.AsyncClient, **params: str) -> httpx.Response:
    """The overview once it shows figures counted after the latest change (it says a recount is
    under way until then, and a browser refreshes it by itself); fails after 15 s."""
    deadline = time.monotonic() + 15
    while True:
        page = await web.get("/", params=params)
        if 'id="menghitung"' not in page.text:
            return page
        assert time.monotonic() < deadline, "the overview's recount never landed"
        await asyncio.sleep(0.1)


@asynccontextmanager
async def signed_in(
    bot: BotHarness, name: str = "Dewi", *, admin: bool = False
) -> AsyncIterator[tuple[UserClient, httpx.AsyncClient]]:
    """A staff member and an HTTP client signed in as them through /dasbor."""
    from tests.support.people import staff_member

    officer = await staff_member(bot, name, admin=admin)
    async with client(bot) as web:
        assert (await sign_in(web, await login_link(officer))).status_code == 303
        yield officer, web


async def post_form(
    web: httpx.AsyncClient, path: str, page: httpx.Response, **fields: str | int
) -> httpx.Response:
    """Press a button of `page`: its form's fields and the page's token."""
    return await web.post(
        path, data={"csrf": csrf_of(page), **{k: str(v) for k, v in fields.items()}}
    )


def result_of(answer: httpx.Response) -> str:
    """The `hasil` a desk action's redirect carries."""
    return parse_qs(urlsplit(answer.headers["location"]).query)["hasil"][0]
