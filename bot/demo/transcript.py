"""What the people of the demo receive, printed as it arrives, with the files saved to disk."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from bot.demo.phones import Phone, shown_lines
from bot.emulator import ReceivedMessage, UserClient
from bot.emulator.client import view
from bot.i18n import N_, Gettext

PERSONAS = {
    "teen": N_("remaja"),
    "parent": N_("orang tua"),
    "staff": N_("petugas"),
    "wa": N_("remaja, WhatsApp"),
    "sms": N_("orang tua, SMS"),
}


class Transcript:
    """Prints every message and edit the bot sends to any of the people, when it arrives.

    Whoever is being played reads theirs plainly; a message for someone else is labelled
    `[name, role]`. Numbers press the buttons of the newest message with buttons of the person
    being played, so each person's is kept. The `phones` people's WhatsApp messages and SMS
    print the same way, a WhatsApp message's reply buttons with their ids.
    """

    def __init__(
        self,
        people: dict[str, UserClient],
        out: TextIO,
        _: Gettext,
        files: Path,
        phones: Mapping[str, Phone] | None = None,
    ) -> None:
        self.people = people
        self.phones = dict(phones or {})
        self.persona = "teen"
        self.out = out
        self._ = _
        self.files = files
        self.prompt_shown: str | None = None  # the prompt on screen, if a line is being typed
        self.last_buttons: dict[str, ReceivedMessage | None] = dict.fromkeys(people)
        self._read_up_to = dict.fromkeys(people, 0)
        self._saved: dict[str, Path] = {}
        self._keyboards: dict[str, tuple[str, ...]] = dict.fromkeys(people, ())

    @property
    def prompt(self) -> str:
        return f"[{self._(PERSONAS[self.persona])}] > "

    def buttons(self) -> ReceivedMessage | None:
        """The newest message with buttons the person being played has."""
        return self.last_buttons.get(self.persona)

    async def watch(self) -> None:
        """Print each person's messages as they arrive, until cancelled."""
        async with asyncio.TaskGroup() as group:
            for persona in self.people:
                group.create_task(self._watch(persona))
            for persona in self.phones:
                group.create_task(self._watch(persona))

    async def _watch(self, persona: str) -> None:
        changed = (
            self.people[persona].chat.changed
            if persona in self.people
            else self.phones[persona].changed
        )
        while True:
            changed.clear()
            if self._new(persona) and self.prompt_shown is not None:
                # Arrived while a line is being typed: print below it, then show the prompt again.
                print(file=self.out)
                self.flush()
                print(self.prompt_shown, end="", file=self.out, flush=True)
            else:
                self.flush()
            await changed.wait()

    def _new(self, persona: str) -> bool:
        if persona in self.phones:
            return self.phones[persona].has_new()
        return any(
            seq > self._read_up_to[persona] for seq, *_ in self.people[persona].chat.activity
        )

    def flush(self) -> None:
        """Print whatever has arrived and is not printed yet."""
        for persona, person in self.people.items():
            for seq, kind, payload in person.chat.activity:
                if seq <= self._read_up_to[persona]:
                    continue
                self._read_up_to[persona] = seq
                if kind in ("message", "edit"):
                    # The payload is the stored message itself: an edit shows its newest text.
                    self._show(persona, kind, view(person.emulator, payload))
                    self._show_keyboard(persona)
                elif kind == "answer" and payload.get("text"):
                    # The notice at the top of the chat after a button press.
                    print(self._label(persona) + "🤖 💬 " + payload["text"], file=self.out)
        for persona, phone in self.phones.items():
            for arrived in phone.arrivals():
                first, *rest = shown_lines(arrived, self._)
                print(self._label(persona) + "🤖 " + first, file=self.out)
                for line in rest:
                    print("   " + line, file=self.out)
        self.out.flush()

    def _label(self, persona: str) -> str:
        if persona == self.persona:
            return ""
        name = (
            self.phones[persona].name
            if persona in self.phones
            else self.people[persona].user["first_name"]
        )
        return f"[{name}, {self._(PERSONAS[persona])}] "

    def _show(self, persona: str, kind: str, message: ReceivedMessage) -> None:
        mark = self._label(persona) + ("🤖 ✎ " if kind == "edit" else "🤖 ")
        lines = message.text.splitlines() or [""]
        print(mark + lines[0], *("   " + line for line in lines[1:]), sep="\n", file=self.out)
        if message.venue:
            location = message.venue["location"]
            print(f"   📍 {location['latitude']:.5f}, {location['longitude']:.5f}", file=self.out)
        if message.file:
            path = self._save(message.file.file_id, message.file.name, message.file.content)
            print(f"   📎 {path} ({len(message.file.content)} B)", file=self.out)
        for number, button in enumerate(message.buttons, start=1):
            print(f"   [{number}] {button.label}", file=self.out)
        newest = self.last_buttons[persona]
        if message.buttons:
            if newest is None or message.message_id >= newest.message_id:
                self.last_buttons[persona] = message
        elif newest is not None and newest.message_id == message.message_id:
            self.last_buttons[persona] = None  # an edit took the buttons away

    def _show_keyboard(self, persona: str) -> None:
        # The keyboard under the text field is the chat's, not a message's: shown when it changes.
        keyboard = self.people[persona].keyboard
        if keyboard != self._keyboards[persona]:
            self._keyboards[persona] = keyboard
            if keyboard:
                print("   ⌨ " + " | ".join(keyboard), file=self.out)

    def _save(self, file_id: str, name: str, content: bytes) -> Path:
        """The file on disk, under its own name (numbered when a different file had it)."""
        if file_id in self._saved:
            return self._saved[file_id]
        self.files.mkdir(parents=True, exist_ok=True)
        path, stem, suffix = self.files / name, Path(name).stem, Path(name).suffix
        for number in range(2, 10_000):
            if not path.exists():
                break
            path = self.files / f"{stem}-{number}{suffix}"
        path.write_bytes(content)
        self._saved[file_id] = path
        return path
