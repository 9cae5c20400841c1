"""Lines typed at the terminal, read without holding up the event loop.

`input()` in a worker thread cannot be interrupted: Ctrl-C then waits for Enter, and the
loop's shutdown waits for the thread. Here a daemon thread reads the file descriptor itself
(no buffered reader whose lock could be held at exit) and hands each line to the loop; the
line is awaited like anything else, so cancelling the wait is immediate.
"""

from __future__ import annotations

import asyncio
import codecs
import os
import threading


class Keyboard:
    """Lines from a file descriptor (standard input by default); None at its end (Ctrl-D)."""

    def __init__(self, fd: int = 0) -> None:
        self.fd = fd
        self._lines: asyncio.Queue[str | None] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, name="demo-keyboard", daemon=True).start()

    async def readline(self) -> str | None:
        """The next line without its newline, or None when the input has ended."""
        return await self._lines.get()

    def _hand_over(self, line: str | None) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
        except RuntimeError:  # the loop is closed: the demo is over
            return False
        return True

    def _read(self) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        while True:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                chunk = b""
            pending += decoder.decode(chunk, final=not chunk)
            *lines, pending = pending.split("\n")
            for line in lines:
                if not self._hand_over(line.removesuffix("\r")):
                    return
            if not chunk:
                if pending:
                    self._hand_over(pending)
                self._hand_over(None)
                return
