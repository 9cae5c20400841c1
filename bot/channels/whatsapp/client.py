"""Sending on WhatsApp: a thin async client for the few Cloud API calls Rekam makes.

pywa was read and not used (docs/whatsapp.md): its GraphAPI sets the session's base URL to
https://graph.facebook.com itself, so pointing it at WHATSAPP_API_URL (the emulator, a proxy)
means writing a private attribute after construction, and its answers are its own exception
tree. Rekam needs five endpoints and a verdict it can store, so this is httpx and nothing else.

A send returns `Sent` or a `Refusal`, never raises for a refusal: the outbox records either.
A `Sent` means *accepted*; whether it arrived comes later as a `Status` on the webhook
(inbound.py), with the same problems. A timeout is a SERVER refusal that may still have been
accepted: retry it only where a duplicate is harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, NamedTuple

import httpx

from bot.channels.whatsapp.problems import Refusal, RefusedError, WhatsAppProblem

Json = dict[str, Any]
DEFAULT_VERSION = "v21.0"


@dataclass(frozen=True)
class Sent:
    """A message WhatsApp accepted: its wamid, to match statuses and replies against."""

    message_id: str
    wa_id: str


class Button(NamedTuple):
    """A reply button: the id comes back when pressed; the title (≤ 20 chars) is shown."""

    id: str
    title: str


@dataclass(frozen=True)
class Row:
    """A list row: the id comes back when picked; title ≤ 24, description ≤ 72 chars."""

    id: str
    title: str
    description: str | None = None


@dataclass(frozen=True)
class Section:
    title: str
    rows: Sequence[Row]


@dataclass(frozen=True)
class TemplateInfo:
    id: str
    name: str
    language: str
    status: str
    category: str


def _error_refusal(response: httpx.Response) -> Refusal:
    """The Graph error in `response`, read without trusting its shape."""
    try:
        payload = response.json()
    except ValueError:
        payload = None
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return Refusal.of(None, f"HTTP {response.status_code}", response.status_code)
    code = error.get("code")
    data = error.get("error_data")
    details = data.get("details") if isinstance(data, dict) else None
    return Refusal.of(
        code if isinstance(code, int) else None,
        str(details or error.get("message") or ""),
        response.status_code,
    )


class WhatsAppClient:
    """One business phone number's sender (and, with `waba_id`, its templates).

    `http` is an httpx client of the caller's (the in-process emulator's, in tests); without
    one the client makes and closes its own.
    """

    def __init__(
        self,
        api_url: str,
        phone_id: str,
        token: str,
        *,
        waba_id: str | None = None,
        version: str = DEFAULT_VERSION,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.phone_id = phone_id
        self.waba_id = waba_id
        self._base = f"{api_url.rstrip('/')}/{version}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._own = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout))

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def __aenter__(self) -> WhatsAppClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- sending --------------------------------------------------------------------------

    async def send_text(self, to: str, body: str, *, preview_url: bool = False) -> Sent | Refusal:
        """Free-form text: only inside the user's 24-hour window."""
        return await self._send(to, "text", {"text": {"body": body, "preview_url": preview_url}})

    async def send_buttons(
        self, to: str, body: str, buttons: Sequence[tuple[str, str]]
    ) -> Sent | Refusal:
        """Text with up to three reply buttons, given as (id, title)."""
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": button_id, "title": title}}
                for button_id, title in buttons
            ]
        }
        interactive = {"type": "button", "body": {"text": body}, "action": action}
        return await self._send(to, "interactive", {"interactive": interactive})

    async def send_list(
        self, to: str, body: str, button: str, sections: Sequence[Section]
    ) -> Sent | Refusal:
        """Text with a menu (`button` opens it) of up to ten rows in all."""
        action = {
            "button": button,
            "sections": [
                {
                    "title": section.title,
                    "rows": [
                        {"id": row.id, "title": row.title}
                        | ({"description": row.description} if row.description else {})
                        for row in section.rows
                    ],
                }
                for section in sections
            ],
        }
        interactive = {"type": "list", "body": {"text": body}, "action": action}
        return await self._send(to, "interactive", {"interactive": interactive})

    async def send_template(
        self, to: str, name: str, language: str, params: Sequence[str] = ()
    ) -> Sent | Refusal:
        """An approved template: the only kind allowed outside the window."""
        template: Json = {"name": name, "language": {"code": language}}
        if params:
            parameters = [{"type": "text", "text": value} for value in params]
            template["components"] = [{"type": "body", "parameters": parameters}]
        return await self._send(to, "template", {"template": template})

    async def _send(self, to: str, kind: str, content: Json) -> Sent | Refusal:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": kind,
            **content,
        }
        url = f"{self._base}/{self.phone_id}/messages"
        try:
            response = await self._http.post(url, json=body, headers=self._headers)
        except httpx.TimeoutException:
            return Refusal(WhatsAppProblem.SERVER, None, "timeout: may have been accepted")
        except httpx.TransportError as error:
            return Refusal(WhatsAppProblem.SERVER, None, type(error).__name__)
        if response.status_code >= 400:
            return _error_refusal(response)
        try:
            answer = response.json()
            return Sent(str(answer["messages"][0]["id"]), str(answer["contacts"][0]["wa_id"]))
        except (ValueError, KeyError, IndexError, TypeError):
            return Refusal(WhatsAppProblem.SERVER, None, "an answer without a message id")

    # --- templates ------------------------------------------------------------------------

    def _templates_url(self) -> str:
        if self.waba_id is None:
            raise ValueError("templates belong to a WhatsApp Business Account: give waba_id")
        return f"{self._base}/{self.waba_id}/message_templates"

    async def _call(self, method: str, url: str, body: Json | None = None) -> Json:
        try:
            response = await self._http.request(method, url, json=body, headers=self._headers)
        except httpx.HTTPError as error:
            raise RefusedError(
                Refusal(WhatsAppProblem.SERVER, None, type(error).__name__)
            ) from error
        if response.status_code >= 400:
            raise RefusedError(_error_refusal(response))
        answer = response.json()
        if not isinstance(answer, dict):
            raise RefusedError(Refusal(WhatsAppProblem.SERVER, None, "not a JSON object"))
        return answer

    async def list_templates(self) -> list[TemplateInfo]:
        """Every template of the account, with its review status."""
        answer = await self._call("GET", self._templates_url())
        return [
            TemplateInfo(
                str(item["id"]),
                str(item["name"]),
                str(item["language"]),
                str(item["status"]),
                str(item["category"]),
            )
            for item in answer.get("data", [])
        ]

    async def submit_template(
        self,
        name: str,
        language: str,
        body_text: str,
        example: Sequence[str] = (),
        *,
        category: str = "UTILITY",
    ) -> TemplateInfo:
        """Submit a template for review; `example` gives one value per `{{n}}` of the body."""
        component: Json = {"type": "BODY", "text": body_text}
        if example:
            component["example"] = {"body_text": [list(example)]}
        body = {"name": name, "language": language, "category": category, "components": [component]}
        answer = await self._call("POST", self._templates_url(), body)
        return TemplateInfo(
            str(answer["id"]), name, language, str(answer["status"]), str(answer["category"])
        )
