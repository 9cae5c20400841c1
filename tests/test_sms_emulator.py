"""The SMS Gateway for Android emulator through its HTTP API and control surface, as a client of
the real gateway would see it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import httpx

from bot.emulator.latency import Latency
from bot.emulator.sms import (
    IN_PROCESS_BASE_URL,
    Pace,
    SmsGatewayEmulator,
    in_process_transport,
    serve,
)
from tests.support.harness import free_port
from tests.support.sms import HOOK_URL, LOGIN, PASSWORD, SIGNING_KEY, Receiver

PHONE, OTHER = "+6281234567890", "+6285712345678"
ROOT = IN_PROCESS_BASE_URL.removesuffix("/3rdparty/v1")


@asynccontextmanager
async def phone(
    receiver: Receiver | None = None, **options: object
) -> AsyncIterator[tuple[SmsGatewayEmulator, httpx.AsyncClient]]:
    """An emulator with a webhook for every event, and an HTTP client logged in to it."""
    receiver = receiver or Receiver()
    emulator = SmsGatewayEmulator(
        LOGIN,
        PASSWORD,
        signing_key=SIGNING_KEY,
        webhook_transport=receiver.transport(),
        **options,  # type: ignore[arg-type]
    )
    for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
        emulator.put_webhook({"id": event, "url": HOOK_URL, "event": event})
    client = httpx.AsyncClient(
        transport=in_process_transport(emulator),
        base_url=IN_PROCESS_BASE_URL,
        auth=(LOGIN, PASSWORD),
        timeout=5.0,
    )
    try:
        yield emulator, client
    finally:
        await client.aclose()
        await emulator.aclose()


def text_to(number: str, text: str = "Halo", **fields: object) -> dict[str, object]:
    return {"textMessage": {"text": text}, "phoneNumbers": [number], **fields}


async def test_wrong_credentials_answer_401_with_a_basic_challenge() -> None:
    async with phone() as (_, client):
        wrong = await client.post("/message", json=text_to(PHONE), auth=("rekam", "salah"))
        none = await client.get("/webhooks", auth=None)
        health = await client.get("/health", auth=None)
    assert wrong.status_code == none.status_code == 401
    assert wrong.headers["www-authenticate"].startswith("Basic")
    assert health.status_code == 200


async def test_a_message_is_accepted_pending_and_ends_delivered() -> None:
    async with phone() as (emulator, client):
        answer = await client.post("/message", json=text_to(PHONE, id="m1"))
        assert answer.status_code == 202
        assert answer.json()["state"] == "Pending"
        assert answer.json()["recipients"] == [
            {"phoneNumber": PHONE, "state": "Pending", "error": None}
        ]
        await emulator.until_final("m1")
        state = (await client.get("/message/m1")).json()
        missing = await client.get("/messages/nothing")
    assert state["state"] == "Delivered"
    assert list(state["states"]) == ["Pending", "Processed", "Sent", "Delivered"]
    assert missing.status_code == 404


async def test_local_mode_answers_at_the_root_with_the_old_message_field() -> None:
    async with phone() as (emulator, client):
        answer = await client.post(
            ROOT + "/messages", json={"message": "Halo", "phoneNumbers": ["0812 3456 7890"]}
        )
        assert answer.status_code == 202
        assert emulator.messages_to(PHONE)[0]["text"] == "Halo"


async def test_without_a_delivery_report_a_message_ends_sent() -> None:
    receiver = Receiver()
    async with phone(receiver) as (emulator, client):
        await client.post("/message", json=text_to(PHONE, id="m2", withDeliveryReport=False))
        sms = await emulator.until_final("m2")
        await receiver.until("sms:sent")
    assert sms.state == "Sent"
    assert receiver.events("sms:delivered") == []


async def test_a_failing_number_fails_with_its_reason_and_the_others_go_on() -> None:
    receiver = Receiver()
    async with phone(receiver) as (emulator, client):
        await client.post(ROOT + "/_emulator/failing", json={"phone": "081234567890"})
        answer = await client.post(
            "/message", json={**text_to(PHONE), "phoneNumbers": [PHONE, OTHER]}
        )
        sms = await emulator.until_final(answer.json()["id"])
        failed = (await receiver.until("sms:failed"))[0].envelope
    assert [(r.phone, r.state) for r in sms.recipients] == [(PHONE, "Failed"), (OTHER, "Delivered")]
    assert sms.state == "Delivered"  # its live number decides
    assert failed["payload"]["reason"] == "RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)"
    assert failed["payload"]["recipient"] == PHONE and failed["webhookId"] == "sms:failed"


async def test_the_api_refuses_what_the_app_refuses() -> None:
    async with phone() as (_, client):
        await client.post("/message", json=text_to(PHONE, id="dup"))
        duplicate = await client.post("/message", json=text_to(PHONE, id="dup"))
        too_long = await client.post("/message", json=text_to(PHONE, id="x" * 37))
        empty = await client.post("/message", json=text_to(PHONE, ""))
        both = await client.post("/message", json={**text_to(PHONE), "message": "Halo"})
        unreadable = await client.post("/message", json=text_to("nomor saya"))
        conflict = await client.post(
            "/message", json=text_to(PHONE, ttl=60, validUntil="2099-01-01T00:00:00+07:00")
        )
    assert duplicate.status_code == 409
    assert [r.status_code for r in (too_long, empty, both, unreadable, conflict)] == [400] * 5
    assert "message" in empty.json()


async def test_the_phone_queues_past_its_sending_limit_and_never_refuses() -> None:
    async with phone(pace=Pace(limit=2, period=2.0, slack=0.05)) as (emulator, client):
        answers = [await client.post("/message", json=text_to(PHONE, id=f"q{i}")) for i in range(4)]
        assert [a.status_code for a in answers] == [202] * 4
        await emulator.until_final("q1")
        # Two messages in the period (two seconds: a busy machine never spends it before
        # the check): the phone waits before the third.
        assert emulator.messages["q2"].state == "Pending"
        await emulator.until_final("q3")
    assert emulator.stats.sent == 4


async def test_an_sms_queued_past_its_ttl_fails_as_expired() -> None:
    clock = [datetime(2026, 12, 6, 9, 0, tzinfo=UTC)]
    receiver = Receiver()
    async with phone(receiver, pace=Pace(limit=1, period=0.2, slack=0.0), now=lambda: clock[0]) as (
        emulator,
        client,
    ):
        await client.post("/message", json=text_to(PHONE, id="first"))
        await client.post("/message", json=text_to(OTHER, id="stale", ttl=60))
        await emulator.until_final("first")
        clock[0] += timedelta(minutes=2)  # the phone was held up past the minute
        sms = await emulator.until_final("stale")
        failed = (await receiver.until("sms:failed"))[0].envelope
    assert sms.recipients[0].error == "TTL expired"
    assert failed["payload"]["reason"] == "TTL expired"


async def test_stats_count_messages_sms_segments_and_recipients() -> None:
    async with phone() as (emulator, client):
        long_text = "a" * 161
        first = await client.post(
            "/message", json={**text_to(PHONE, long_text), "phoneNumbers": [PHONE, OTHER]}
        )
        second = await client.post("/message", json=text_to(PHONE, "Jadwal 🙂"))
        await emulator.until_final(first.json()["id"])
        await emulator.until_final(second.json()["id"])
        stats = (await client.get(ROOT + "/_emulator/stats")).json()
        sent_to = (await client.get(f"{ROOT}/_emulator/messages/{PHONE}")).json()
    assert stats["messages"] == 2 and stats["sms"] == 3 and stats["sent"] == 3
    assert stats["segments"] == 2 + 2 + 1
    assert stats["per_recipient"] == {PHONE: 2, OTHER: 1}
    assert stats["peak_per_minute"] == 3
    assert [(m["segments"], m["state"]) for m in sent_to] == [(2, "Delivered"), (1, "Delivered")]


async def test_webhooks_are_replaced_by_id_and_checked_like_the_app() -> None:
    async with phone() as (_, client):
        hook = {"id": "mine", "url": "https://office.example/sms", "event": "sms:received"}
        created = await client.post("/webhooks", json=hook)
        again = await client.post("/webhook", json={**hook, "url": "https://office.example/v2"})
        plain_http = await client.post("/webhooks", json={**hook, "url": "http://office.example/"})
        odd_event = await client.post("/webhooks", json={**hook, "event": "sms:read"})
        listed = (await client.get("/webhooks")).json()
        deleted = await client.delete("/webhooks/mine")
        after = (await client.get("/webhooks")).json()
    assert created.status_code == again.status_code == 201
    assert [h["url"] for h in listed if h["id"] == "mine"] == ["https://office.example/v2"]
    assert plain_http.status_code == odd_event.status_code == 400
    assert deleted.status_code == 204 and "mine" not in {h["id"] for h in after}


async def test_an_inbound_sms_from_the_control_surface_reaches_the_webhook() -> None:
    receiver = Receiver()
    async with phone(receiver) as (_, client):
        answer = await client.post(
            ROOT + "/_emulator/inbound", json={"phone": PHONE, "text": "BATAL"}
        )
        envelope = (await receiver.until("sms:received"))[0].envelope
    assert envelope["payload"]["messageId"] == answer.json()["id"]
    assert envelope["payload"]["message"] == "BATAL"
    assert envelope["payload"]["sender"] == PHONE
    assert set(envelope) == {"deviceId", "event", "id", "payload", "webhookId"}


async def test_a_webhook_is_retried_until_it_answers_2xx() -> None:
    receiver = Receiver([500, 502])
    async with phone(receiver) as (emulator, client):
        emulator.receive_sms(PHONE, "HADIR")
        await receiver.until("sms:received", 3)
        deliveries = (await client.get(ROOT + "/_emulator/deliveries")).json()
    assert [(d["attempts"], d["answers"], d["delivered"]) for d in deliveries] == [
        (3, [500, 502, 200], True)
    ]


async def test_a_webhook_off_this_machine_is_recorded_and_never_posted() -> None:
    receiver = Receiver()
    async with phone(receiver) as (emulator, _):
        emulator.put_webhook({"url": "https://office.example/sms", "event": "sms:received"})
        emulator.receive_sms(PHONE, "HADIR")
        await receiver.until("sms:received")
        remote = [d for d in emulator.courier.deliveries if d.url.startswith("https://")]
    assert len(remote) == 1 and remote[0].answers == [] and len(receiver.posts) == 1


async def test_replay_posts_the_last_webhook_byte_for_byte() -> None:
    receiver = Receiver()
    async with phone(receiver) as (emulator, client):
        emulator.receive_sms(PHONE, "HADIR")
        await receiver.until("sms:received")
        replay = await client.post(ROOT + "/_emulator/replay")
    assert replay.json() == {"status": 200}
    assert receiver.posts[0] == receiver.posts[1]


async def test_injected_faults_answer_5xx_then_pass() -> None:
    async with phone() as (_, client):
        await client.post(
            ROOT + "/_emulator/faults", json={"route": "messages", "count": 2, "status": 503}
        )
        statuses = [
            (await client.post("/message", json=text_to(PHONE))).status_code for _ in range(3)
        ]
        webhooks = await client.get("/webhooks")
        bad = await client.post(ROOT + "/_emulator/inbound", json={"text": "no phone"})
    assert statuses == [503, 503, 202]
    assert webhooks.status_code == 200
    assert bad.status_code == 400


async def test_the_emulator_serves_on_a_loopback_port() -> None:
    emulator = SmsGatewayEmulator(LOGIN, PASSWORD)
    port = free_port()
    server = asyncio.create_task(serve(emulator, port=port))
    base = f"http://127.0.0.1:{port}/3rdparty/v1"
    try:
        async with httpx.AsyncClient(auth=(LOGIN, PASSWORD), timeout=5.0) as client:
            async with asyncio.timeout(5.0):
                while True:
                    try:
                        answer = await client.post(base + "/message", json=text_to(PHONE, id="p"))
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.02)
            assert answer.status_code == 202
            await emulator.until_final("p")
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)
        await emulator.aclose()


async def test_calls_and_webhooks_travel_the_configured_latency() -> None:
    receiver = Receiver()
    latency = Latency(round_trip=0.02, jitter=0.01, seed=7)
    async with phone(receiver, latency=latency) as (emulator, client):
        answer = await client.post("/message", json=text_to(PHONE, id="slow"))
        await receiver.until("sms:delivered")
    assert answer.status_code == 202 and emulator.messages["slow"].state == "Delivered"


async def test_a_malformed_message_is_a_400_not_a_crash() -> None:
    async with phone() as (_, client):
        odd = await client.post("/message", json={"textMessage": "Halo", "phoneNumbers": [PHONE]})
        naive = await client.post("/message", json=text_to(PHONE, validUntil="2099-01-01T00:00"))
        listed = await client.post("/message", content=b"[1, 2]")
    assert [r.status_code for r in (odd, naive, listed)] == [400, 400, 400]
