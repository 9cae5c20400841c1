"""Webhook mode: Telegram posts to /telegram on the public listener (PUBLIC_PORT), apart from the
dashboard; the secret token is checked, a body that is no update refused, a redelivered update
handled once; at start Rekam calls setWebhook itself, and the older WEBHOOK_* names still work."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import build_application
from bot.cli import main
from bot.db.models import ProcessedUpdate
from bot.emulator import TelegramEmulator, UserClient
from bot.emulator.transport import emulator_request
from bot.emulator.webhook import stop_pushing
from bot.inbound.telegram import webhook_url
from bot.runtime import running
from tests.support.harness import TOKEN, WAIT, free_port, make_settings

SECRET = "rahasia-kantor"
SIGNED = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


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


async def test_the_public_listener_takes_telegram_s_updates_only_with_the_secret(
    sqlite_url: str,
) -> None:
    port = free_port()
    settings = make_settings(
        sqlite_url,
        public_port=port,
        public_base_url="https://office.example",
        webhook_secret=SECRET,
        web_port=free_port(),
    )
    emulator = TelegramEmulator(TOKEN)
    app = build_application(settings, request=emulator_request(emulator))
    teen = UserClient(emulator, emulator.add_user("Rina", started=True))
    url = f"http://127.0.0.1:{port}/telegram"
    async with running(app, webhook=True, web=True), httpx.AsyncClient(timeout=WAIT) as client:
        # Rekam told Telegram itself where to post, and with which secret.
        assert emulator.webhook is not None
        assert (emulator.webhook["url"], emulator.webhook["secret_token"]) == (
            "https://office.example/telegram",
            SECRET,
        )
        forged = await client.post(
            url,
            json=update_from(teen, 1, "/bantuan"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "tebakan"},
        )
        assert forged.status_code == 403
        bare = await client.post(url, json=update_from(teen, 1, "/bantuan"))
        assert bare.status_code == 403
        for body in (b"bukan json", b"[1, 2]", b'{"update_id": "1"}', b'{"message": {}}'):
            refused = await client.post(url, content=body, headers=SIGNED)
            assert refused.status_code == 400, body
        assert (await client.get(url, headers=SIGNED)).status_code == 405
        # The dashboard has no /telegram: an update posted there is never handled.
        dashboard = await client.post(
            f"{settings.dashboard_url}/telegram",
            json=update_from(teen, 4, "/bahasa"),
            headers=SIGNED,
        )
        assert dashboard.status_code == 404
        first = await client.post(url, json=update_from(teen, 2, "/bantuan"), headers=SIGNED)
        assert first.status_code == 200
        assert "/bahasa — Ganti bahasa" in (await teen.next_message()).text
        again = await client.post(url, json=update_from(teen, 2, "/bantuan"), headers=SIGNED)
        assert again.status_code == 200
        # The same update is not answered twice: the next answer is to the next update.
        later = await client.post(url, json=update_from(teen, 3, "/bahasa"), headers=SIGNED)
        assert later.status_code == 200
        assert (await teen.next_message()).button("English")
        async with app.bot_data.db.session() as session:
            seen = (await session.execute(select(func.count(ProcessedUpdate.update_id)))).scalar()
        assert seen == 2  # update 2 (once) and update 3: neither 1 (refused) nor 4 (dashboard)


def test_rekam_run_webhook_refuses_to_start_without_a_secret(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://office.example")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    assert main(["run", "--webhook"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("Pengaturan salah: WEBHOOK_SECRET:") and "\n" not in error


def test_rekam_run_webhook_refuses_to_start_without_an_address(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("WEBHOOK_SECRET", SECRET)
    for name in ("PUBLIC_BASE_URL", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run", "--webhook"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("Pengaturan salah: PUBLIC_BASE_URL:") and "\n" not in error


def test_telegram_s_address_hangs_under_the_public_one_and_webhook_url_is_the_older_name(
    sqlite_url: str,
) -> None:
    public = make_settings(sqlite_url, public_base_url="https://kantor.example/rekam/")
    assert webhook_url(public) == "https://kantor.example/rekam/telegram"
    older = make_settings(sqlite_url, webhook_url="https://kantor.example/tg")
    assert webhook_url(older) == "https://kantor.example/tg"
    both = make_settings(
        sqlite_url, webhook_url="https://lama.example/tg", public_base_url="https://kantor.example"
    )
    assert webhook_url(both) == "https://kantor.example/telegram"  # the newer name wins
    assert webhook_url(make_settings(sqlite_url)) is None


def _public_names(port: int) -> dict[str, Any]:
    return {"public_base_url": f"http://127.0.0.1:{port}", "public_port": port}


def _older_names(port: int) -> dict[str, Any]:
    return {
        "webhook_url": f"http://127.0.0.1:{port}/telegram",
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }


@pytest.mark.parametrize("names", [_public_names, _older_names], ids=["public", "older"])
async def test_the_emulator_delivers_to_the_public_listener_and_the_bot_answers(
    sqlite_url: str, names: Any
) -> None:
    port = free_port()
    settings = make_settings(sqlite_url, webhook_secret=SECRET, **names(port))
    assert settings.public_port == port
    emulator = TelegramEmulator(TOKEN)
    app = build_application(settings, request=emulator_request(emulator))
    teen = UserClient(emulator, emulator.add_user("Rina", started=True))
    try:
        async with running(app, webhook=True):
            assert emulator.webhook is not None
            assert emulator.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
            assert emulator.pusher is not None  # Telegram's side: it posts to the bot
            teen.send("/start")
            assert "Bahasa Indonesia" in [b.label for b in (await teen.next_message()).buttons]
            query = teen.press("Bahasa Indonesia")
            await teen.next_message()
            assert emulator.callback_queries[query].answered
            assert emulator.pending_updates == 0
    finally:
        stop_pushing(emulator)
