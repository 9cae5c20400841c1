"""The WhatsApp webhook's front end: is this POST from Meta, the subscription handshake, and
what a payload says, as frozen values.

Meta signs each POST with the app secret (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
raw body>`): the signature is checked over the bytes received, before any JSON is read, and in
constant time. A payload that does not have the Cloud API's shape raises MalformedPayload, so
the caller answers it once and never crashes on a missing key.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.channels.whatsapp.problems import Refusal

SIGNATURE_PREFIX = "sha256="


class MalformedPayload(ValueError):
    """A webhook body that is not what the Cloud API sends; `where` says which part."""

    def __init__(self, where: str) -> None:
        super().__init__(f"malformed WhatsApp webhook payload at {where}")
        self.where = where


@dataclass(frozen=True)
class Reply:
    """Something a user sent: text, a reply button or template quick reply pressed (button_id),
    or a list row picked (list_id); `context_id` is the wamid of our message it answers."""

    wa_id: str
    message_id: str
    at: datetime
    text: str | None = None
    button_id: str | None = None
    list_id: str | None = None
    context_id: str | None = None


@dataclass(frozen=True)
class Unsupported:
    """A message of a kind Rekam does not read (an image, a location, ...)."""

    wa_id: str
    message_id: str
    at: datetime
    kind: str


@dataclass(frozen=True)
class Status:
    """What became of a message we sent: sent, delivered, read, or failed with a problem."""

    message_id: str
    recipient: str
    status: str
    at: datetime
    problem: Refusal | None = None


Inbound = Reply | Unsupported | Status


def verify_signature(app_secret: str, raw_body: bytes, header: str | None) -> bool:
    """Whether `header` is Meta's signature of exactly `raw_body` with `app_secret`."""
    if not app_secret or not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix(SIGNATURE_PREFIX).strip().lower())


def challenge(params: Mapping[str, str], verify_token: str) -> str | None:
    """The `hub.challenge` to echo when Meta subscribes with our verify token, else None (the
    caller answers 403)."""
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    return params.get("hub.challenge") or None


def _field(container: Any, key: str, kind: type, where: str) -> Any:
    if not isinstance(container, dict):
        raise MalformedPayload(where)
    value = container.get(key)
    if not isinstance(value, kind):
        raise MalformedPayload(f"{where}.{key}")
    return value


def _optional(container: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = container.get(key)
    if value is not None and not isinstance(value, kind):
        raise MalformedPayload(f"{where}.{key}")
    return value


def _at(container: dict[str, Any], where: str) -> datetime:
    stamp = _field(container, "timestamp", str, where)
    if not stamp.isdigit():
        raise MalformedPayload(f"{where}.timestamp")
    return datetime.fromtimestamp(int(stamp), UTC)


def parse(payload: object) -> list[Inbound]:
    """Every reply and status in a webhook body, in order. Changes of other fields (template
    reviews, account updates) are not ours to read here and are skipped."""
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        raise MalformedPayload("object")
    found: list[Inbound] = []
    for e, entry in enumerate(_field(payload, "entry", list, "")):
        for c, change in enumerate(_field(entry, "changes", list, f"entry[{e}]")):
            where = f"entry[{e}].changes[{c}]"
            if _field(change, "field", str, where) != "messages":
                continue
            value = _field(change, "value", dict, where)
            for s, item in enumerate(_optional(value, "statuses", list, where) or []):
                found.append(_status(item, f"{where}.statuses[{s}]"))
            for m, item in enumerate(_optional(value, "messages", list, where) or []):
                found.append(_message(item, f"{where}.messages[{m}]"))
    return found


def _status(item: Any, where: str) -> Status:
    message_id = _field(item, "id", str, where)
    problem = None
    errors = _optional(item, "errors", list, where)
    if errors:
        error = errors[0]
        if not isinstance(error, dict):
            raise MalformedPayload(f"{where}.errors[0]")
        code = error.get("code")
        data = error.get("error_data")
        detail = data.get("details") if isinstance(data, dict) else error.get("title")
        problem = Refusal.of(code if isinstance(code, int) else None, str(detail or ""))
    return Status(
        message_id=message_id,
        recipient=_field(item, "recipient_id", str, where),
        status=_field(item, "status", str, where),
        at=_at(item, where),
        problem=problem,
    )


def _message(item: Any, where: str) -> Reply | Unsupported:
    wa_id = _field(item, "from", str, where)
    message_id = _field(item, "id", str, where)
    at = _at(item, where)
    kind = _field(item, "type", str, where)
    context = _optional(item, "context", dict, where)
    context_id = None if context is None else _optional(context, "id", str, f"{where}.context")
    if kind == "text":
        body = _field(_field(item, "text", dict, where), "body", str, f"{where}.text")
        return Reply(wa_id, message_id, at, text=body, context_id=context_id)
    if kind == "button":  # a template's quick-reply button
        button = _field(item, "button", dict, where)
        payload = _field(button, "payload", str, f"{where}.button")
        return Reply(wa_id, message_id, at, button_id=payload, context_id=context_id)
    if kind == "interactive":
        interactive = _field(item, "interactive", dict, where)
        inner = f"{where}.interactive"
        chosen = _field(interactive, "type", str, inner)
        if chosen == "button_reply":
            pressed = _field(
                _field(interactive, chosen, dict, inner), "id", str, f"{inner}.{chosen}"
            )
            return Reply(wa_id, message_id, at, button_id=pressed, context_id=context_id)
        if chosen == "list_reply":
            picked = _field(
                _field(interactive, chosen, dict, inner), "id", str, f"{inner}.{chosen}"
            )
            return Reply(wa_id, message_id, at, list_id=picked, context_id=context_id)
        return Unsupported(wa_id, message_id, at, f"interactive/{chosen}")
    return Unsupported(wa_id, message_id, at, kind)
