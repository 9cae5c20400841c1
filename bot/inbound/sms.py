"""The SMS gateway's webhook: sms:received is what a number wrote, sms:sent, sms:delivered and
sms:failed say what became of ours. Each is signed with SMS_WEBHOOK_KEY over the body and its
timestamp, refused when the timestamp is more than five minutes off (a replay), and counted
once by its event id (the gateway sends the same event again after a failed delivery)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.channels.sms.inbound import PayloadError, Received, StateChanged, parse, verify
from bot.channels.sms.sender import DeliveryState, failure_retryable
from bot.domain.kinds import Channel
from bot.inbound.heard import Inbound, heard
from bot.services import deliveries

MOST_BODY = 64 * 1024
_STATES = {
    DeliveryState.SENT: "sent",
    DeliveryState.DELIVERED: "delivered",
    DeliveryState.FAILED: "failed",
}


async def receive(request: Request) -> Response:
    inbound: Inbound = request.app.state.inbound
    body = await request.body()
    if len(body) > MOST_BODY:
        return PlainTextResponse("too large", status_code=413)
    key = inbound.settings.sms_webhook_key
    signed = verify(
        key.get_secret_value() if key is not None else "",
        body,
        request.headers.get("X-Signature"),
        request.headers.get("X-Timestamp"),
        inbound.clock.now(),
    )
    if not signed:
        return PlainTextResponse("forbidden", status_code=403)
    try:
        envelope = json.loads(body)
        event = parse(envelope if isinstance(envelope, dict) else {})
    except (ValueError, PayloadError):
        return PlainTextResponse("bad request", status_code=400)
    seen = f"sms:{event.event_id}"  # a gateway's retry of a seen event changes nothing
    if isinstance(event, Received):
        if event.phone is not None:
            await heard(inbound, Channel.SMS, event.phone, event.text, None, seen=seen)
        return PlainTextResponse("ok")
    state = _STATES.get(event.state) if isinstance(event, StateChanged) else None
    if state is None or not deliveries.worth_writing(Channel.SMS, state):
        return PlainTextResponse("ok")
    now = inbound.clock.now()
    async with inbound.db.session() as session:
        if not await deliveries.first_time(session, seen, now):
            return PlainTextResponse("ok")
        failed = event.state == DeliveryState.FAILED
        await deliveries.status(
            session,
            Channel.SMS,
            event.message_id,
            state,
            now=now,
            why=event.reason or "",
            passes=failed and failure_retryable(event.reason),
        )
    return PlainTextResponse("ok")
