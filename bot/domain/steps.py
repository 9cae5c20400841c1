"""The steps of every multi-message conversation, and where each may go next, in one place.

A step is stored on the person's account (not in memory), so a restart loses nothing. What a
step expects decides how a typed message is routed: a TEXT step hands it to its step handler
(bot/handlers/conversation.py), and a BUTTON step points back at the buttons.

No lock or count lives here: guessing is counted in the event log (bot/services/lockout.py),
so no other command, old button or new conversation can reset it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Step(enum.StrEnum):
    # the by-name invitation, and the phone number offered after linking
    INVITE_DATE = "invite_date"
    PHONE = "phone"
    # /daftar
    NIK = "nik"
    BIRTH_DATE = "birth_date"
    NAME = "name"
    PREFERENCE = "preference"
    # the summons
    HOME_VISIT = "home_visit"
    DECLINE_REASON = "decline_reason"
    # parents linking a child
    PARENT_CODE_DATE = "parent_code_date"
    PARENT_NIK = "parent_nik"
    PARENT_NIK_DATE = "parent_nik_date"
    # staff
    STAFF_CODE = "staff_code"
    STAFF_DESK = "staff_desk"
    BROADCAST_TEXT = "broadcast_text"
    BROADCAST_CONFIRM = "broadcast_confirm"
    SESSION_MOVE = "session_move"
    SESSION_MOVE_CONFIRM = "session_move_confirm"
    SESSION_NEW = "session_new"
    SESSION_NEW_CONFIRM = "session_new_confirm"
    SESSION_CAPACITY = "session_capacity"
    HOME_VISIT_TIME = "home_visit_time"


class Expects(enum.StrEnum):
    TEXT = "text"
    BUTTON = "button"


@dataclass(frozen=True)
class Rule:
    expects: Expects
    then: frozenset[Step] = frozenset()  # where the step may go next, besides ending


def _rule(expects: Expects, *then: Step) -> Rule:
    return Rule(expects, frozenset(then))


FLOW: dict[Step, Rule] = {
    Step.INVITE_DATE: _rule(Expects.TEXT, Step.INVITE_DATE, Step.PHONE),
    Step.PHONE: _rule(Expects.TEXT),
    Step.NIK: _rule(Expects.TEXT, Step.BIRTH_DATE),
    Step.BIRTH_DATE: _rule(Expects.TEXT, Step.NAME, Step.NIK),
    Step.NAME: _rule(Expects.TEXT, Step.PREFERENCE),
    Step.PREFERENCE: _rule(Expects.BUTTON),
    Step.HOME_VISIT: _rule(Expects.TEXT),
    Step.DECLINE_REASON: _rule(Expects.TEXT),
    Step.PARENT_CODE_DATE: _rule(Expects.TEXT, Step.PARENT_CODE_DATE),
    Step.PARENT_NIK: _rule(Expects.TEXT, Step.PARENT_NIK_DATE),
    Step.PARENT_NIK_DATE: _rule(Expects.TEXT),
    Step.STAFF_CODE: _rule(Expects.TEXT, Step.STAFF_CODE),
    Step.STAFF_DESK: _rule(Expects.TEXT, Step.STAFF_DESK),
    Step.BROADCAST_TEXT: _rule(Expects.TEXT, Step.BROADCAST_CONFIRM),
    Step.BROADCAST_CONFIRM: _rule(Expects.BUTTON),
    Step.SESSION_MOVE: _rule(Expects.TEXT, Step.SESSION_MOVE_CONFIRM),
    Step.SESSION_MOVE_CONFIRM: _rule(Expects.BUTTON),
    Step.SESSION_NEW: _rule(Expects.TEXT, Step.SESSION_NEW_CONFIRM),
    Step.SESSION_NEW_CONFIRM: _rule(Expects.BUTTON),
    Step.SESSION_CAPACITY: _rule(Expects.TEXT),
    Step.HOME_VISIT_TIME: _rule(Expects.TEXT, Step.HOME_VISIT_TIME),
}
# Where a conversation may begin, whatever step the person was at: a command or a button
# always starts afresh.
ENTRIES = frozenset(
    {
        Step.INVITE_DATE,
        Step.PHONE,
        Step.NIK,
        Step.HOME_VISIT,
        Step.DECLINE_REASON,
        Step.PARENT_CODE_DATE,
        Step.PARENT_NIK,
        Step.STAFF_CODE,
        Step.STAFF_DESK,
        Step.BROADCAST_TEXT,
        Step.SESSION_MOVE,
        Step.SESSION_NEW,
        Step.SESSION_CAPACITY,
        Step.HOME_VISIT_TIME,  # a 🗓️ pressed on another request adds it to the round
    }
)


class StepError(ValueError):
    """A transition the table does not allow: a bug, not something a user can cause."""


def check_transition(current: Step | None, to: Step) -> None:
    """Raise StepError unless `to` may follow `current` (or begins a conversation)."""
    if to in ENTRIES or (current is not None and to in FLOW[current].then):
        return
    raise StepError(f"{current} -> {to}")


def parse_step(value: object) -> Step | None:
    """The stored step, or None for no step (or one a newer version no longer has)."""
    try:
        return Step(str(value)) if value is not None else None
    except ValueError:
        return None
