"""Serving the dashboard with uvicorn inside a running process (`rekam run`, `rekam web`, tests)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from bot.config import SettingsError
from bot.i18n import N_
from bot.logs import route_uvicorn
from bot.web.app import dashboard
from bot.web.context import WebServices

log = logging.getLogger(__name__)


def free_port(host: str) -> int:
    """A port nobody listens on now, chosen by the system (the demo's dashboard: several demos,
    or a demo beside a running bot, each get their own; a fixed port would collide)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class QuietServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process that runs it (the bot, `rekam web`)
    decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve_quietly(server: uvicorn.Server) -> None:
    # uvicorn calls sys.exit() when it cannot bind; asyncio would let that SystemExit out of
    # the event loop and end the whole process (the bot with it) without a word.
    with contextlib.suppress(SystemExit):
        await server.serve()


async def listening(
    app: Any, host: str, port: int, *, name: str, variable: str, refusal: str
) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """`app` served on host:port in this process, once it listens; SettingsError naming
    `variable` (with `refusal`, a catalog text) when it cannot (the port is taken, say). The
    dashboard and the public listener start this way."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        # uvicorn's own log config writes tracebacks through its own handlers, past the
        # redaction (bot/logs.py): its loggers go through ours instead.
        log_config=None,
    )
    route_uvicorn()
    server = QuietServer(config)
    task = asyncio.create_task(serve_quietly(server), name=name)
    while not server.started:
        if task.done():  # it could not start: say why
            raise SettingsError(variable, refusal, host=host, port=port)
        await asyncio.sleep(0.02)
    return server, task


@asynccontextmanager
async def serving(services: WebServices) -> AsyncIterator[str]:
    """The dashboard listening on WEB_LISTEN:WEB_PORT until the block ends; yields its address."""
    settings = services.settings
    server, task = await listening(
        dashboard(services),
        settings.web_listen,
        settings.web_port,
        name="dashboard",
        variable="WEB_PORT",
        refusal=N_(
            "dasbor tidak bisa dibuka di {host}:{port}: alamat itu sudah dipakai program lain; hentikan program itu atau pilih port lain"
        ),
    )
    log.info("dashboard at %s", settings.dashboard_url)
    # The overview's figures take about a second at a million targets: counted now, while
    # nobody waits for them (bot/web/figures_cache.py).
    warming = asyncio.create_task(services.figures.warm(settings.zone), name="figures")
    try:
        yield settings.dashboard_url
    finally:
        server.should_exit = True
        await task
        warming.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await warming
        await services.figures.close()
        await services.imports.close()  # a running import's worker stopped, its files gone
