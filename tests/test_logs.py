"""No NIK, no bot token and no sign-in link ever reaches a log line, tracebacks included, and
whichever library writes it: uvicorn, serving the dashboard, too."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
import uvicorn

from bot.clock import Clock
from bot.db.migrate import upgrade
from bot.i18n import Catalogs
from bot.logs import redact, setup_logging
from bot.web import server
from bot.web.context import WebServices
from tests.support.harness import database, free_port, make_settings

NIK = "3599014512080001"
TOKEN = "123456789:AAE-secret-token-abcdefghijklmnopqrstu"
LINK = "/masuk/Zk3q-9dLr_0aXbYcWvUt7sR6pQoNmLkJiHgFeDcBa21"


def test_redact_masks_niks_tokens_and_links_but_not_shorter_numbers() -> None:
    text = f"nik={NIK} token={TOKEN} phone=081234567890 id=12345678901234567 at {LINK}"
    masked = redact(text)
    # As nik.mask shows it: the kecamatan, birth date and serial all hidden.
    assert NIK not in masked and "3599************" in masked and "0001" not in masked
    assert TOKEN not in masked and "[token]" in masked
    assert LINK not in masked and "/masuk/[token]" in masked
    assert "081234567890" in masked  # 12 digits: not a NIK
    assert "12345678901234567" in masked  # 17 digits: not a NIK either


def test_logged_tracebacks_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging()
    try:
        raise ValueError(f"duplicate key nik={NIK} via {TOKEN}")
    except ValueError:
        logging.getLogger("rekam.test").exception("import failed for %s", NIK)
    err = capsys.readouterr().err
    assert "import failed for 3599************" in err
    assert "ValueError: duplicate key nik=3599************ via [token]" in err
    assert NIK not in err and TOKEN not in err


async def test_a_request_that_fails_in_the_dashboard_is_logged_redacted_by_uvicorn(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """uvicorn logs the traceback of a failed request itself ("Exception in ASGI application"),
    through handlers its default log config installs for the whole process, whoever made it
    (here another uvicorn.Config made beforehand, as the Telegram emulator's was)."""
    setup_logging()
    uvicorn.Config(app="bot.web.app:dashboard")  # another server's default log config

    async def failing(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError(f"no row for nik={NIK} (bot {TOKEN}) at {LINK}")

    monkeypatch.setattr(server, "dashboard", lambda services: failing)
    settings = make_settings(sqlite_url, web_port=free_port())
    db = database(sqlite_url)
    await upgrade(db)
    web = WebServices(settings, db, Catalogs(), Clock(settings.zone))
    try:
        async with server.serving(web) as url, httpx.AsyncClient() as browser:
            assert (await browser.get(f"{url}/orang/1")).status_code == 500
    finally:
        await db.dispose()
    logged = capsys.readouterr()
    written = logged.err + logged.out
    assert "Exception in ASGI application" in written
    assert "RuntimeError: no row for nik=3599************ (bot [token]) at /masuk/[token]" in (
        written
    )
    assert NIK not in written and TOKEN not in written and LINK not in written
