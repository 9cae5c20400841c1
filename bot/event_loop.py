"""The event loop of the commands that serve for hours (`rekam run`, `rekam web`)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def serve(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on uvloop where it is installed (Linux and macOS; it comes with uvicorn's
    standard set), else on asyncio's own loop. uvloop's sockets, timers and thread wake-ups
    cost less CPU a message, and a phone answer is several of each: its webhook, its reply's
    send and statuses, and each statement's hand-offs to SQLite's thread (docs/benchmarks.md,
    issue 24)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows has none
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
