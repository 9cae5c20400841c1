"""The WhatsApp Cloud API emulator as an app sees it: signed webhooks and their retries, the
subscription handshake, every inbound shape parsed, the control surface, the Graph errors."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp import (
    MalformedPayload,
    Reply,
    Status,
    Unsupported,
    WhatsAppProblem,
    challenge,
    parse,
    verify_signature,
)
from bot.emulator.whatsapp import WebhookConfig, WhatsAppEmulator, WhatsAppEmulatorApp
from bot.emulator.whatsapp.webhook import encode, sign, stop_pushing, subscribe, verify
from tests.support.whatsapp import (
    APP_SECRET,
    START,
    VERIFY_TOKEN,
    WEBHOOK_URL,
    Receiver,
    SteppedClock,
)

SARI = "6281234567890"
CONFIG = WebhookConfig(WEBHOOK_URL, APP_SECRET, VERIFY_TOKEN)


def _emulator() -> WhatsAppEmulator:
    emulator = WhatsAppEmulator(clock=SteppedClock())
    emulator.add_user(SARI, "Sari")
    return emulator


# --- signatures and the handshake -------------------------------------------------------------


async def test_webhooks_arrive_signed_and_only_the_exact_body_verifies() -> None:
    emulator, receiver = _emulator(), Receiver()
    async with receiver.http() as http:
        subscribe(emulator, CONFIG, http)
        emulator.user_text(SARI, "halo")
        await receiver.until(1)
        stop_pushing(emulator)
    [body], [signature] = receiver.bodies, receiver.signatures
    assert signature is not None and verify_signature(APP_SECRET, body, signature)
    assert [r.text for r in receiver.accepted if isinstance(r, Reply)] == ["halo"]
    changed = bytearray(body)
    changed[body.index(b"halo")] = ord("H")
    assert not verify_signature(APP_SECRET, bytes(changed), signature)  # a replay, one byte off
    assert not verify_signature("another-secret", body, signature)
    assert not verify_signature(APP_SECRET, body, sign("another-secret", body))  # forged
    assert not verify_signature(APP_SECRET, body, signature.removeprefix("sha256="))
    assert not verify_signature(APP_SECRET, body, None)


async def test_a_refused_delivery_is_sent_again_until_the_app_takes_it() -> None:
    emulator, receiver = _emulator(), Receiver(fail_first=2)
    async with receiver.http() as http:
        subscribe(emulator, CONFIG, http)
        emulator.user_text(SARI, "halo")
        await receiver.until(1)
        stop_pushing(emulator)
    assert len(receiver.bodies) == 3 and len(set(receiver.bodies)) == 1
    assert len(receiver.accepted) == 1 and emulator.pending_events == 0


async def test_the_handshake_echoes_the_challenge_only_for_our_verify_token() -> None:
    receiver = Receiver()
    emulator = _emulator()
    async with receiver.http() as http:
        assert await verify(emulator, CONFIG, http)
        wrong = WebhookConfig(WEBHOOK_URL, APP_SECRET, "someone-else")
        assert not await verify(emulator, wrong, http)
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    assert challenge(params, VERIFY_TOKEN) == "1158201444"
    assert challenge({**params, "hub.mode": "unsubscribe"}, VERIFY_TOKEN) is None
    assert challenge({**params, "hub.verify_token": ""}, VERIFY_TOKEN) is None
    assert challenge(params, "") is None


async def test_a_webhook_elsewhere_is_recorded_and_never_called() -> None:
    emulator = _emulator()
    subscribe(emulator, CONFIG)  # rekam.invalid is not this machine, and no client was given
    assert emulator.webhook == CONFIG and emulator.pusher is None
    emulator.user_text(SARI, "halo")
    assert emulator.pending_events == 1


# --- every inbound shape --------------------------------------------------------------------


def test_every_reply_and_status_the_emulator_sends_parses_into_a_value() -> None:
    emulator = _emulator()
    emulator.user_text(SARI, "halo")
    buttons = emulator.send(
        {
            "messaging_product": "whatsapp",
            "to": SARI,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Datang?"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "ya", "title": "Ya"}}]},
            },
        }
    )["messages"][0]["id"]
    listing = emulator.send(
        {
            "messaging_product": "whatsapp",
            "to": SARI,
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "Jam?"},
                "action": {
                    "button": "Jam",
                    "sections": [{"rows": [{"id": "r9", "title": "09.00"}]}],
                },
            },
        }
    )["messages"][0]["id"]
    emulator.take_events()
    emulator.press(SARI, buttons, "ya")
    emulator.pick(SARI, listing, "r9")
    emulator.quick_reply(SARI, buttons, "HADIR", "Saya hadir")
    assert emulator.read(SARI) == 2
    found = [item for event in emulator.take_events() for item in parse(event)]
    at = datetime.fromtimestamp(int(START), UTC)
    replies = [item for item in found if isinstance(item, Reply)]
    assert [(r.button_id, r.list_id, r.context_id, r.at) for r in replies] == [
        ("ya", None, buttons, at),
        (None, "r9", listing, at),
        ("HADIR", None, buttons, at),
    ]
    assert [(s.message_id, s.status) for s in found if isinstance(s, Status)] == [
        (buttons, "read"),
        (listing, "read"),
    ]


def _event(value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"value": value, "field": field}]}],
    }


def test_a_failed_status_and_a_message_we_do_not_read_parse_too() -> None:
    failed = {
        "id": "wamid.X",
        "status": "failed",
        "timestamp": "1698231447",
        "recipient_id": SARI,
        "errors": [
            {
                "code": 131026,
                "title": "Receiver is incapable of receiving this message",
                "message": "Receiver is incapable of receiving this message",
                "error_data": {"details": "Message Undeliverable."},
            }
        ],
    }
    image = {"from": SARI, "id": "wamid.Y", "timestamp": "1698231447", "type": "image", "image": {}}
    [status, other] = parse(_event({"statuses": [failed], "messages": [image]}))
    assert isinstance(status, Status) and status.problem is not None
    assert status.problem.problem is WhatsAppProblem.NOT_A_USER
    assert status.problem.detail == "Message Undeliverable."
    assert other == Unsupported(SARI, "wamid.Y", datetime.fromtimestamp(1698231447, UTC), "image")
    assert parse(_event({"message_template_id": 1}, field="message_template_status_update")) == []


# --- malformed payloads -------------------------------------------------------------------------


def _valid() -> dict[str, Any]:
    emulator = _emulator()
    emulator.user_text(SARI, "halo")
    emulator.send({"messaging_product": "whatsapp", "to": SARI, "text": {"body": "x"}})
    events = emulator.take_events()
    return {**events[0], "entry": [*events[0]["entry"], *events[1]["entry"]]}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index in a JSON value."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    return [p for key, child in items for p in [(*path, key), *_paths(child, (*path, key))]]


def test_a_payload_missing_any_part_raises_malformed_or_parses_never_a_key_error() -> None:
    valid = _valid()
    assert len(parse(valid)) == 2
    broken = 0
    for path in _paths(valid):
        payload = copy.deepcopy(valid)
        parent = payload
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
        try:
            parse(payload)
        except MalformedPayload:
            broken += 1
    assert broken >= 10  # the ids, senders, timestamps, bodies, envelope: each one matters


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": [{"changes": "no"}]},
        _event({"messages": [{"from": SARI, "id": "w", "timestamp": "soon", "type": "text"}]}),
        _event({"messages": [{"from": SARI, "id": "w", "timestamp": "1", "type": "text"}]}),
        _event(
            {
                "messages": [
                    {
                        "from": SARI,
                        "id": "w",
                        "timestamp": "1",
                        "type": "interactive",
                        "interactive": {"type": "button_reply", "button_reply": {}},
                    }
                ]
            }
        ),
        _event(
            {
                "statuses": [
                    {
                        "id": "w",
                        "status": "failed",
                        "timestamp": "1",
                        "recipient_id": SARI,
                        "errors": ["131026"],
                    }
                ]
            }
        ),
        _event({"statuses": "sent"}),
    ],
)
def test_malformed_payloads_raise_a_typed_error(payload: Any) -> None:
    with pytest.raises(MalformedPayload):
        parse(payload)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "object",
                    "entry",
                    "changes",
                    "field",
                    "value",
                    "messages",
                    "statuses",
                    "id",
                    "from",
                    "type",
                    "timestamp",
                    "text",
                    "body",
                    "errors",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(_json)
def test_parse_answers_any_json_with_values_or_malformed_payload(payload: Any) -> None:
    with_envelope = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "messages", "value": payload}]}],
    }
    for candidate in (payload, with_envelope):
        try:
            found = parse(candidate)
        except MalformedPayload:
            continue
        assert all(isinstance(item, Reply | Status | Unsupported) for item in found)


# --- the Graph API's answers and the control surface ----------------------------------------


async def _call(
    emulator: WhatsAppEmulator, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    transport = httpx.ASGITransport(app=WhatsAppEmulatorApp(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://graph.invalid") as http:
        return await http.request(method, path, **kwargs)


async def test_a_wrong_token_and_an_unknown_node_answer_as_the_graph_api_does() -> None:
    emulator = _emulator()
    path = f"/v21.0/{emulator.phone_number_id}/messages"
    response = await _call(emulator, "POST", path, json={}, headers={"Authorization": "Bearer x"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "OAuthException" and error["code"] == 190 and error["fbtrace_id"]
    auth = {"Authorization": f"Bearer {emulator.token}"}
    unknown = await _call(emulator, "POST", "/v21.0/123/messages", json={}, headers=auth)
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100
    bad = await _call(emulator, "POST", path, content=b"{", headers=auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100


async def test_a_send_answers_with_the_contact_and_an_accepted_wamid() -> None:
    emulator = _emulator()
    emulator.user_text(SARI, "halo")
    response = await _call(
        emulator,
        "POST",
        f"/v21.0/{emulator.phone_number_id}/messages",
        json={
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+62 812-3456-7890",
            "type": "text",
            "text": {"body": "Halo"},
        },
        headers={"Authorization": f"Bearer {emulator.token}"},
    )
    answer = response.json()
    assert answer["messaging_product"] == "whatsapp"
    assert answer["contacts"] == [{"input": "+62 812-3456-7890", "wa_id": SARI}]
    [message] = answer["messages"]
    assert message["id"].startswith("wamid.") and message["message_status"] == "accepted"


async def test_the_control_surface_acts_as_users_and_as_the_reviewer() -> None:
    emulator = WhatsAppEmulator(clock=SteppedClock(), review_delay=None)

    async def control(action: str, body: dict[str, Any] | None = None) -> Any:
        method = "GET" if body is None else "POST"
        response = await _call(emulator, method, f"/_emulator/{action}", json=body)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    assert (await control("users", {"wa_id": "+6281234567890", "name": "Sari"}))["wa_id"] == SARI
    await control("users", {"wa_id": "6280000000000", "is_user": False})
    inbound = await control("send", {"wa_id": SARI, "text": "halo"})
    assert inbound["text"] == {"body": "halo"}
    graph = f"/v21.0/{emulator.waba_id}/message_templates"
    auth = {"Authorization": f"Bearer {emulator.token}"}
    submitted = await _call(
        emulator,
        "POST",
        graph,
        headers=auth,
        json={
            "name": "jadwal",
            "language": "id",
            "category": "UTILITY",
            "components": [
                {"type": "BODY", "text": "Jadwal {{1}}", "example": {"body_text": [["x"]]}}
            ],
        },
    )
    template_id = submitted.json()["id"]
    assert submitted.json()["status"] == "PENDING"
    approved = await control(f"templates/{template_id}/approve", {})
    assert approved["status"] == "APPROVED"
    listed = (await _call(emulator, "GET", graph, headers=auth)).json()["data"]
    assert [(t["name"], t["status"]) for t in listed] == [("jadwal", "APPROVED")]
    sent = emulator.send({"messaging_product": "whatsapp", "to": SARI, "text": {"body": "x"}})
    assert await control("read", {"wa_id": SARI}) == 1
    [chat] = await control(f"chats/{SARI}")
    assert [s["status"] for s in chat["statuses"]] == ["sent", "delivered", "read"]
    assert chat["id"] == sent["messages"][0]["id"]
    stats = await control("stats")
    assert stats["accepted"] == 1 and stats["billed"] == {}
    await control("faults", {"path": "messages", "status": 502})
    faulty = await _call(
        emulator,
        "POST",
        f"/v21.0/{emulator.phone_number_id}/messages",
        headers=auth,
        json={"messaging_product": "whatsapp", "to": SARI},
    )
    assert faulty.status_code == 502
    refused = await _call(
        emulator,
        "POST",
        "/_emulator/press",
        json={"wa_id": SARI, "message_id": "wamid.none", "button_id": "x"},
    )
    assert refused.status_code == 400
    assert (await _call(emulator, "GET", "/_emulator/nothing")).status_code == 404


def test_the_webhook_body_is_the_cloud_api_envelope() -> None:
    emulator = _emulator()
    emulator.user_text(SARI, "halo")
    [event] = emulator.take_events()
    decoded = json.loads(encode(event))
    [entry] = decoded["entry"]
    [change] = entry["changes"]
    assert decoded["object"] == "whatsapp_business_account" and entry["id"] == emulator.waba_id
    assert change["field"] == "messages"
    assert change["value"]["metadata"] == {
        "display_phone_number": emulator.display_phone_number,
        "phone_number_id": emulator.phone_number_id,
    }
    assert change["value"]["contacts"] == [{"profile": {"name": "Sari"}, "wa_id": SARI}]
