"""The bot's SMS sender and webhook reader against the emulated SMS Gateway for Android: what
the dispatcher and the inbound endpoint notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.sms.gateway import EVENTS, MAX_ID, SmsGateway, message_id, webhook_id
from bot.channels.sms.inbound import (
    PayloadError,
    Received,
    StateChanged,
    parse,
    signature,
    verify,
)
from bot.channels.sms.sender import (
    DeliveryState,
    Refusal,
    RefusalKind,
    Sent,
    failure_retryable,
)
from bot.emulator.sms import IN_PROCESS_BASE_URL, Fault, in_process_transport
from tests.support.sms import HOOK_URL, SIGNING_KEY, Posted, sms_world

PHONE = "+6281234567890"


def now() -> datetime:
    return datetime.now(UTC)


def checked(post: Posted) -> StateChanged | Received:
    assert verify(SIGNING_KEY, post.body, post.signature, post.timestamp, now())
    return parse(post.envelope)


async def test_a_sent_sms_is_accepted_then_sent_and_delivered_with_signed_webhooks() -> None:
    async with sms_world() as world:
        result = await world.gateway.send(PHONE, "Besok jam 9 rekam KTP-el.", key="outbox-17")
        assert result == Sent("outbox-17", 1, DeliveryState.PENDING)
        sent = checked((await world.receiver.until("sms:sent"))[0])
        delivered = checked((await world.receiver.until("sms:delivered"))[0])
    assert isinstance(sent, StateChanged) and isinstance(delivered, StateChanged)
    assert (sent.message_id, sent.phone, sent.state) == ("outbox-17", PHONE, DeliveryState.SENT)
    assert (delivered.message_id, delivered.state) == ("outbox-17", DeliveryState.DELIVERED)
    assert delivered.state.final and not sent.state.final
    assert sent.event_id != delivered.event_id


async def test_a_failing_number_gives_sms_failed_with_the_reason() -> None:
    async with sms_world() as world:
        world.emulator.set_failing(PHONE, "RESULT_ERROR_GENERIC_FAILURE (Generic failure cause)")
        result = await world.gateway.send(PHONE, "Undangan rekam", key="k-failing")
        assert isinstance(result, Sent)  # the phone took it; the network did not
        failed = checked((await world.receiver.until("sms:failed"))[0])
        assert world.receiver.events("sms:sent") == []
        assert await world.gateway.state("k-failing") == DeliveryState.FAILED
    assert isinstance(failed, StateChanged)
    assert failed.state is DeliveryState.FAILED and failed.state.final
    assert failed.reason is not None and failed.reason.startswith("RESULT_ERROR_GENERIC_FAILURE")
    assert not failure_retryable(failed.reason)
    assert failure_retryable("RESULT_ERROR_NO_SERVICE (Failed because service is unavailable)")
    assert failure_retryable("TTL expired")


async def test_wrong_credentials_are_an_auth_refusal() -> None:
    async with sms_world(password="salah") as world:
        result = await world.gateway.send(PHONE, "Halo", key="k-auth")
        hooks = await world.gateway.register_webhooks(HOOK_URL)
        assert world.emulator.messages == {}
    assert isinstance(result, Refusal) and result.kind is RefusalKind.AUTH
    assert not result.retryable
    assert isinstance(hooks, Refusal) and hooks.kind is RefusalKind.AUTH


async def test_a_5xx_is_a_retryable_refusal() -> None:
    async with sms_world() as world:
        world.emulator.inject(Fault("messages", status=502))
        first = await world.gateway.send(PHONE, "Halo", key="k-502")
        second = await world.gateway.send(PHONE, "Halo", key="k-502")
    assert isinstance(first, Refusal) and first.kind is RefusalKind.RETRYABLE and first.retryable
    assert isinstance(second, Sent)


async def test_a_timeout_is_retryable_and_the_retry_sends_nothing_twice() -> None:
    async with sms_world(timeout=0.2) as world:
        world.emulator.inject(Fault("messages", status=None, delay=0.5))
        first = await world.gateway.send(PHONE, "Halo", key="k-slow")
        assert isinstance(first, Refusal) and first.kind is RefusalKind.RETRYABLE
        # The slow call still reached the phone; the same key finds it instead of a second SMS.
        await world.receiver.until("sms:delivered")
        again = await world.gateway.send(PHONE, "Halo", key="k-slow")
        assert again == Sent("k-slow", 1, DeliveryState.DELIVERED)
        assert len(world.emulator.messages_to(PHONE)) == 1
        assert world.emulator.stats.sent == 1


async def test_registering_webhooks_twice_leaves_one_per_event() -> None:
    async with sms_world() as world:
        # Registered by hand once, under an id of the app's choosing: it would double events.
        world.emulator.put_webhook({"url": HOOK_URL, "event": "sms:received"})
        first = await world.gateway.register_webhooks(HOOK_URL)
        second = await world.gateway.register_webhooks(HOOK_URL)
        hooks = list(world.emulator.webhooks.values())
    assert first == second == [webhook_id(event) for event in EVENTS]
    assert sorted(hook["event"] for hook in hooks) == sorted(EVENTS)
    assert {hook["url"] for hook in hooks} == {HOOK_URL}
    assert {hook["id"] for hook in hooks} == set(first)  # the same ids again after a restart


async def test_an_inbound_sms_is_read_as_received() -> None:
    async with sms_world() as world:
        sms_id = world.emulator.receive_sms("0812-3456-7890", "HADIR 4821")
        received = checked((await world.receiver.until("sms:received"))[0])
    assert isinstance(received, Received)
    assert received.message_id == sms_id
    assert received.phone == PHONE and received.sender == "0812-3456-7890"
    assert received.text == "HADIR 4821"
    assert received.received_at.tzinfo is not None


async def test_an_inbound_sms_from_a_short_code_has_no_phone() -> None:
    async with sms_world() as world:
        world.emulator.receive_sms("TELKOMSEL", "Pulsa Anda")
        received = checked((await world.receiver.until("sms:received"))[0])
    assert isinstance(received, Received) and received.phone is None
    assert received.sender == "TELKOMSEL"


async def test_the_signature_holds_only_for_the_right_key_body_and_time() -> None:
    async with sms_world() as world:
        world.emulator.receive_sms(PHONE, "HADIR")
        post = (await world.receiver.until("sms:received"))[0]
    body, sig, stamp = post.body, post.signature, post.timestamp
    assert stamp is not None and sig == signature(SIGNING_KEY, body, stamp)
    assert verify(SIGNING_KEY, body, sig, stamp, now())
    assert verify(SIGNING_KEY, body, sig.upper(), stamp, now())
    assert not verify("another-key", body, sig, stamp, now())
    changed = body.replace(b"HADIR", b"HADIS")
    assert not verify(SIGNING_KEY, changed, sig, stamp, now())
    assert not verify(SIGNING_KEY, body, sig, stamp, now() + timedelta(seconds=301))
    assert not verify(SIGNING_KEY, body, sig, stamp, now() - timedelta(seconds=301))
    assert not verify(SIGNING_KEY, body, None, stamp, now())
    assert not verify(SIGNING_KEY, body, sig, None, now())
    assert not verify(SIGNING_KEY, body, sig, "kemarin", now())
    assert not verify("", body, sig, stamp, now())


async def test_a_replayed_delivery_is_recognised_by_its_event_id() -> None:
    async with sms_world() as world:
        world.emulator.receive_sms(PHONE, "HADIR")
        original = (await world.receiver.until("sms:received"))[0]
        assert await world.emulator.courier.replay_last() == 200
        replayed = world.receiver.events("sms:received")[1]
    # Inside the window the replay verifies: only the event id tells it was handled.
    assert replayed == original
    assert checked(replayed).event_id == checked(original).event_id
    late = now() + timedelta(seconds=400)
    assert not verify(SIGNING_KEY, replayed.body, replayed.signature, replayed.timestamp, late)


async def test_a_retried_delivery_is_signed_again_with_the_same_event_id() -> None:
    async with sms_world(answers=[500, 503]) as world:
        world.emulator.receive_sms(PHONE, "HADIR")
        posts = await world.receiver.until("sms:received", 3)
    events = [checked(post) for post in posts]
    assert len({event.event_id for event in events}) == 1
    assert [d.answers for d in world.emulator.courier.deliveries] == [[500, 503, 200]]


async def test_a_number_that_is_no_mobile_is_rejected_before_the_gateway() -> None:
    async with sms_world() as world:
        landline = await world.gateway.send("+62215551234", "Halo", key="k-landline")
        empty = await world.gateway.send(PHONE, "", key="k-empty")
        assert world.emulator.messages == {}
    assert isinstance(landline, Refusal) and landline.kind is RefusalKind.REJECTED
    assert isinstance(empty, Refusal) and empty.kind is RefusalKind.REJECTED


async def test_a_long_key_becomes_a_stable_short_id() -> None:
    key = "outbox/" + "x" * 60
    assert message_id(key) == message_id(key) and len(message_id(key)) <= MAX_ID
    assert message_id("outbox-5") == "outbox-5"
    async with sms_world() as world:
        result = await world.gateway.send(PHONE, "Halo", key=key)
    assert isinstance(result, Sent) and result.message_id == message_id(key)


async def test_a_long_text_reports_its_segments() -> None:
    async with sms_world() as world:
        result = await world.gateway.send(PHONE, "a" * 161, key="k-long")
        await world.receiver.until("sms:sent")
        assert world.emulator.stats.segments == 2
    assert isinstance(result, Sent) and result.segments == 2


def test_parse_refuses_what_the_bot_did_not_register_for() -> None:
    base = {"id": "e1", "deviceId": "d", "webhookId": "w"}
    with pytest.raises(PayloadError):
        parse({**base, "event": "system:ping", "payload": {"messageId": "m"}})
    with pytest.raises(PayloadError):
        parse({**base, "event": "sms:sent", "payload": {"messageId": "m", "sentAt": "kemarin"}})
    with pytest.raises(PayloadError):
        parse({**base, "event": "sms:received"})


async def test_the_gateway_closes_as_a_context_manager() -> None:
    async with sms_world() as world:
        gateway = SmsGateway(
            IN_PROCESS_BASE_URL,
            "kantor",
            "sandi-uji",
            transport=in_process_transport(world.emulator),
        )
        async with gateway as open_gateway:
            assert isinstance(await open_gateway.send(PHONE, "Halo", key="k-ctx"), Sent)
