"""What the webhook carries: a sent message with its statuses, and the Cloud API's envelope.

A status reads as Meta's do: `sent` and `delivered` carry the conversation and the pricing
(per-message pricing, "PMP": billable and "regular" for a template outside the window, free
"free_customer_service" otherwise); `failed` carries `errors` with code, title, message and
`error_data.details`, and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.emulator.whatsapp.errors import Json, webhook_error
from bot.emulator.whatsapp.limits import DAY


@dataclass
class OutMessage:
    """A message the business sent, with every status it has had."""

    id: str
    to: str
    body: Json
    category: str
    billable: bool
    statuses: list[tuple[str, float]] = field(default_factory=list)
    error: int | None = None

    def as_json(self) -> Json:
        return {
            "id": self.id,
            "to": self.to,
            "body": self.body,
            "statuses": [{"status": s, "timestamp": at} for s, at in self.statuses],
            "error": self.error,
        }


def status_item(message: OutMessage, status: str, now: float) -> Json:
    """One entry of a webhook's `statuses`."""
    item: Json = {
        "id": message.id,
        "status": status,
        "timestamp": str(int(now)),
        "recipient_id": message.to,
    }
    if status == "failed":
        item["errors"] = [webhook_error(int(message.error or 0))]
        return item
    conversation: Json = {"id": message.id.removeprefix("wamid.")[:32]}
    if status == "sent":
        conversation["expiration_timestamp"] = str(int(now + DAY))
    conversation["origin"] = {"type": message.category}
    item["conversation"] = conversation
    item["pricing"] = {
        "billable": message.billable,
        "pricing_model": "PMP",
        "type": "regular" if message.billable else "free_customer_service",
        "category": message.category,
    }
    return item


def envelope(waba_id: str, display_phone_number: str, phone_number_id: str, value: Json) -> Json:
    """A webhook event of the `messages` field around `value` (statuses, or contacts+messages)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": display_phone_number,
                                "phone_number_id": phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
