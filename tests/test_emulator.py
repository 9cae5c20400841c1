"""The emulator answers like Telegram where a bot can tell: shapes, validation, limits, blocks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.emulator import Limits, TelegramEmulator, UserClient
from bot.emulator import webhook as webhook_module
from bot.emulator.latency import NO_LATENCY, Latency
from bot.emulator.limits import RateLimiter
from bot.emulator.server import EmulatorApp, serve
from bot.emulator.transport import IN_PROCESS_BASE_URL, emulator_request
from bot.emulator.webhook import SECRET_HEADER
from tests.support.harness import free_port

TOKEN = "424242:TEST-emulator-tests-token-0000000000"


@pytest.fixture
def emulator() -> TelegramEmulator:
    return TelegramEmulator(TOKEN)


@pytest.fixture
async def api(emulator: TelegramEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP, to check JSON shapes and error bodies exactly."""
    transport = httpx.ASGITransport(app=EmulatorApp(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        yield client


@pytest.fixture
async def bot(emulator: TelegramEmulator) -> AsyncIterator[Bot]:
    """python-telegram-bot's own client, as the product uses it."""
    async with Bot(
        TOKEN,
        base_url=IN_PROCESS_BASE_URL,
        request=emulator_request(emulator),
        get_updates_request=emulator_request(emulator),
    ) as client:
        yield client


def started_user(emulator: TelegramEmulator, name: str = "Sari") -> UserClient:
    user = UserClient.create(emulator, name)
    emulator.chats[user.id].started = True
    return user


async def test_get_me_and_message_shapes_match_the_bot_api(
    api: httpx.AsyncClient, emulator: TelegramEmulator
) -> None:
    user = started_user(emulator)
    me = (await api.get(f"/bot{TOKEN}/getMe")).json()
    assert me["ok"] is True and me["result"]["is_bot"] is True
    sent = (
        await api.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": user.id, "text": "Halo"})
    ).json()["result"]
    assert set(sent) >= {"message_id", "from", "chat", "date", "text"}
    assert sent["chat"] == {"id": user.id, "first_name": "Sari", "type": "private"}
    again = (
        await api.post(f"/bot{TOKEN}/sendMessage", data={"chat_id": str(user.id), "text": "Lagi"})
    ).json()["result"]
    assert again["message_id"] == sent["message_id"] + 1  # form bodies work too


@pytest.mark.parametrize(
    ("body", "status", "description"),
    [
        ({"text": "x"}, 400, "Bad Request: chat_id is empty"),
        ({"chat_id": "{user}", "text": ""}, 400, "Bad Request: message text is empty"),
        ({"chat_id": "{user}", "text": "x" * 4097}, 400, "Bad Request: message is too long"),
        ({"chat_id": 999, "text": "x"}, 400, "Bad Request: chat not found"),
        ({"chat_id": "abc", "text": "x"}, 400, "Bad Request: chat not found"),
        (
            {"chat_id": "{user}", "text": "a <b>b", "parse_mode": "HTML"},
            400,
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        (
            {
                "chat_id": "{user}",
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "✅", "callback_data": "x" * 65}]]},
            },
            400,
            "Bad Request: BUTTON_DATA_INVALID",
        ),
    ],
)
async def test_send_message_validation(
    api: httpx.AsyncClient,
    emulator: TelegramEmulator,
    body: dict[str, object],
    status: int,
    description: str,
) -> None:
    user = started_user(emulator)
    body = {k: (user.id if v == "{user}" else v) for k, v in body.items()}
    response = await api.post(f"/bot{TOKEN}/sendMessage", json=body)
    assert response.status_code == status
    assert response.json() == {"ok": False, "error_code": status, "description": description}
    assert user.messages == []


async def test_4096_characters_and_64_byte_callback_data_are_still_accepted(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    user = started_user(emulator)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅", callback_data="é" * 32)]])
    await bot.send_message(user.id, "x" * 4096, reply_markup=keyboard)
    assert len(user.messages[-1].text) == 4096
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(
            user.id,
            "x",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("✅", callback_data="é" * 33)]]
            ),
        )  # 66 bytes


async def test_unknown_method_and_wrong_token(api: httpx.AsyncClient) -> None:
    unknown = await api.post(f"/bot{TOKEN}/sendTelepathy", json={})
    assert (unknown.status_code, unknown.json()["description"]) == (404, "Not Found")
    wrong = await api.post("/bot1:wrong/getMe")
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")


