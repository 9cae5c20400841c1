"""The emulator as an ASGI application: in-process through httpx, or on a loopback port."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from bot.emulator.methods import ApiError, Params, Upload, call
from bot.emulator.state import Fault, Json, TelegramEmulator

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


async def respond(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _params(request: Request) -> Params:
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    if request.method != "POST":
        return Params(values)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            parsed = json.loads(body)
            if not isinstance(parsed, dict):
                raise ApiError(400, "Bad Request: the request body must be a JSON object")
            values.update(parsed)
    elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        async with request.form(max_part_size=50 * 1024 * 1024) as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    uploads[key] = Upload(
                        value.filename or key, await value.read(), value.content_type or ""
                    )
                else:
                    values[key] = value
    return Params(values, uploads)


async def _press_at_rate(emulator: TelegramEmulator, presses: list[Json], rate: float) -> list[str]:
    """Press each button at its time (all at once with rate 0); the callback query ids.
    Paced in the emulator's process, so a benchmark's load costs the bot nothing."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    ids = []
    for index, press in enumerate(presses):
        if rate > 0 and (delay := started + index / rate - loop.time()) > 0:
            await asyncio.sleep(delay)
        ids.append(
            emulator.press(int(press["chat_id"]), int(press["message_id"]), str(press["data"]))
        )
    return ids


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


class EmulatorApp:
    """Routes /bot<token>/<method> to the API and /_emulator/... to the control surface."""

    def __init__(self, emulator: TelegramEmulator) -> None:
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        request = Request(scope, receive)
        if path.startswith("/_emulator/"):
            await self._control(request, path.removeprefix("/_emulator/"), send)
            return
        token, _, method_name = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or token != self.emulator.token:
            await respond(
                send, 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
            )
            return
        latency = self.emulator.latency
        if latency.enabled:  # on its way to "Telegram": counted only when it arrives
            await asyncio.sleep(latency.one_way())
        status, payload = await self._answer(method_name, request)
        if latency.enabled:  # and the answer's way back
            await asyncio.sleep(latency.one_way())
        await respond(send, status, payload)

    async def _answer(self, method_name: str, request: Request) -> tuple[int, Any]:
        fault = self.emulator.take_fault(method_name)
        if fault is not None:
            await asyncio.sleep(fault.delay)
            if fault.status is not None:
                description = "Bad Gateway" if fault.status == 502 else "Internal Server Error"
                return fault.status, {
                    "ok": False,
                    "error_code": fault.status,
                    "description": description,
                }
        try:
            result = await call(self.emulator, method_name, await _params(request))
        except ApiError as error:
            return error.code, error.as_json()
        except ValueError:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: can't parse request body",
            }
        return 200, {"ok": True, "result": result}

    async def _control(self, request: Request, action: str, send: Send) -> None:
        """A small surface for other processes (benchmarks, fault tests) to act as users."""
        emulator = self.emulator
        body: Json = await request.json() if request.method == "POST" else {}
        if action == "stats":
            payload: Any = {
                **emulator.limiter.stats.as_dict(),
                # Messages a second from the 200th arrival on: past a sender's opening burst.
                "steady_rate": _finite(emulator.limiter.stats.steady_rate(skip=200)),
                "calls": emulator.method_calls,
                "pending_updates": emulator.pending_updates,
            }
        elif action == "users":
            payload = [
                emulator.add_user(
                    str(body.get("first_name", "User")),
                    language_code=str(body.get("language_code", "id")),
                    started=bool(body.get("started", True)),
                )
                for _ in range(int(body.get("count", 1)))
            ]
        elif action == "send":  # with when it was sent, in the emulator's clock
            payload = {
                **emulator.user_message(int(body["chat_id"]), text=str(body["text"])),
                "sent_at": time.monotonic(),
            }
        elif action == "press":
            payload = {
                "callback_query_id": emulator.press(
                    int(body["chat_id"]), int(body["message_id"]), str(body["data"])
                )
            }
        elif action == "presses":  # many presses at `rate` per second, paced here
            payload = await _press_at_rate(emulator, body["presses"], float(body.get("rate", 0)))
        elif action == "answers":  # press-to-answer seconds of the given callback queries
            payload = {}
            for query_id in body.get("ids", []):
                query = emulator.callback_queries.get(str(query_id))
                if query is not None and query.answered_at is not None:
                    payload[str(query_id)] = query.answered_at - query.pressed_at
        elif action == "webhook_targets":  # spread webhook deliveries over these (benchmarks)
            emulator.webhook_targets = [str(url) for url in body.get("urls", [])]
            payload = True
        elif action == "faults":
            self.emulator.inject(
                Fault(
                    str(body["method"]),
                    int(body.get("count", 1)),
                    body.get("status", 502),
                    float(body.get("delay", 0.0)),
                )
            )
            payload = True
        elif action == "block":
            emulator.set_blocked(int(body["chat_id"]), bool(body.get("blocked", True)))
            payload = True
        elif action.startswith("chats/"):
            chat = emulator.chats.get(int(action.removeprefix("chats/")))
            payload = (
                []
                if chat is None
                else [
                    {"seq": seq, "kind": kind, "payload": item, "at": chat.stamps.get(seq)}
                    for seq, kind, item in chat.activity
                ]
            )
        else:
            await respond(send, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        await respond(send, 200, {"ok": True, "result": payload})


async def serve(emulator: TelegramEmulator, host: str = "127.0.0.1", port: int = 8081) -> None:
    """Serve the emulator on a loopback port until cancelled."""
    await serve_app(EmulatorApp(emulator), host, port)


async def serve_app(app: Any, host: str, port: int) -> None:
    """Any of the emulators' ASGI apps (Telegram's, WhatsApp's, the SMS gateway's) on a
    loopback port until cancelled."""
    import uvicorn

    from bot.logs import route_uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="on",
        log_config=None,  # its loggers write through the redacting one (bot/logs.py)
    )
    route_uvicorn()
    await uvicorn.Server(config).serve()
