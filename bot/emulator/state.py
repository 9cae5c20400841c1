"""The emulator's world: one bot, the users who talk to it, their chats and the update queue."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.latency import NO_LATENCY, Latency
from bot.emulator.limits import Limits, RateLimiter

Json = dict[str, Any]


@dataclass
class StoredFile:
    """A photo or document a bot uploaded."""

    file_id: str
    name: str
    content: bytes
    mime_type: str


@dataclass
class Chat:
    """A private chat between one user and the bot, or a group."""

    id: int
    info: Json
    user: Json | None
    blocked: bool = False
    # A bot may not write first: a user who never opened the chat answers 403.
    started: bool = False
    messages: dict[int, Json] = field(default_factory=dict)
    # The reply keyboard under the text field: chat state, not part of any Message object.
    keyboard: Json | None = None
    # Every bot action in this chat, numbered:
    # (seq, "message" | "edit" | "delete" | "answer", payload).
    activity: list[tuple[int, str, Json]] = field(default_factory=list)
    # When each activity happened (time.monotonic), by its seq: for reply-time benchmarks.
    stamps: dict[int, float] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    next_message_id: int = 1
    seq: int = 0

    def allocate_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def record(self, kind: str, payload: Json, history: int) -> None:
        self.seq += 1
        self.activity.append((self.seq, kind, payload))
        self.stamps[self.seq] = time.monotonic()
        if len(self.activity) > history:
            for seq, _, _ in self.activity[: len(self.activity) - history]:
                self.stamps.pop(seq, None)
            del self.activity[: len(self.activity) - history]
        self.changed.set()


@dataclass
class Fault:
    """A failure to inject: the next `count` calls of `method` answer `status` (5xx), or are
    held for `delay` seconds first (a timeout, for a client with a shorter read timeout)."""

    method: str
    count: int = 1
    status: int | None = 502
    delay: float = 0.0


@dataclass
class CallbackQuery:
    id: str
    chat_id: int
    answered: bool = False
    answer: Json | None = None
    # When the button was pressed and answered (time.monotonic), for latency benchmarks.
    pressed_at: float = field(default_factory=time.monotonic)
    answered_at: float | None = None


class TelegramEmulator:
    """The state behind the emulated Bot API for one bot token.

    `history` bounds what each chat keeps, so a long benchmark does not grow without end.
    """

    def __init__(
        self,
        token: str = "123456:TEST-emulator-token-000000000000000",
        *,
        username: str = "rekam_demo_bot",
        first_name: str = "Rekam",
        limits: Limits | None = None,
        latency: Latency = NO_LATENCY,
        history: int = 500,
    ) -> None:
        self.token = token
        self.history = history
        self.limiter = RateLimiter(limits or Limits())
        # Every Bot API call travels this network both ways; limits are judged on arrival.
        self.latency = latency
        self.bot_user: Json = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.menu_buttons: dict[int | None, Json] = {}
        self.webhook: Json | None = None
        # Delivery to a loopback webhook (bot.emulator.webhook): the task, the updates it holds,
        # and the addresses it spreads them over when a benchmark runs several bot processes
        # (a stand-in for the load balancer in front of them; empty: the webhook's own url).
        self.pusher: asyncio.Task[None] | None = None
        self.delivering = 0
        self.webhook_targets: list[str] = []
        self._next_target = itertools.count()
        self.method_calls: dict[str, int] = {}
        self.faults: list[Fault] = []
        self._updates: deque[Json] = deque()
        self._update_ids = itertools.count(1)
        self._ids = itertools.count(1)
        self._user_ids = itertools.count(700_000_001)
        self._group_ids = itertools.count(1)
        self.updates_waiting = asyncio.Event()
        # The newest update queued, and the newest the bot confirmed (a later getUpdates offset):
        # a polling bot has every update it confirmed in hand, so "has it taken my message" is
        # an event to wait for, not a guess by time.
        self.last_update_id = 0
        self.confirmed_update_id = 0
        self._confirmations = asyncio.Event()
        # The getUpdates call currently allowed to wait; a newer one terminates it (409).
        self.poller: object | None = None

    # --- the world, as the people in it change it -------------------------------------------

    def add_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        language_code: str = "id",
        username: str | None = None,
        user_id: int | None = None,
        started: bool = False,
    ) -> Json:
        """A new Telegram user with a private chat to the bot (opened if `started`)."""
        user_id = user_id if user_id is not None else next(self._user_ids)
        user: Json = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        info = {k: v for k, v in user.items() if k in ("id", "first_name", "last_name", "username")}
        self.chats[user_id] = Chat(
            id=user_id, info={**info, "type": "private"}, user=user, started=started
        )
        return user

    def add_group(self, title: str) -> Chat:
        """A group chat (negative id) the bot is a member of."""
        chat_id = -1_000_000_000_000 - next(self._group_ids)
        chat = Chat(
            id=chat_id,
            info={"id": chat_id, "title": title, "type": "supergroup"},
            user=None,
            started=True,
        )
        self.chats[chat_id] = chat
        return chat

    def set_blocked(self, chat_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to them answer 403."""
        self.chats[chat_id].blocked = blocked

    def inject(self, fault: Fault) -> None:
        """Make the next calls of a method fail (see Fault)."""
        self.faults.append(fault)

    def take_fault(self, method: str) -> Fault | None:
        """The fault that applies to this call of `method`, if any (used once per call)."""
        for fault in self.faults:
            if fault.method.lower() == method.lower() and fault.count > 0:
                fault.count -= 1
                return fault
        return None

    def new_id(self) -> str:
        return f"{next(self._ids):x}{time.monotonic_ns() % 1_000_000:06d}"

    def push_update(self, kind: str, payload: Json) -> Json:
        """Queue an update for the bot (getUpdates)."""
        self.last_update_id = next(self._update_ids)
        update = {"update_id": self.last_update_id, kind: payload}
        self._updates.append(update)
        self.updates_waiting.set()
        return update

    def user_message(self, chat_id: int, **content: Any) -> Json:
        """A message from the user of `chat_id` to the bot (text, contact, ...)."""
        chat = self.chats[chat_id]
        chat.started = True
        message: Json = {
            "message_id": chat.allocate_message_id(),
            "from": chat.user,
            "chat": chat.info,
            "date": int(time.time()),
            **content,
        }
        text = content.get("text")
        if isinstance(text, str) and text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        chat.messages[message["message_id"]] = message
        self.trim(chat)
        self.push_update("message", message)
        return message

    def user_edit(self, chat_id: int, message_id: int, text: str) -> Json:
        """The user edits a message they sent earlier (Telegram sends an edited_message)."""
        chat = self.chats[chat_id]
        message: Json = {**chat.messages[message_id], "text": text, "edit_date": int(time.time())}
        chat.messages[message_id] = message
        self.push_update("edited_message", message)
        return message

    def press(self, chat_id: int, message_id: int, data: str) -> str:
        """The user presses an inline button with callback data `data`; returns the query id."""
        chat = self.chats[chat_id]
        query_id = self.new_id()
        self.callback_queries[query_id] = CallbackQuery(id=query_id, chat_id=chat_id)
        self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": chat.user,
                "message": chat.messages[message_id],
                "chat_instance": str(chat_id),
                "data": data,
            },
        )
        return query_id

    # --- the queue, as the bot reads it -------------------------------------------------------

    def take_updates(self, offset: int | None, limit: int, allowed: list[str] | None) -> list[Json]:
        """Confirm updates below `offset` and return up to `limit` of the rest."""
        if offset is not None and offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        elif offset is not None:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
            if offset - 1 > self.confirmed_update_id:
                self.confirmed_update_id = offset - 1
                self._confirmations.set()
        if allowed:
            kept = [u for u in self._updates if any(kind in u for kind in allowed)]
            self._updates = deque(kept)
        if not self._updates:
            self.updates_waiting.clear()
        return list(itertools.islice(self._updates, limit))

    def drop_updates(self) -> None:
        """Forget every queued update (setWebhook/deleteWebhook with drop_pending_updates)."""
        self._updates.clear()
        self.updates_waiting.clear()

    async def wait_for_updates(self, timeout: float) -> None:
        """Long polling: return when an update is queued or `timeout` passes."""
        if self._updates or timeout <= 0:
            return
        self.updates_waiting.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.updates_waiting.wait(), timeout)

    async def until_confirmed(self, update_id: int | None = None) -> None:
        """Return once the bot has confirmed every update up to `update_id` (by default every
        update queued so far) by polling past it."""
        target = self.last_update_id if update_id is None else update_id
        while self.confirmed_update_id < target:
            self._confirmations.clear()
            await self._confirmations.wait()

    # --- the queue, as a webhook is sent it (bot.emulator.webhook) -----------------------------

    async def next_update(self, allowed: list[str] | None) -> Json:
        """The oldest queued update, waiting for one; kinds outside `allowed` are dropped."""
        while True:
            while not self._updates:
                self.updates_waiting.clear()
                await self.updates_waiting.wait()
            update = self._updates.popleft()
            if not allowed or any(kind in update for kind in allowed):
                return update

    def put_back(self, update: Json) -> None:
        """An update whose delivery was cut off is pending again, first in line."""
        self._updates.appendleft(update)
        self.updates_waiting.set()

    def webhook_target(self, url: str) -> str:
        """Where the next delivery goes: `url`, or the next of `webhook_targets` in turn."""
        if not self.webhook_targets:
            return url
        return self.webhook_targets[next(self._next_target) % len(self.webhook_targets)]

    @property
    def pending_updates(self) -> int:
        return len(self._updates) + self.delivering

    def trim(self, chat: Chat) -> None:
        """Forget the oldest messages of a chat beyond `history`."""
        if len(chat.messages) > self.history:
            for message_id in sorted(chat.messages)[: len(chat.messages) - self.history]:
                del chat.messages[message_id]
