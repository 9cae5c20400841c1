"""Playwright driving Debian's chromium package (never a browser of Playwright's own download):
the dashboard's tests open it as staff do."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

# Without these Chromium keeps calling Google's hosts, which this closed network refuses.
_FLAGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=id-ID",  # an Indonesian office's browser: its date and time fields read 02/12/2026, 09.00
]


def chromium_path() -> str:
    found = os.environ.get("REKAM_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail(
            "Debian's chromium is not installed (apt-get install chromium; .ci/run does it): "
            "the dashboard's browser tests cannot run",
            pytrace=False,
        )
    return found


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium_path(), args=_FLAGS)
        try:
            yield browser
        finally:
            await browser.close()


def screenshots_dir() -> Path:
    """Where browser tests leave their screenshots for a person to look at (and the operator
    guide takes its pictures from): test-output/ at the top of the checkout."""
    folder = Path(__file__).resolve().parent.parent / "test-output"
    folder.mkdir(exist_ok=True)
    return folder
