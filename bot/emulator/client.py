"""Acting as a Telegram user against the emulator: type, press buttons, read what arrived."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bot.emulator.state import Chat, Json, StoredFile, TelegramEmulator

# How long a test waits for the bot by default. Generous, for busy machines: a wait that is met
# returns at once, so a long ceiling costs nothing when the bot answers.
WAIT = 30.0  # seconds


@dataclass(frozen=True)
class Button:
    label: str
    data: str | None
    url: str | None


@dataclass(frozen=True)
class ReceivedMessage:
    """A message from the bot as the user's client shows it (edits applied)."""

    message_id: int
    text: str
    buttons: tuple[Button, ...]
    raw: Json = field(repr=False)
    file: StoredFile | None = field(default=None, repr=False)

    @property
    def venue(self) -> Json | None:
        venue = self.raw.get("venue")
        return venue if isinstance(venue, dict) else None

    @property
    def keyboard(self) -> tuple[str, ...]:
        """Labels of a reply keyboard (the buttons under the text field), if any."""
        markup = self.raw.get("reply_markup") or {}
        return tuple(
            str(b.get("text", b)) if isinstance(b, dict) else str(b)
            for row in markup.get("keyboard", [])
            for b in row
        )

    def button(self, label: str) -> Button:
        """The inline button whose label starts with (or, failing that, contains) `label`."""
        for match in (str.startswith, str.__contains__):
            for button in self.buttons:
                if match(button.label, label):
                    return button
        raise LookupError(f"no button {label!r} in {[b.label for b in self.buttons]}")


def view(emulator: TelegramEmulator, message: Json) -> ReceivedMessage:
    """A stored message as the user's client shows it."""
    markup = message.get("reply_markup") or {}
    buttons = tuple(
        Button(str(b.get("text", "")), b.get("callback_data"), b.get("url"))
        for row in markup.get("inline_keyboard", [])
        for b in row
    )
    file_id = (message.get("document") or {}).get("file_id") or (
        message["photo"][-1]["file_id"] if message.get("photo") else None
    )
    text = message.get("text") or message.get("caption") or ""
    if not text and message.get("venue"):
        text = "{title}\n{address}".format(**message["venue"])
    return ReceivedMessage(
        message_id=int(message["message_id"]),
        text=str(text),
        buttons=buttons,
        raw=message,
        file=emulator.files.get(file_id) if file_id else None,
    )


