"""Pointing python-telegram-bot at an in-process emulator, with no socket in between."""

from __future__ import annotations

import asyncio

import httpx
from telegram.request import HTTPXRequest

from bot.emulator.server import EmulatorApp
from bot.emulator.state import TelegramEmulator

IN_PROCESS_BASE_URL = "http://emulator.invalid/bot"


class TimedASGITransport(httpx.ASGITransport):
    """httpx's ASGI transport ignores timeouts; a network does not. The request is shielded,
    so a slow call still completes on the "server" after the client gave up, exactly the case
    in which a sender may deliver a message twice."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = (request.extensions.get("timeout") or {}).get("read")
        handling = asyncio.ensure_future(super().handle_async_request(request))
        try:
            return await asyncio.wait_for(asyncio.shield(handling), timeout)
        except TimeoutError:
            raise httpx.ReadTimeout("emulator did not answer in time", request=request) from None


def emulator_request(emulator: TelegramEmulator, *, read_timeout: float = 5.0) -> HTTPXRequest:
    """A PTB request object whose HTTP calls are answered by `emulator` in this process."""
    transport = TimedASGITransport(app=EmulatorApp(emulator))
    return HTTPXRequest(read_timeout=read_timeout, httpx_kwargs={"transport": transport})