async def test_blocked_and_never_started_chats_answer_403(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    blocked = started_user(emulator, "Blocked")
    blocked.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(blocked.id, "Halo")
    stranger = UserClient.create(emulator, "Stranger")
    with pytest.raises(Forbidden, match="bot can't initiate conversation"):
        await bot.send_message(stranger.id, "Halo")


async def test_overall_limit_answers_429_with_retry_after(
    api: httpx.AsyncClient, emulator: TelegramEmulator
) -> None:
    users = [started_user(emulator, f"U{i}") for i in range(31)]
    answers = [
        await api.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": u.id, "text": "x"})
        for u in users
    ]
    assert [a.status_code for a in answers[:30]] == [200] * 30
    refused = answers[30].json()
    assert answers[30].status_code == 429
    assert refused["parameters"]["retry_after"] >= 1
    assert refused["description"].startswith("Too Many Requests: retry after ")
    assert emulator.limiter.stats.peak_one_second == 30
    assert emulator.limiter.stats.refused == 1


async def test_per_chat_limit_lets_a_short_burst_through_then_429(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    user = started_user(emulator)
    for _ in range(Limits().chat_burst):
        await bot.send_message(user.id, "x")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "one too many")
    assert caught.value.retry_after == 1  # type: ignore[comparison-overlap]


def test_per_chat_bucket_refills_at_one_per_second() -> None:
    now = [0.0]
    limiter = RateLimiter(Limits(chat_burst=1), clock=lambda: now[0])
    assert limiter.acquire(7) is None
    assert limiter.acquire(7) == 1
    now[0] = 0.5
    assert limiter.acquire(7) == 1
    now[0] = 1.0
    assert limiter.acquire(7) is None
    assert limiter.acquire(8) is None  # other chats are not slowed by chat 7


def test_group_limit_is_twenty_a_minute() -> None:
    now = [0.0]
    limiter = RateLimiter(Limits(), clock=lambda: now[0])
    for second in range(20):
        now[0] = float(second)
        assert limiter.acquire(-100) is None
    now[0] = 20.0
    assert limiter.acquire(-100) == 40
    now[0] = 60.0
    assert limiter.acquire(-100) is None


def test_paid_broadcast_raises_the_overall_limit() -> None:
    limiter = RateLimiter(Limits(), clock=lambda: 0.0)
    assert all(limiter.acquire(i) is None for i in range(1, 31))
    assert limiter.acquire(31) is not None
    assert limiter.acquire(32, paid=True) is None


def test_limits_can_be_switched_off_for_throughput_runs() -> None:
    limiter = RateLimiter(Limits(enabled=False), clock=lambda: 0.0)
    assert all(limiter.acquire(1) is None for _ in range(1000))


async def test_updates_long_poll_and_offsets(bot: Bot, emulator: TelegramEmulator) -> None:
    user = UserClient.create(emulator, "Sari")
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()  # long polling waits for something to happen
    user.send("/start ABC123")
    updates = await asyncio.wait_for(poll, 2)
    message = updates[0].message
    assert message is not None and message.text == "/start ABC123"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    user.send("second")
    assert [u.message.text for u in await bot.get_updates() if u.message] == [
        "/start ABC123",
        "second",
    ]
    confirmed = await bot.get_updates(offset=updates[0].update_id + 1)
    assert [u.message.text for u in confirmed if u.message] == ["second"]


async def test_until_confirmed_waits_for_the_bot_to_poll_past_an_update(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    user = UserClient.create(emulator, "Sari")
    user.send("one")
    user.send("two")
    waiting = asyncio.create_task(emulator.until_confirmed())
    first = (await bot.get_updates())[0].update_id
    await bot.get_updates(offset=first + 1)  # confirms "one" only
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await emulator.until_confirmed(first)  # already confirmed: returns at once
    await bot.get_updates(offset=first + 2)
    await asyncio.wait_for(waiting, 1)
    assert emulator.confirmed_update_id == emulator.last_update_id == first + 1


async def test_button_press_round_trip(bot: Bot, emulator: TelegramEmulator) -> None:
    user = UserClient.create(emulator, "Sari")
    user.send("/start")
    await bot.get_updates()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅ Saya datang", callback_data="c:1")]])
    sent = await bot.send_message(user.id, "Panggilan", reply_markup=keyboard)
    query_id = user.press("✅")
    updates = await bot.get_updates(offset=-1)
    query = updates[-1].callback_query
    assert query is not None and query.data == "c:1" and query.from_user.id == user.id
    assert query.message is not None and query.message.message_id == sent.message_id
    await query.answer("Tercatat")
    assert (await user.answer(query_id))["text"] == "Tercatat"
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("twice")
    await bot.edit_message_text("Panggilan ✓", chat_id=user.id, message_id=sent.message_id)
    assert user.message(sent.message_id).text == "Panggilan ✓"
    assert user.message(sent.message_id).buttons == ()
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Panggilan ✓", chat_id=user.id, message_id=sent.message_id)


async def test_waiting_for_a_count_of_messages_and_for_an_edit(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    """A test waits for what it expects (so many messages, an edit), never for silence: the
    wait ends as that arrives, and fails naming what did arrive when it does not."""
    user = started_user(emulator)
    first = await bot.send_message(user.id, "satu")
    waiting = asyncio.create_task(user.next_messages(3, timeout=5))
    await asyncio.sleep(0)
    await bot.edit_message_text("satu ✓", chat_id=user.id, message_id=first.message_id)
    await bot.send_message(user.id, "dua")
    await bot.send_message(user.id, "tiga")
    await bot.send_message(user.id, "empat")
    assert [m.text for m in await waiting] == ["satu", "dua", "tiga"]  # the edit is passed over
    assert (await user.next_message()).text == "empat"
    with pytest.raises(TimeoutError, match=r"1 of 2 messages .*'lima'"):
        sent = bot.send_message(user.id, "lima")
        await asyncio.gather(sent, user.next_messages(2, timeout=0.3))

    shown = user.message(first.message_id)
    edit = asyncio.create_task(user.edited(shown, timeout=5))
    await asyncio.sleep(0)
    assert not edit.done()
    await bot.edit_message_reply_markup(
        user.id,
        first.message_id,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Lagi", callback_data="x")]]),
    )
    now = await edit
    assert now.text == "satu ✓" and [b.label for b in now.buttons] == ["Lagi"]
    with pytest.raises(TimeoutError, match=r"not edited .*'satu ✓'"):
        await user.edited(now, timeout=0.3)


async def test_venue_and_documents(bot: Bot, emulator: TelegramEmulator) -> None:
    user = started_user(emulator)
    await bot.send_venue(
        user.id, latitude=-7.98, longitude=112.63, title="MPP", address="Jl. Veteran 12"
    )
    venue = user.messages[-1].venue
    assert venue is not None and venue["title"] == "MPP"
    await bot.send_document(user.id, InputFile(b"BEGIN:VCALENDAR", filename="jadwal.ics"))
    document = user.messages[-1].file
    assert document is not None and (document.name, document.content) == (
        "jadwal.ics",
        b"BEGIN:VCALENDAR",
    )
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(user.id, b"\x89PNG", caption="x" * 1025)


async def test_commands_per_language(bot: Bot, emulator: TelegramEmulator) -> None:
    from telegram import BotCommand

    await bot.set_my_commands([BotCommand("jadwal", "Jadwal saya")])
    await bot.set_my_commands([BotCommand("jadwal", "My schedule")], language_code="en")
    assert (await bot.get_my_commands(language_code="en"))[0].description == "My schedule"
    assert (await bot.get_my_commands())[0].description == "Jadwal saya"
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Jadwal Saya", "x")])


async def test_webhook_blocks_get_updates(bot: Bot) -> None:
    await bot.set_webhook("https://office.example/telegram", secret_token="s3cret")
    with pytest.raises(Exception, match="Conflict"):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_loopback_server_serves_the_same_api(emulator: TelegramEmulator) -> None:
    port = free_port()
    server = asyncio.create_task(serve(emulator, "127.0.0.1", port))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(50):
                try:
                    me = await client.get(f"/bot{TOKEN}/getMe")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.05)
            assert me.json()["result"]["username"] == emulator.bot_user["username"]
            users = (await client.post("/_emulator/users", json={"count": 2})).json()["result"]
            sent = await client.post(
                f"/bot{TOKEN}/sendMessage", json={"chat_id": users[0]["id"], "text": "Halo"}
            )
            assert sent.json()["ok"] is True
            stats = (await client.get("/_emulator/stats")).json()["result"]
            assert stats["accepted"] == 1 and stats["calls"]["sendMessage"] == 1
            activity = (await client.get(f"/_emulator/chats/{users[0]['id']}")).json()["result"]
            assert json.dumps(activity[0]["payload"]["text"]) == '"Halo"'
    finally:
        server.cancel()
        with pytest.raises(asyncio.CancelledError):
            await server


async def test_a_second_poller_terminates_the_first_with_409(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    from telegram.error import Conflict

    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=1))
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first
    assert await second == ()


@contextlib.asynccontextmanager
async def webhook_receiver(failures: int = 0) -> AsyncIterator[tuple[str, list[web.Request], Any]]:
    """A webhook on a loopback port: records each request, answers 500 to the first
    `failures` ones, holds each a moment so that concurrent deliveries overlap."""
    received: list[web.Request] = []
    bodies: list[Any] = []
    load = {"now": 0, "most": 0}

    async def receive(request: web.Request) -> web.Response:
        received.append(request)
        status = 500 if len(received) <= failures else 200
        bodies.append(await request.json())
        load["now"] += 1
        load["most"] = max(load["most"], load["now"])
        await asyncio.sleep(0.05)
        load["now"] -= 1
        return web.Response(status=status)

    server = web.Application()
    server.router.add_post("/hook", receive)
    runner = web.AppRunner(server)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/hook", received, (bodies, load)
    finally:
        await runner.cleanup()


async def test_webhook_updates_are_posted_with_the_secret_and_retried_after_a_failure(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    user = started_user(emulator)
    async with webhook_receiver(failures=1) as (url, received, (bodies, load)):
        await bot.set_webhook(url, secret_token="s3cret", max_connections=3)
        try:
            for index in range(12):
                user.send(f"pesan {index}")
            for _ in range(200):
                if emulator.pending_updates == 0:
                    break
                await asyncio.sleep(0.02)
            info = await bot.get_webhook_info()
        finally:
            await bot.delete_webhook()
    assert emulator.pusher is None and info.pending_update_count == 0
    assert {r.headers.get(SECRET_HEADER) for r in received} == {"s3cret"}
    ids = [body["update_id"] for body in bodies]
    assert len(ids) == 13 and sorted(set(ids)) == list(range(1, 13))  # one failed, sent again
    assert ids.count(ids[0]) == 2
    assert load["most"] == 3  # max_connections at once, no more


async def test_webhook_addresses_the_emulator_accepts_and_delivers_to(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://office.example/telegram")
    with pytest.raises(BadRequest, match="max_connections"):
        await bot.set_webhook("https://office.example/telegram", max_connections=101)
    await bot.set_webhook("https://office.example/telegram")
    assert emulator.pusher is None  # offline: recorded, updates stay pending
    started_user(emulator).send("halo")
    await asyncio.sleep(0.05)
    assert (await bot.get_webhook_info()).pending_update_count == 1
    await bot.set_webhook("http://localhost:9/telegram")  # plain HTTP to this machine: allowed
    assert emulator.pusher is not None
    await bot.delete_webhook()
    assert emulator.pusher is None
    assert [u.message.text for u in await bot.get_updates() if u.message] == ["halo"]


async def test_webhook_targets_take_the_updates_in_turn(
    api: httpx.AsyncClient, emulator: TelegramEmulator
) -> None:
    """A benchmark's stand-in for the load balancer in front of several bot processes."""
    assert emulator.webhook_target("http://127.0.0.1:1/hook") == "http://127.0.0.1:1/hook"
    urls = ["http://127.0.0.1:2/telegram", "http://127.0.0.1:3/telegram"]
    answer = await api.post("/_emulator/webhook_targets", json={"urls": urls})
    assert answer.json() == {"ok": True, "result": True}
    assert [emulator.webhook_target("http://127.0.0.1:1/hook") for _ in range(4)] == urls * 2


async def test_a_webhook_delivery_takes_half_a_round_trip_each_way(
    bot: Bot, emulator: TelegramEmulator
) -> None:
    user = started_user(emulator)
    async with webhook_receiver() as (url, received, _):
        await bot.set_webhook(url)
        emulator.latency = Latency(0.4, 0.0)
        try:
            async with asyncio.timeout(10):
                sent = time.monotonic()
                user.send("halo")
                while not received:  # noqa: ASYNC110 (the receiver records; a short poll)
                    await asyncio.sleep(0.01)
                arrived = time.monotonic()
                while emulator.pending_updates:  # noqa: ASYNC110 (delivered, answer back)
                    await asyncio.sleep(0.01)
                done = time.monotonic()
        finally:
            emulator.latency = NO_LATENCY
            await bot.delete_webhook()
    assert arrived - sent >= 0.2  # half the round trip to reach the bot
    assert done - arrived >= 0.2  # and the bot's answer half of it to come back


async def test_an_update_the_bot_answered_is_not_sent_again_when_the_webhook_goes(
    bot: Bot, emulator: TelegramEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = started_user(emulator)
    trips: list[str] = []
    on_its_way_back = asyncio.Event()
    real_one_way = webhook_module._one_way

    async def one_way(emulator: TelegramEmulator) -> None:
        trips.append("to the bot" if len(trips) % 2 == 0 else "back")
        if trips[-1] == "back":
            on_its_way_back.set()
        await real_one_way(emulator)

    monkeypatch.setattr(webhook_module, "_one_way", one_way)
    async with webhook_receiver() as (url, received, _):
        await bot.set_webhook(url)
        emulator.latency = Latency(0.4, 0.0)
        try:
            user.send("halo")
            async with asyncio.timeout(10):
                await on_its_way_back.wait()  # the bot said 200; the answer is on its way
        finally:
            emulator.latency = NO_LATENCY
            pusher = emulator.pusher
            await bot.delete_webhook()
            assert pusher is not None
            with contextlib.suppress(asyncio.CancelledError):
                await pusher  # delivery has stopped
    assert len(received) == 1
    assert emulator.pending_updates == 0
    assert await bot.get_updates() == ()  # answered once: not pending any more