class UserClient:
    """One person's Telegram app, talking to the bot through the emulator."""

    def __init__(self, emulator: TelegramEmulator, user: Json) -> None:
        self.emulator = emulator
        self.user = user
        self._cursor = 0

    @classmethod
    def create(
        cls,
        emulator: TelegramEmulator,
        first_name: str,
        *,
        language_code: str = "id",
        last_name: str | None = None,
    ) -> UserClient:
        """A new user on the emulator."""
        return cls(
            emulator,
            emulator.add_user(first_name, last_name=last_name, language_code=language_code),
        )

    @property
    def id(self) -> int:
        return int(self.user["id"])

    @property
    def chat(self) -> Chat:
        return self.emulator.chats[self.id]

    # --- acting ---------------------------------------------------------------------------------

    def send(self, text: str) -> int:
        """Type and send `text` (a command if it starts with '/'); its message id."""
        return int(self.emulator.user_message(self.id, text=text)["message_id"])

    def send_sticker(self) -> None:
        """Send a sticker (what many send instead of typing)."""
        self.emulator.user_message(
            self.id,
            sticker={
                "file_id": "sticker-1",
                "file_unique_id": "s1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
        )

    def edit(self, message_id: int, text: str) -> None:
        """Edit a message this user sent earlier."""
        self.emulator.user_edit(self.id, message_id, text)

    def share_contact(self, phone_number: str) -> None:
        """Press a 'share my phone number' keyboard button."""
        self.emulator.user_message(
            self.id,
            contact={
                "phone_number": phone_number,
                "first_name": self.user["first_name"],
                "user_id": self.id,
            },
        )

    def press(
        self,
        label: str | None = None,
        *,
        data: str | None = None,
        message: ReceivedMessage | None = None,
    ) -> str:
        """Press an inline button, by label or by callback data; returns the query id.

        Without `message`, the newest message that has such a button is used.
        """
        candidates = [message] if message else list(reversed(self.messages))
        for candidate in candidates:
            if data is not None:
                return self.emulator.press(self.id, candidate.message_id, data)
            try:
                button = candidate.button(label or "")
            except LookupError:
                continue
            if button.data is not None:
                return self.emulator.press(self.id, candidate.message_id, button.data)
        raise LookupError(f"no message with a button {label!r}")

    def block_bot(self) -> None:
        self.emulator.set_blocked(self.id, True)

    # --- reading --------------------------------------------------------------------------------

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Every message from the bot still in the chat, oldest first, as it looks now."""
        bot_id = self.emulator.bot_user["id"]
        return [
            view(self.emulator, m)
            for _, m in sorted(self.chat.messages.items())
            if m["from"].get("id") == bot_id
        ]

    @property
    def keyboard(self) -> tuple[str, ...]:
        """Labels of the reply keyboard under the text field, if the bot shows one."""
        markup = self.chat.keyboard or {}
        return tuple(
            str(b.get("text", "")) if isinstance(b, dict) else str(b)
            for row in markup.get("keyboard", [])
            for b in row
        )

    def message(self, message_id: int) -> ReceivedMessage:
        return view(self.emulator, self.chat.messages[message_id])

    def _new(self, kinds: tuple[str, ...]) -> list[tuple[int, str, Json]]:
        return [a for a in self.chat.activity if a[0] > self._cursor and a[1] in kinds]

    async def _wait_change(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        self.chat.changed.clear()
        try:
            await asyncio.wait_for(self.chat.changed.wait(), remaining)
        except TimeoutError:
            return False
        return True

    async def next_message(self, timeout: float = WAIT) -> ReceivedMessage:
        """The next new message from the bot; fails if none comes within `timeout` seconds."""
        return (await self.next_messages(1, timeout))[0]

    async def next_messages(self, count: int, timeout: float = WAIT) -> list[ReceivedMessage]:
        """Exactly the next `count` new messages from the bot, oldest first (edits in between
        are passed over); fails, naming what did arrive, if fewer come within `timeout` s."""
        deadline = time.monotonic() + timeout
        received: list[ReceivedMessage] = []
        while len(received) < count:
            for seq, _, payload in self._new(("message",))[: count - len(received)]:
                self._cursor = seq
                # The payload is the stored message itself, so later edits show through.
                received.append(view(self.emulator, payload))
            if len(received) < count and not await self._wait_change(deadline):
                raise TimeoutError(
                    f"user {self.id}: {len(received)} of {count} messages from the bot in "
                    f"{timeout}s: {[m.text[:60] for m in received]}"
                )
        return received

    async def edited(self, message: ReceivedMessage, timeout: float = WAIT) -> ReceivedMessage:
        """`message` once the bot has edited it (its text or buttons differ from this view of
        it), as it looks then; fails if it is unchanged after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            stored = self.chat.messages.get(message.message_id)
            if stored is not None:
                now = view(self.emulator, stored)
                if (now.text, now.buttons) != (message.text, message.buttons):
                    return now
            if not await self._wait_change(deadline):
                raise TimeoutError(
                    f"user {self.id}: message {message.message_id} not edited in {timeout}s "
                    f"(still {message.text[:60]!r})"
                )

    async def answer(self, query_id: str, timeout: float = WAIT) -> Json:
        """The bot's answer to a button press (the little notice at the top of the chat)."""
        deadline = time.monotonic() + timeout
        while True:
            query = self.emulator.callback_queries[query_id]
            if query.answer is not None:
                return query.answer
            if not await self._wait_change(deadline):
                raise TimeoutError(f"user {self.id}: button press {query_id} not answered")
