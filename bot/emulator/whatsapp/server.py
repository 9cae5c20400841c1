"""The Cloud API emulator as an ASGI application: in-process through httpx, or on a loopback port.

`/{version}/{phone_number_id}/messages` and `/{version}/{waba_id}/message_templates` answer as
the Graph API does; `/_emulator/...` is the control surface other processes use to act as the
people on WhatsApp and as Meta's template reviewer.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
from starlette.requests import Request

# The Telegram emulator's ASGI plumbing and timed transport serve this one unchanged.
from bot.emulator.server import Receive, Scope, Send, respond, serve_app
from bot.emulator.transport import TimedASGITransport
from bot.emulator.whatsapp.errors import GraphError, Json, trace_id
from bot.emulator.whatsapp.state import Fault, WebhookConfig, WhatsAppEmulator
from bot.emulator.whatsapp.webhook import subscribe, verify

_GRAPH_PATH = re.compile(r"^/v\d+\.\d+/(?P<node>[^/]+)/(?P<edge>messages|message_templates)$")
IN_PROCESS_API_URL = "http://graph.emulator.invalid"


def _unsupported(request: Request) -> Json:
    return {
        "error": {
            "message": (
                f"Unsupported {request.method.lower()} request. Object with ID "
                f"'{request.url.path.strip('/')}' does not exist, cannot be loaded due to "
                "missing permissions, or does not support this operation."
            ),
            "type": "GraphMethodException",
            "code": 100,
            "error_subcode": 33,
            "fbtrace_id": trace_id(),
        }
    }


class WhatsAppEmulatorApp:
    """Routes the Graph endpoints Rekam uses and the /_emulator/ control surface."""

    def __init__(self, emulator: WhatsAppEmulator) -> None:
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
        if path.startswith("/_emulator/"):
            status, payload = await self._control(request, path.removeprefix("/_emulator/"))
            await respond(send, status, payload)
            return
        latency = self.emulator.latency
        if latency.enabled:  # on its way to Meta: judged only when it arrives
            await asyncio.sleep(latency.one_way())
        status, payload = await self._graph(request, path)
        if latency.enabled:
            await asyncio.sleep(latency.one_way())
        await respond(send, status, payload)

    async def _graph(self, request: Request, path: str) -> tuple[int, Any]:
        emulator = self.emulator
        if request.headers.get("authorization") != f"Bearer {emulator.token}":
            return 401, GraphError(190, status=401).as_json()
        match = _GRAPH_PATH.match(path)
        if match is None:
            return 400, _unsupported(request)
        node, edge = match["node"], match["edge"]
        owner = emulator.phone_number_id if edge == "messages" else emulator.waba_id
        if node != owner or (edge == "messages" and request.method != "POST"):
            return 400, _unsupported(request)
        fault = emulator.take_fault(edge)
        if fault is not None:
            await asyncio.sleep(fault.delay)
            if fault.status is not None:
                return fault.status, GraphError(2, "Service temporarily unavailable").as_json()
        try:
            if request.method == "GET":
                templates = [t.as_json() for t in emulator.templates.all()]
                return 200, {"data": templates, "paging": {"cursors": {"before": "", "after": ""}}}
            body = await _json_body(request)
            if edge == "messages":
                return 200, emulator.send(body)
            template = emulator.templates.submit(body)
            return 200, {
                "id": template.id,
                "status": template.status,
                "category": template.category,
            }
        except GraphError as error:
            return error.status, error.as_json()

    async def _control(self, request: Request, action: str) -> tuple[int, Any]:
        """Acting as the people on WhatsApp, Meta's reviewer, and a fault."""
        emulator = self.emulator
        try:
            body: Json = await request.json() if request.method == "POST" else {}
            result = await self._act(emulator, action, body)
        except (KeyError, ValueError, TypeError) as problem:
            return 400, {"ok": False, "description": str(problem)}
        if result is _NOT_FOUND:
            return 404, {"ok": False, "description": "Not Found"}
        return 200, {"ok": True, "result": result}

    async def _act(self, emulator: WhatsAppEmulator, action: str, body: Json) -> Any:
        if action == "users":
            contact = emulator.add_user(
                str(body["wa_id"]),
                str(body.get("name", "Pengguna")),
                is_user=bool(body.get("is_user", True)),
            )
            return {"wa_id": contact.wa_id, "name": contact.name, "is_user": contact.is_user}
        if action == "send":
            return emulator.user_text(str(body["wa_id"]), str(body["text"]))
        if action == "press":
            return emulator.press(
                str(body["wa_id"]), str(body["message_id"]), str(body["button_id"])
            )
        if action == "pick":
            return emulator.pick(str(body["wa_id"]), str(body["message_id"]), str(body["row_id"]))
        if action == "quick_reply":
            return emulator.quick_reply(
                str(body["wa_id"]), str(body["message_id"]), str(body["payload"]), str(body["text"])
            )
        if action == "read":
            return emulator.read(str(body["wa_id"]))
        if action.startswith("chats/"):
            chat = emulator.chats.get(action.removeprefix("chats/"), ())
            return [message.as_json() for message in chat]
        if action == "templates":
            return [template.as_json() for template in emulator.templates.all()]
        if (review := re.match(r"^templates/(\d+)/(approve|reject)$", action)) is not None:
            approve = review[2] == "approve"
            reason = str(body.get("reason", "INVALID_FORMAT"))
            return emulator.templates.decide(review[1], approve, reason).as_json()
        if action == "stats":
            return emulator.stats()
        if action == "faults":
            emulator.inject(
                Fault(
                    str(body.get("path", "messages")),
                    int(body.get("count", 1)),
                    body.get("status", 502),
                    float(body.get("delay", 0.0)),
                )
            )
            return True
        if action in ("webhook", "verify"):
            config = WebhookConfig(
                str(body["url"]), str(body["app_secret"]), str(body.get("verify_token", ""))
            )
            if action == "verify":
                return await verify(emulator, config)
            subscribe(emulator, config)
            return True
        return _NOT_FOUND


_NOT_FOUND = object()


async def _json_body(request: Request) -> Json:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise GraphError(100, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise GraphError(100, "The request body must be a JSON object.")
    return body


def in_process_client(
    emulator: WhatsAppEmulator, *, read_timeout: float = 5.0
) -> httpx.AsyncClient:
    """An httpx client whose calls `emulator` answers in this process (base IN_PROCESS_API_URL),
    with a read timeout honoured as a network would."""
    transport = TimedASGITransport(app=WhatsAppEmulatorApp(emulator))
    return httpx.AsyncClient(
        transport=transport,
        base_url=IN_PROCESS_API_URL,
        timeout=httpx.Timeout(5.0, read=read_timeout),
    )


async def serve(emulator: WhatsAppEmulator, host: str = "127.0.0.1", port: int = 8082) -> None:
    """Serve the emulator on a loopback port until cancelled."""
    await serve_app(WhatsAppEmulatorApp(emulator), host, port)
