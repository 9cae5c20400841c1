"""`rekam whatsapp templates` against the WhatsApp emulator on a loopback port: what is there
and in which review state, and `--submit` sending the missing ones for review."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from bot.cli import main
from bot.emulator.whatsapp import WhatsAppEmulator, serve
from bot.presentation.outbox.phone import TEMPLATES
from tests.support.harness import free_port

TOKEN = "EAA-test-cli-token"


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[WhatsAppEmulator]:
    emulator = WhatsAppEmulator(TOKEN, review_delay=None)  # reviews wait until approved
    port = free_port()
    loop = asyncio.new_event_loop()
    task = loop.create_task(serve(emulator, "127.0.0.1", port))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "the emulator did not start"
            time.sleep(0.05)
    monkeypatch.setenv("WHATSAPP_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("WHATSAPP_TOKEN", TOKEN)
    monkeypatch.setenv("WHATSAPP_PHONE_ID", emulator.phone_number_id)
    monkeypatch.setenv("WHATSAPP_WABA_ID", emulator.waba_id)
    yield emulator

    async def stop() -> None:  # the server, then what it left (uvicorn's lifespan task)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for other in left:
            other.cancel()
        await asyncio.gather(*left, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(timeout=5)
    loop.close()


def test_templates_are_listed_submitted_once_and_shown_with_their_review(
    graph: WhatsAppEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["whatsapp", "templates"]) == 0
    out = capsys.readouterr().out
    assert out.count("belum dikirim") == 2 * len(TEMPLATES)
    assert main(["whatsapp", "templates", "--submit"]) == 0
    out = capsys.readouterr().out
    assert out.count("PENDING") == 2 * len(TEMPLATES) and "hanya terkirim" in out
    assert main(["whatsapp", "templates", "--submit"]) == 0  # none sent twice
    capsys.readouterr()
    assert len(graph.templates.all()) == 2 * len(TEMPLATES)
    for template in graph.templates.all():
        template.status = "APPROVED"
    assert main(["whatsapp", "templates"]) == 0
    out = capsys.readouterr().out
    assert out.count("APPROVED") == 2 * len(TEMPLATES) and "hanya terkirim" not in out


def test_templates_need_the_token_and_the_account(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WHATSAPP_TOKEN", raising=False)
    assert main(["whatsapp", "templates"]) == 1
    assert "WHATSAPP_TOKEN" in capsys.readouterr().err
