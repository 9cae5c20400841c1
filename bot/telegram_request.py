"""How the bot's HTTP calls reach the Bot API: python-telegram-bot's request interface over
aiohttp instead of its default httpx.

Measured on the same machine against the same loopback emulator (docs/benchmarks.md): httpx
sustained 200-600 sendMessage/s from one process, aiohttp about 3,700/s. An office that sends
a broadcast in paid mode (up to 1000/s) needs the latter; the behaviour PTB relies on (status
and body returned, TimedOut and NetworkError raised) is the same.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

# PTB marks "not given" timeouts with instances of its (private) DefaultValue class; its public
# DEFAULT_NONE is one, so its type tells them apart without importing PTB's internals.
_NOT_GIVEN = type(BaseRequest.DEFAULT_NONE)


def _seconds(value: object, default: float | None) -> float | None:
    if isinstance(value, _NOT_GIVEN):
        return default
    if value is None:
        return None  # no limit
    assert isinstance(value, int | float), f"a timeout in seconds, not {value!r}"
    return float(value)


class AiohttpRequest(BaseRequest):
    """A pooled aiohttp session: `connections` at most, Telegram-like timeouts."""

    def __init__(
        self,
        *,
        connections: int = 64,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._connections)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = _seconds(read_timeout, self._read_timeout)
        if files:
            # An upload may take longer to write than a read may take to answer.
            write = _seconds(write_timeout, self._media_write_timeout)
            read = None if read is None or write is None else max(read, write)
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=_seconds(connect_timeout, self._connect_timeout),
            sock_read=read,
            connect=_seconds(pool_timeout, None),  # includes waiting for a free connection
        )
        body: aiohttp.FormData | dict[str, str] | None = None
        if files:
            form = aiohttp.FormData()
            for name, value in (request_data.json_parameters if request_data else {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            body = form
        elif request_data is not None:
            body = request_data.json_parameters
        try:
            async with self._session.request(method, url, data=body, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
