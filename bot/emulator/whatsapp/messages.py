"""Checking a `/messages` body as the Cloud API does, before anything is accepted.

A missing field answers 131008, a value out of range (a fourth button, an eleventh row) 131009,
and a string over its length or an unknown kind 100, each as the Graph API words it. Only the
kinds Rekam sends are modelled: text, template and interactive (button, list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.emulator.whatsapp.errors import GraphError, Json

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
BUTTONS_MAX = 3
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
LIST_BUTTON_MAX = 20
ROWS_MAX = 10
SECTIONS_MAX = 10
ROW_TITLE_MAX = 24
ROW_ID_MAX = 200
ROW_DESCRIPTION_MAX = 72
SECTION_TITLE_MAX = 24
_WA_ID = re.compile(r"^\+?[0-9][0-9 \-()]{4,20}$")


@dataclass(frozen=True)
class Outgoing:
    """What a valid body asks for: free-form (text, interactive) or a template."""

    to: str
    kind: str
    free_form: bool
    template: str | None = None
    language: str | None = None
    params: int = 0


def _missing(path: str) -> GraphError:
    return GraphError(131008, f"The parameter {path} is required.")


def _too_long(path: str, limit: int) -> GraphError:
    return GraphError(100, f"Param {path} must be at most {limit} characters long.")


def _text(value: Any, path: str, limit: int) -> str:
    if value is None or value == "":
        raise _missing(path)
    if not isinstance(value, str):
        raise GraphError(131009, f"Param {path} must be a string.")
    if len(value) > limit:
        raise _too_long(path, limit)
    return value


def _object(value: Any, path: str) -> Json:
    if value is None:
        raise _missing(path)
    if not isinstance(value, dict):
        raise GraphError(131009, f"Param {path} must be a JSON object.")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if value is None:
        raise _missing(path)
    if not isinstance(value, list):
        raise GraphError(131009, f"Param {path} must be an array.")
    return value


def wa_id(to: str) -> str:
    """The WhatsApp id of a phone number: its digits, with no plus."""
    return re.sub(r"\D", "", to)


def check(body: Json) -> Outgoing:
    """The body's meaning, or the GraphError the Cloud API would answer."""
    if body.get("messaging_product") != "whatsapp":
        raise GraphError(100, "The parameter messaging_product is required.")
    if body.get("recipient_type", "individual") != "individual":
        raise GraphError(100, "Param recipient_type must be one of {individual}.")
    to = body.get("to")
    if not isinstance(to, str) or not _WA_ID.match(to):
        raise (
            GraphError(100, "The parameter to is required.")
            if not to
            else GraphError(131009, "Param to is not a valid phone number.")
        )
    kind = body.get("type", "text")
    if kind == "text":
        text = _object(body.get("text"), "text")
        _text(text.get("body"), "text['body']", TEXT_MAX)
        return Outgoing(to=to, kind="text", free_form=True)
    if kind == "interactive":
        _interactive(_object(body.get("interactive"), "interactive"))
        return Outgoing(to=to, kind="interactive", free_form=True)
    if kind == "template":
        return _template(to, _object(body.get("template"), "template"))
    raise GraphError(100, f"Param type must be one of the supported message types, not {kind}.")


def _interactive(interactive: Json) -> None:
    kind = interactive.get("type")
    body = _object(interactive.get("body"), "interactive['body']")
    _text(body.get("text"), "interactive['body']['text']", INTERACTIVE_BODY_MAX)
    action = _object(interactive.get("action"), "interactive['action']")
    if kind == "button":
        _buttons(_list(action.get("buttons"), "interactive['action']['buttons']"))
    elif kind == "list":
        _sections(action)
    elif kind is None:
        raise _missing("interactive['type']")
    else:
        raise GraphError(
            100, f"Param interactive['type'] must be one of {{button, list}}, not {kind}."
        )


def _buttons(buttons: list[Any]) -> None:
    if not 1 <= len(buttons) <= BUTTONS_MAX:
        raise GraphError(
            131009, f"Param interactive['action']['buttons'] must have 1 to {BUTTONS_MAX} items."
        )
    ids = set()
    for index, button in enumerate(buttons):
        path = f"interactive['action']['buttons'][{index}]"
        button = _object(button, path)
        if button.get("type", "reply") != "reply":
            raise GraphError(100, f"Param {path}['type'] must be one of {{reply}}.")
        reply = _object(button.get("reply"), f"{path}['reply']")
        ids.add(_text(reply.get("id"), f"{path}['reply']['id']", BUTTON_ID_MAX))
        _text(reply.get("title"), f"{path}['reply']['title']", BUTTON_TITLE_MAX)
    if len(ids) != len(buttons):
        raise GraphError(131009, "Buttons must have unique ids.")


def _sections(action: Json) -> None:
    _text(action.get("button"), "interactive['action']['button']", LIST_BUTTON_MAX)
    sections = _list(action.get("sections"), "interactive['action']['sections']")
    if not 1 <= len(sections) <= SECTIONS_MAX:
        raise GraphError(
            131009, f"Param interactive['action']['sections'] must have 1 to {SECTIONS_MAX} items."
        )
    ids: set[str] = set()
    rows_seen = 0
    for index, section in enumerate(sections):
        path = f"interactive['action']['sections'][{index}]"
        section = _object(section, path)
        if len(sections) > 1:  # one section may go untitled; several must say what they hold
            _text(section.get("title"), f"{path}['title']", SECTION_TITLE_MAX)
        rows = _list(section.get("rows"), f"{path}['rows']")
        for number, row in enumerate(rows):
            row_path = f"{path}['rows'][{number}]"
            row = _object(row, row_path)
            ids.add(_text(row.get("id"), f"{row_path}['id']", ROW_ID_MAX))
            _text(row.get("title"), f"{row_path}['title']", ROW_TITLE_MAX)
            if row.get("description") is not None:
                _text(row["description"], f"{row_path}['description']", ROW_DESCRIPTION_MAX)
        rows_seen += len(rows)
    if not 1 <= rows_seen <= ROWS_MAX:
        raise GraphError(131009, f"Total row count must be between 1 and {ROWS_MAX}.")
    if len(ids) != rows_seen:
        raise GraphError(131009, "Row ids must be unique.")


def _template(to: str, template: Json) -> Outgoing:
    name = _text(template.get("name"), "template['name']", 512)
    language = template.get("language")
    code = _object(language, "template['language']").get("code")
    code = _text(code, "template['language']['code']", 15)
    params = 0
    for index, component in enumerate(template.get("components") or []):
        component = _object(component, f"template['components'][{index}]")
        if str(component.get("type", "")).lower() == "body":
            values = _list(
                component.get("parameters"), f"template['components'][{index}]['parameters']"
            )
            for number, value in enumerate(values):
                path = f"template['components'][{index}]['parameters'][{number}]"
                value = _object(value, path)
                if value.get("type") == "text":
                    _text(value.get("text"), f"{path}['text']", 32_768)
            params += len(values)
    return Outgoing(
        to=to, kind="template", free_form=False, template=name, language=code, params=params
    )
