"""Webhook mode: the secret token is checked and a redelivered update is handled once."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.cli import main
from bot.db.models import ProcessedUpdate
from bot.emulator import TelegramEmulator, UserClient
from bot.emulator.transport import emulator_request
from bot.emulator.webhook import stop_pushing
from bot.runtime import WEBHOOK_PATH, running
from tests.support.harness import TOKEN, free_port, make_settings


def update_from(user: UserClient, update_id: int, text: str) -> dict[str, object]:
    sender = {"id": user.id, "is_bot": False, "first_name": user.user["first_name"]}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "text": text,
            "from": sender,
            "chat": {"id": user.id, "type": "private", "first_name": sender["first_name"]},
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


async def test_webhook_checks_the_secret_and_ignores_a_repeated_update(sqlite_url: str) -> None:
    port = free_port()
    settings = make_settings(
        sqlite_url,
        webhook_url="https://office.example/telegram",
        webhook_secret="rahasia-kantor",
        webhook_port=port,
    )
    emulator = TelegramEmulator(TOKEN)
    app = build_application(settings, request=emulator_request(emulator))
    teen = UserClient(emulator, emulator.add_user("Rina", started=True))
    url = f"http://127.0.0.1:{port}/{WEBHOOK_PATH}"
    async with running(app, webhook=True), httpx.AsyncClient() as client:
        assert emulator.webhook is not None
        assert (emulator.webhook["url"], emulator.webhook["secret_token"]) == (
            "https://office.example/telegram",
            "rahasia-kantor",
        )
        forged = await client.post(
            url,
            json=update_from(teen, 1, "/bantuan"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "tebakan"},
        )
        assert forged.status_code == 403
        bare = await client.post(url, json=update_from(teen, 1, "/bantuan"))
        assert bare.status_code == 403
        headers = {"X-Telegram-Bot-Api-Secret-Token": "rahasia-kantor"}
        first = await client.post(url, json=update_from(teen, 2, "/bantuan"), headers=headers)
        assert first.status_code == 200
        assert "/bahasa — Ganti bahasa" in (await teen.next_message()).text
        again = await client.post(url, json=update_from(teen, 2, "/bantuan"), headers=headers)
        assert again.status_code == 200
        # The same update is not answered twice: the next answer is to the next update.
        later = await client.post(url, json=update_from(teen, 3, "/bahasa"), headers=headers)
        assert later.status_code == 200
        assert (await teen.next_message()).button("English")
        async with app.bot_data.db.session() as session:
            seen = (await session.execute(select(func.count(ProcessedUpdate.update_id)))).scalar()
        assert seen == 2  # update 2 (once) and update 3


def test_rekam_run_webhook_refuses_to_start_without_a_secret(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_URL", "https://office.example/telegram")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert main(["run", "--webhook"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("Pengaturan salah: WEBHOOK_SECRET:") and "\n" not in error


async def test_the_emulator_delivers_a_press_to_the_webhook_and_the_bot_answers_it(
    sqlite_url: str,
) -> None:
    port = free_port()
    settings = make_settings(
        sqlite_url,
        webhook_url=f"http://127.0.0.1:{port}/{WEBHOOK_PATH}",
        webhook_secret="rahasia-kantor",
        webhook_port=port,
    )
    emulator = TelegramEmulator(TOKEN)
    app = build_application(settings, request=emulator_request(emulator))
    teen = UserClient(emulator, emulator.add_user("Rina", started=True))
    try:
        async with running(app, webhook=True):
            assert emulator.pusher is not None  # Telegram's side: it posts to the bot
            teen.send("/start")
            assert "Bahasa Indonesia" in [b.label for b in (await teen.next_message()).buttons]
            query = teen.press("Bahasa Indonesia")
            await teen.next_message()
            assert emulator.callback_queries[query].answered
            assert emulator.pending_updates == 0
    finally:
        stop_pushing(emulator)
