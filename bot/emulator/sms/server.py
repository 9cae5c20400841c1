"""The SMS gateway emulator as an ASGI application: in-process through httpx, or on a port.

The 3rd-party API answers under `/3rdparty/v1/...` (the cloud's base URL) and at the root (the
phone's own server in local mode), with Basic authentication, as the app routes it: `/message`
and `/messages`, `/webhook` and `/webhooks` are the same. `/_emulator/...` is the control
surface for other processes (benchmarks, the demo): a phone texting the office, a number that
fails, what a number was sent, statistics, faults, a replayed webhook.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx
from starlette.requests import Request

from bot.emulator.server import serve_app
from bot.emulator.sms.state import UNREACHABLE, SmsGatewayEmulator
from bot.emulator.sms.values import ApiError, Fault
from bot.emulator.transport import TimedASGITransport

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

CLOUD_PREFIX = "/3rdparty/v1"
IN_PROCESS_BASE_URL = "http://sms-gateway.invalid/3rdparty/v1"
_REASONS = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


async def _respond(
    send: Send, status: int, payload: Any, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = b"" if status == 204 else json.dumps(payload, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return login, password


async def _body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        raise ApiError(400, "request body is no JSON") from None


class SmsGatewayApp:
    """Routes the 3rd-party API and the `/_emulator/` control surface."""

    def __init__(self, emulator: SmsGatewayEmulator) -> None:
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        path: str = scope["path"]
        try:
            if path.startswith("/_emulator/"):
                status, payload = await self._control(request, path.removeprefix("/_emulator/"))
            else:
                status, payload = await self._api(request, path.removeprefix(CLOUD_PREFIX))
        except ApiError as error:
            status, payload = error.status, {"message": error.message}
        if status == 401:
            realm = [(b"www-authenticate", b'Basic realm="Access to SMS Gateway"')]
            await _respond(send, 401, payload, realm)
            return
        await _respond(send, status, payload)

    async def _api(self, request: Request, path: str) -> tuple[int, Any]:
        emulator = self.emulator
        if path == "/health":
            return 200, {"status": "pass"}
        credentials = _credentials(request)
        if credentials is None or not emulator.authorised(*credentials):
            return 401, {"message": "Unauthorized"}
        if emulator.latency.enabled:  # on its way to the phone
            await asyncio.sleep(emulator.latency.one_way())
        parts = [part for part in path.split("/") if part]
        route = (
            {"message": "messages", "webhook": "webhooks"}.get(parts[0], parts[0]) if parts else ""
        )
        fault = emulator.take_fault(route)
        if fault is not None:
            await asyncio.sleep(fault.delay)
            if fault.status is not None:
                return fault.status, {"message": _REASONS.get(fault.status, "Server Error")}
        answer = self._route(request.method, route, parts[1:], await _body(request))
        if emulator.latency.enabled:  # and back
            await asyncio.sleep(emulator.latency.one_way())
        return answer

    def _route(self, method: str, route: str, rest: list[str], body: Any) -> tuple[int, Any]:
        emulator = self.emulator
        if not isinstance(body, dict):
            raise ApiError(400, "request body must be a JSON object")
        if route == "" and method == "GET":
            return 200, {"status": "ok", "model": "SMS Gateway emulator"}
        if route == "messages" and method == "POST" and not rest:
            return 202, emulator.enqueue(body).as_json(emulator.device_id)
        if route == "messages" and method == "GET" and not rest:
            return 200, [sms.as_json(emulator.device_id) for sms in emulator.messages.values()]
        if route == "messages" and method == "GET" and len(rest) == 1:
            sms = emulator.messages.get(rest[0])
            if sms is None:
                raise ApiError(404, "message not found")
            return 200, sms.as_json(emulator.device_id)
        if route == "webhooks" and method == "GET" and not rest:
            return 200, list(emulator.webhooks.values())
        if route == "webhooks" and method == "POST" and not rest:
            return 201, emulator.put_webhook(body)
        if route == "webhooks" and method == "DELETE" and len(rest) == 1:
            emulator.delete_webhook(rest[0])
            return 204, None
        raise ApiError(404, "Not Found")

    async def _control(self, request: Request, action: str) -> tuple[int, Any]:
        body = await _body(request) if request.method == "POST" else {}
        try:
            return await self._act(action, body)
        except (KeyError, TypeError, ValueError) as error:
            raise ApiError(400, f"bad control call: {error!r}") from None

    async def _act(self, action: str, body: Any) -> tuple[int, Any]:
        emulator = self.emulator
        if action == "inbound":  # a phone texts the office's number
            return 200, {"id": emulator.receive_sms(str(body["phone"]), str(body["text"]))}
        if action == "failing":  # SMS to this number fail (reason null: reachable again)
            emulator.set_failing(str(body["phone"]), body.get("reason", UNREACHABLE))
            return 200, True
        if action.startswith("messages/"):  # what a number was sent, with states
            return 200, emulator.messages_to(action.removeprefix("messages/"))
        if action == "stats":
            return 200, emulator.stats.as_dict()
        if action == "deliveries":  # every webhook delivery and its attempts
            return 200, [delivery.as_json() for delivery in emulator.courier.deliveries]
        if action == "replay":  # the last webhook again, old timestamp and signature
            return 200, {"status": await emulator.courier.replay_last()}
        if action == "faults":
            emulator.inject(
                Fault(
                    str(body.get("route", "*")),
                    int(body.get("count", 1)),
                    body.get("status", 502),
                    float(body.get("delay", 0.0)),
                )
            )
            return 200, True
        raise ApiError(404, "Not Found")


def in_process_transport(
    emulator: SmsGatewayEmulator,
) -> httpx.AsyncBaseTransport:
    """An httpx transport answered by `emulator` in this process, with the client's read
    timeout honoured (the Telegram emulator's network model: the call still completes on the
    "phone" after the client gave up)."""
    return TimedASGITransport(app=SmsGatewayApp(emulator))


async def serve(emulator: SmsGatewayEmulator, host: str = "127.0.0.1", port: int = 8082) -> None:
    """Serve the emulator on a loopback port until cancelled."""
    await serve_app(SmsGatewayApp(emulator), host, port)
