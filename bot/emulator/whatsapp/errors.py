"""Graph API errors as the Cloud API words them: codes, titles, and the two places they appear
(a call's error response, or a `failed` status on the webhook)."""

from __future__ import annotations

import secrets
from typing import Any

Json = dict[str, Any]

# Code -> title, as Meta's error-code reference names them. The title travels in `message`
# ("(#131009) Parameter value is not valid") and, on a webhook, in `title` and `message`.
TITLES = {
    0: "AuthException",
    2: "Service temporarily unavailable",
    100: "Invalid parameter",
    190: "Access token has expired",
    130429: "Rate limit hit",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131048: "Spam rate limit hit",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
}

# The webhook's `details` for the failures the emulator reports there.
DETAILS = {
    131026: "Message Undeliverable.",
    131047: (
        "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number."
    ),
    131048: (
        "Message failed to send because there are restrictions on how many messages can be "
        "sent from this phone number."
    ),
}


def trace_id() -> str:
    return "A" + secrets.token_urlsafe(16)


class GraphError(Exception):
    """A refused call: its HTTP status and the `error` object the Graph API answers."""

    def __init__(self, code: int, details: str = "", *, status: int = 400) -> None:
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details
        self.status = status

    def as_json(self) -> Json:
        title = TITLES.get(self.code, "Unknown error")
        if self.code == 190:  # an OAuth error carries no WhatsApp error_data
            return {
                "error": {
                    "message": "Error validating access token: the session is invalid.",
                    "type": "OAuthException",
                    "code": 190,
                    "fbtrace_id": trace_id(),
                }
            }
        error: Json = {
            "message": f"(#{self.code}) {title}",
            "type": "OAuthException",
            "code": self.code,
            "error_data": {"messaging_product": "whatsapp", "details": self.details or title},
            "fbtrace_id": trace_id(),
        }
        return {"error": error}


def webhook_error(code: int) -> Json:
    """One entry of a failed status's `errors`."""
    title = TITLES.get(code, "Unknown error")
    return {
        "code": code,
        "title": title,
        "message": title,
        "error_data": {"details": DETAILS.get(code, title)},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
