"""Logging that never writes a NIK or the bot token, whatever a message or traceback contains."""

from __future__ import annotations

import logging
import re

_NIK = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")
_TOKEN = re.compile(r"\d{5,16}:[A-Za-z0-9_-]{30,64}")


def redact(text: str) -> str:
    """Mask every 16-digit run as 3572********0001 and every bot token."""
    return _TOKEN.sub("[token]", _NIK.sub(r"\1********\2", text))


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks: covers messages, arguments and tracebacks alike."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(level: int = logging.INFO) -> None:
    """One stderr handler with redaction; chatty libraries kept at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    noisy_loggers = ("httpx", "httpcore", "apscheduler", "aiosqlite", "alembic.runtime.plugins")
    for noisy in noisy_loggers:
        logging.getLogger(noisy).setLevel(logging.WARNING)
