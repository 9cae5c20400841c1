"""Every kind of event the code records has words for the office (bot/presentation/history.py):
a clerk never reads a stored code such as `recorded_undone`."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.domain.kinds import Answer
from bot.presentation.history import EVENTS

BOT = Path(__file__).resolve().parents[1] / "bot"
# Recorded about no teen (the office's own doings, or guesses at a code): never in a history.
NOT_ABOUT_A_TEEN = {
    "broadcast",
    "data_key_replaced",
    "review_queue_viewed",
    "session_capacity",
    "session_created",
    "staff_action_refused",
    "staff_added",
    "staff_invite_made",
    "staff_invite_opened",
    "staff_invite_refused",
    "staff_removed",
    "unknown_number",  # an SMS or WhatsApp message from a number on no record
    "web_link_sent",
    "web_login",
}


def _recorded_kinds() -> set[str]:
    """The string literal each `events.record(session, KIND, ...)` / `family.record(...)` names,
    module constants followed."""
    kinds: set[str] = set()
    for path in BOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and len(node.args) >= 2):
                continue
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "record"):
                continue
            if not (isinstance(func.value, ast.Name) and func.value.id in ("events", "family")):
                continue
            kind = node.args[1]
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                kinds.add(kind.value)
            elif isinstance(kind, ast.Name) and kind.id in constants:
                kinds.add(constants[kind.id])
            elif isinstance(kind, ast.IfExp):
                kinds |= {
                    branch.value
                    for branch in (kind.body, kind.orelse)
                    if isinstance(branch, ast.Constant)
                }
    return kinds


def test_every_event_kind_about_a_teen_has_a_label() -> None:
    kinds = _recorded_kinds() | {f"summons_{answer.value}" for answer in Answer}
    kinds |= {"desk_recorded", "desk_unrecorded", "recorded_undone"}  # the desk's own notes
    assert len(kinds) > 30  # the scan found them
    missing = sorted(kinds - set(EVENTS) - NOT_ABOUT_A_TEEN)
    assert missing == [], missing
