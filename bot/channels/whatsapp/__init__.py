"""WhatsApp through Meta's Cloud API: a thin sender (client.py) and the webhook's front end
(inbound.py), both speaking in frozen values and one vocabulary of problems (problems.py)."""

from bot.channels.whatsapp.client import Button, Row, Section, Sent, WhatsAppClient
from bot.channels.whatsapp.inbound import (
    Inbound,
    MalformedPayload,
    Reply,
    Status,
    Unsupported,
    challenge,
    parse,
    verify_signature,
)
from bot.channels.whatsapp.problems import Refusal, RefusedError, WhatsAppProblem

__all__ = [
    "Button",
    "Inbound",
    "MalformedPayload",
    "Refusal",
    "RefusedError",
    "Reply",
    "Row",
    "Section",
    "Sent",
    "Status",
    "Unsupported",
    "WhatsAppClient",
    "WhatsAppProblem",
    "challenge",
    "parse",
    "verify_signature",
]
