"""WhatsApp's webhook: the subscription handshake (GET, hub.challenge with our verify token)
and its events (POST, signed with the app secret over the exact body). A message is read as an
answer once (its wamid marks it seen); a status updates the message it is about."""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.channels.whatsapp.inbound import (
    MalformedPayload,
    Reply,
    Status,
    challenge,
    parse,
    verify_signature,
)
from bot.channels.whatsapp.problems import WhatsAppProblem
from bot.domain.kinds import Channel
from bot.domain.phones import PhoneError, normalise
from bot.inbound.heard import Inbound, heard
from bot.services import deliveries

log = logging.getLogger(__name__)
MOST_BODY = 256 * 1024  # Meta's webhook bodies are a few kilobytes


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else ""


async def subscribe(request: Request) -> Response:
    """GET: Meta checks the webhook is ours before it sends anything."""
    inbound: Inbound = request.app.state.inbound
    answer = challenge(request.query_params, _secret(inbound.settings.whatsapp_verify_token))
    if answer is None:
        return PlainTextResponse("forbidden", status_code=403)
    return PlainTextResponse(answer)


async def receive(request: Request) -> Response:
    """POST: messages people wrote, and statuses of ours."""
    inbound: Inbound = request.app.state.inbound
    body = await request.body()
    if len(body) > MOST_BODY:
        return PlainTextResponse("too large", status_code=413)
    secret = _secret(inbound.settings.whatsapp_app_secret)
    if not verify_signature(secret, body, request.headers.get("X-Hub-Signature-256")):
        return PlainTextResponse("forbidden", status_code=403)
    try:
        items = parse(json.loads(body))
    except (ValueError, MalformedPayload):
        return PlainTextResponse("bad request", status_code=400)
    for item in items:
        if isinstance(item, Reply):
            await _reply(inbound, item)
        elif isinstance(item, Status):
            await _status(inbound, item)
    return PlainTextResponse("ok")


async def _reply(inbound: Inbound, reply: Reply) -> None:
    try:
        number = normalise("+" + reply.wa_id)
    except PhoneError:
        return
    await heard(
        inbound,
        Channel.WHATSAPP,
        number,
        reply.text,
        reply.button_id or reply.list_id,
        reply.at,
        seen=f"wa:{reply.message_id}",
    )


async def _status(inbound: Inbound, status: Status) -> None:
    if not deliveries.worth_writing(Channel.WHATSAPP, status.status):
        return
    problem = status.problem
    now = inbound.clock.now()
    async with inbound.db.session() as session:
        key = f"wa-status:{status.message_id}:{status.status}"
        if not await deliveries.first_time(session, key, now):
            return
        await deliveries.status(
            session,
            Channel.WHATSAPP,
            status.message_id,
            status.status,
            now=now,
            why=f"{problem.problem.value} ({problem.code})" if problem is not None else "",
            passes=problem is not None and problem.retryable,
            not_a_user=problem is not None and problem.problem == WhatsAppProblem.NOT_A_USER,
            closed_window=problem is not None and problem.problem == WhatsAppProblem.OUTSIDE_WINDOW,
        )
