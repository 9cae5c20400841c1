"""The Bot API methods the emulator answers, with Telegram's validation and error wording.

One cohesive registry, kept in one module on purpose: each method is one `@method` entry, and
adding a method is one more."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.html import EntityError, visible_text
from bot.emulator.state import Chat, Json, StoredFile, TelegramEmulator
from bot.emulator.webhook import start_pushing, stop_pushing

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
SENDING_METHODS = {"sendmessage", "sendvenue", "sendlocation", "sendphoto", "senddocument"}


class ApiError(Exception):
    """An answer with ok=false, as Telegram words it."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def as_json(self) -> Json:
        body: Json = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


@dataclass
class Upload:
    name: str
    content: bytes
    mime_type: str


class Params:
    """A method's parameters from a query, a form or a JSON body; objects may come JSON-encoded."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"{name} is empty" if name != "text" else "message text is empty")
            return None
        return str(value)

    def integer(self, name: str, *, required: bool = True) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float:
        try:
            return float(self.values[name])
        except KeyError:
            raise bad_request(f"{name} is empty") from None
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def object(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


Method = Callable[[TelegramEmulator, Params], Awaitable[Any]]
METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        METHODS[name.lower()] = function
        return function

    return register


async def call(emulator: TelegramEmulator, name: str, params: Params) -> Any:
    """Run one API method; raises ApiError for whatever Telegram would refuse."""
    function = METHODS.get(name.lower())
    if function is None:
        raise ApiError(404, "Not Found")
    emulator.method_calls[name] = emulator.method_calls.get(name, 0) + 1
    return await function(emulator, params)


# --- helpers ------------------------------------------------------------------------------------


def _chat_for_sending(emulator: TelegramEmulator, params: Params, *, limited: bool = True) -> Chat:
    raw = params.raw("chat_id")
    if raw is None or raw == "":
        raise bad_request("chat_id is empty")
    try:
        chat_id = int(raw)
    except (TypeError, ValueError):
        raise bad_request("chat not found") from None
    chat = emulator.chats.get(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    if not chat.started:
        raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
    if chat.blocked:
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if limited:
        retry_after = emulator.limiter.acquire(chat_id, paid=params.flag("allow_paid_broadcast"))
        if retry_after is not None:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
    return chat


def _formatted(params: Params, field: str, limit: int, too_long: str) -> str:
    text = params.text(field, required=field == "text") or ""
    mode = (params.text("parse_mode", required=False) or "").upper()
    if mode == "HTML":
        try:
            text = visible_text(text)
        except EntityError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    if field == "text" and not text.strip():
        raise bad_request("message text is empty")
    if len(text) > limit:
        raise bad_request(too_long)
    return text


def _reply_markup(params: Params) -> Json | None:
    markup = params.object("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")
            if not any(k in button for k in ("callback_data", "url", "switch_inline_query")):
                raise bad_request('can\'t find field "callback_data"')
    return markup


def _apply_markup(chat: Chat, message: Json, markup: Json | None) -> None:
    """Telegram's Message carries only inline keyboards; a reply keyboard (or its removal)
    changes what the chat shows under the text field."""
    if markup is None:
        return
    if "inline_keyboard" in markup:
        message["reply_markup"] = markup
    elif "keyboard" in markup:
        chat.keyboard = markup
    elif markup.get("remove_keyboard"):
        chat.keyboard = None


def _deliver(emulator: TelegramEmulator, chat: Chat, content: Json, params: Params) -> Json:
    message: Json = {
        "message_id": chat.allocate_message_id(),
        "from": emulator.bot_user,
        "chat": chat.info,
        "date": int(time.time()),
        **content,
    }
    _apply_markup(chat, message, _reply_markup(params))
    chat.messages[message["message_id"]] = message
    chat.record("message", message, emulator.history)
    emulator.trim(chat)
    return message


def _stored_message(emulator: TelegramEmulator, params: Params, what: str) -> tuple[Chat, Json]:
    if params.raw("inline_message_id") is not None:
        raise bad_request("inline messages are not supported by the emulator")
    chat = _chat_for_sending(emulator, params, limited=False)
    message_id = params.integer("message_id")
    message = chat.messages.get(message_id or 0)
    if message is None or message["from"].get("id") != emulator.bot_user["id"]:
        raise bad_request(f"message to {what} not found")
    return chat, message


def _upload(
    emulator: TelegramEmulator, params: Params, field: str, default_mime: str
) -> StoredFile:
    value = params.raw(field)
    if isinstance(value, str) and value.startswith("attach://"):
        upload = params.uploads.get(value.removeprefix("attach://"))
    else:
        upload = params.uploads.get(field)
    if upload is not None:
        stored = StoredFile(
            emulator.new_id(), upload.name, upload.content, upload.mime_type or default_mime
        )
        emulator.files[stored.file_id] = stored
        return stored
    if isinstance(value, str) and value in emulator.files:
        return emulator.files[value]
    raise bad_request(f"there is no {field} in the request")


# --- methods ----------------------------------------------------------------------------------


@method("getMe")
async def get_me(emulator: TelegramEmulator, params: Params) -> Json:
    return emulator.bot_user


@method("getUpdates")
async def get_updates(emulator: TelegramEmulator, params: Params) -> list[Json]:
    if emulator.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.integer("offset", required=False)
    limit = min(max(params.integer("limit", required=False) or 100, 1), 100)
    timeout = max(params.integer("timeout", required=False) or 0, 0)
    allowed = params.object("allowed_updates")
    updates = emulator.take_updates(offset, limit, allowed)
    if not updates and timeout:
        # Telegram lets one getUpdates wait at a time: a second bot instance polling the same
        # token terminates the first one's request with 409.
        me = object()
        emulator.poller = me
        emulator.updates_waiting.set()  # wake a waiting older poll, so it sees it was replaced
        await asyncio.sleep(0)
        await emulator.wait_for_updates(float(timeout))
        if emulator.poller is not me:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure "
                "that only one bot instance is running",
            )
        updates = emulator.take_updates(None, limit, allowed)
    return updates


@method("setWebhook")
async def set_webhook(emulator: TelegramEmulator, params: Params) -> bool:
    url = params.text("url", required=False) or ""
    if not url:
        emulator.webhook = None
        stop_pushing(emulator)
        return True
    # Telegram wants HTTPS; plain HTTP to this machine is the emulator's allowance.
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise bad_request("bad webhook: HTTPS url must be provided for webhook")
    secret = params.text("secret_token", required=False)
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    connections = params.integer("max_connections", required=False)
    if connections is not None and not 1 <= connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    emulator.webhook = {
        "url": url,
        "secret_token": secret,
        "allowed_updates": params.object("allowed_updates"),
        "max_connections": connections,
    }
    if params.flag("drop_pending_updates"):
        emulator.drop_updates()
    start_pushing(emulator)
    return True


@method("deleteWebhook")
async def delete_webhook(emulator: TelegramEmulator, params: Params) -> bool:
    emulator.webhook = None
    stop_pushing(emulator)
    if params.flag("drop_pending_updates"):
        emulator.drop_updates()
    return True


@method("getWebhookInfo")
async def get_webhook_info(emulator: TelegramEmulator, params: Params) -> Json:
    webhook = emulator.webhook or {}
    return {
        "url": webhook.get("url", ""),
        "has_custom_certificate": False,
        "pending_update_count": emulator.pending_updates,
    }


@method("sendMessage")
async def send_message(emulator: TelegramEmulator, params: Params) -> Json:
    text = _formatted(params, "text", MAX_TEXT, "message is too long")
    chat = _chat_for_sending(emulator, params)
    return _deliver(emulator, chat, {"text": text}, params)


@method("sendLocation")
async def send_location(emulator: TelegramEmulator, params: Params) -> Json:
    location = {"latitude": params.number("latitude"), "longitude": params.number("longitude")}
    if not (-90 <= location["latitude"] <= 90 and -180 <= location["longitude"] <= 180):
        raise bad_request("wrong coordinates")
    chat = _chat_for_sending(emulator, params)
    return _deliver(emulator, chat, {"location": location}, params)


@method("sendVenue")
async def send_venue(emulator: TelegramEmulator, params: Params) -> Json:
    location = {"latitude": params.number("latitude"), "longitude": params.number("longitude")}
    title, address = params.text("title"), params.text("address")
    if not (title or "").strip() or not (address or "").strip():
        raise bad_request("venue title and address must be non-empty")
    chat = _chat_for_sending(emulator, params)
    venue = {"location": location, "title": title, "address": address}
    return _deliver(emulator, chat, {"venue": venue, "location": location}, params)


@method("sendPhoto")
async def send_photo(emulator: TelegramEmulator, params: Params) -> Json:
    caption = _formatted(params, "caption", MAX_CAPTION, "message caption is too long")
    stored = _upload(emulator, params, "photo", "image/png")
    chat = _chat_for_sending(emulator, params)
    size = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_id,
        "width": 512,
        "height": 512,
        "file_size": len(stored.content),
    }
    content: Json = {"photo": [size]}
    if caption:
        content["caption"] = caption
    return _deliver(emulator, chat, content, params)


@method("sendDocument")
async def send_document(emulator: TelegramEmulator, params: Params) -> Json:
    caption = _formatted(params, "caption", MAX_CAPTION, "message caption is too long")
    stored = _upload(emulator, params, "document", "application/octet-stream")
    chat = _chat_for_sending(emulator, params)
    document = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_id,
        "file_name": stored.name,
        "mime_type": stored.mime_type,
        "file_size": len(stored.content),
    }
    content: Json = {"document": document}
    if caption:
        content["caption"] = caption
    return _deliver(emulator, chat, content, params)


NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


def _edited(emulator: TelegramEmulator, chat: Chat, message: Json, markup: Json | None) -> Json:
    """Set the new keyboard (or none), stamp the edit and show it in the chat."""
    if markup is None:
        message.pop("reply_markup", None)
    else:
        message["reply_markup"] = markup
    message["edit_date"] = int(time.time())
    chat.record("edit", message, emulator.history)
    return message


@method("editMessageText")
async def edit_message_text(emulator: TelegramEmulator, params: Params) -> Json:
    chat, message = _stored_message(emulator, params, "edit")
    text = _formatted(params, "text", MAX_TEXT, "MESSAGE_TOO_LONG")
    markup = _reply_markup(params)
    if message.get("text") == text and message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    message["text"] = text
    return _edited(emulator, chat, message, markup)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(emulator: TelegramEmulator, params: Params) -> Json:
    chat, message = _stored_message(emulator, params, "edit")
    markup = _reply_markup(params)
    if message.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    return _edited(emulator, chat, message, markup)


@method("deleteMessage")
async def delete_message(emulator: TelegramEmulator, params: Params) -> bool:
    chat, message = _stored_message(emulator, params, "delete")
    del chat.messages[message["message_id"]]
    chat.record("delete", message, emulator.history)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(emulator: TelegramEmulator, params: Params) -> bool:
    query = emulator.callback_queries.get(params.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text", required=False) or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answered_at = time.monotonic()
    query.answer = {"text": text, "show_alert": params.flag("show_alert")}
    chat = emulator.chats[query.chat_id]
    chat.record("answer", {"callback_query_id": query.id, **query.answer}, emulator.history)
    return True


def _scope_key(params: Params) -> str:
    scope = params.object("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True)


@method("setMyCommands")
async def set_my_commands(emulator: TelegramEmulator, params: Params) -> bool:
    commands = params.object("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 BotCommand")
    for command in commands:
        if not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("command description must be 1-256 characters")
    language = params.text("language_code", required=False) or ""
    emulator.commands[(_scope_key(params), language)] = commands
    return True


@method("getMyCommands")
async def get_my_commands(emulator: TelegramEmulator, params: Params) -> list[Json]:
    language = params.text("language_code", required=False) or ""
    return emulator.commands.get((_scope_key(params), language), [])


@method("deleteMyCommands")
async def delete_my_commands(emulator: TelegramEmulator, params: Params) -> bool:
    language = params.text("language_code", required=False) or ""
    emulator.commands.pop((_scope_key(params), language), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(emulator: TelegramEmulator, params: Params) -> bool:
    chat_id = params.integer("chat_id", required=False)
    button = params.object("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    emulator.menu_buttons[chat_id] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(emulator: TelegramEmulator, params: Params) -> Json:
    chat_id = params.integer("chat_id", required=False)
    return emulator.menu_buttons.get(chat_id, emulator.menu_buttons.get(None, {"type": "default"}))
