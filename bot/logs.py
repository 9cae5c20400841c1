"""Logging that never writes a NIK, the bot token or a dashboard sign-in link, whatever a
message or traceback contains, and whichever library logs it."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<!\d)(\d{4})\d{12}(?!\d)")
_TOKEN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,64}")
# The one-time link from /dasbor (bot/web/pages/login.py): whoever reads it signs in.
_SIGN_IN = re.compile(r"/masuk/[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    """Mask every 16-digit run as 3572************ (as bot/domain/nik.mask does), every bot
    token and the token of every sign-in link."""
    masked = _NIK.sub(r"\1************", text)
    return _SIGN_IN.sub("/masuk/[token]", _TOKEN.sub("[token]", masked))


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks: covers messages, arguments and tracebacks alike."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def route_uvicorn() -> None:
    """Every uvicorn logger (uvicorn, uvicorn.error, uvicorn.access, uvicorn.asgi and any other
    it made) writes through the root's redacting handler, not through handlers of its own.

    uvicorn's default log_config gives "uvicorn" and "uvicorn.access" their own stderr and
    stdout handlers that do not propagate: the traceback of a failed request ("Exception in
    ASGI application") went out unredacted. Called after any uvicorn.Config is made, since
    making one with a log_config installs it again for the whole process."""
    manager = logging.Logger.manager
    names = {"uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"}
    names |= {name for name in manager.loggerDict if name.startswith("uvicorn.")}
    for name in sorted(names):
        logger = logging.getLogger(name)
        for handler in logger.handlers[:]:
            logger.removeHandler(handler)
        logger.propagate = True


def setup_logging(level: int = logging.INFO) -> None:
    """One stderr handler with redaction, for every logger; chatty libraries kept at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    route_uvicorn()
    noisy_loggers = ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic.runtime.plugins")
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)
