"""What the outbox can hold: each kind of message, and the group it is cancelled with.

A row stores both by their string value (`message_key` the kind, `kind` the group), so the
values below are what the database already holds: renaming one needs a migration. Adding a
kind is one member of `Kind` and one entry in `KINDS`; bot/presentation/outbox/ then needs
its renderer (a test checks that none is missing).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Group(enum.StrEnum):
    """Rows cancelled together: a decline or a move stops a summons' rows, not a broadcast."""

    SUMMONS = "summons"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    NOTICE = "notice"
    BROADCAST = "broadcast"
    OFFER = "offer"


class Kind(enum.StrEnum):
    """How a row is rendered when it is sent."""

    SUMMONS = "summons"
    VENUE = "venue"
    REMINDER = "reminder"
    SESSION_MOVED = "session_moved"
    ANSWERED = "answered"
    NO_SHOW = "no_show"
    SESSION_CANCELLED = "session_cancelled"
    UNANSWERED = "unanswered"
    BROADCAST = "broadcast"
    UNREACHABLE = "unreachable"
    LINK_APPROVED = "link_approved"
    LINK_DECLINED = "link_declined"
    PLACE_OFFER = "place_offer"
    CLAIM_APPROVED = "claim_approved"
    CLAIM_REJECTED = "claim_rejected"
    CLAIM_REOPENED = "claim_reopened"
    ACCOUNT_RELEASED = "account_released"
    GUARDIAN_LINKED = "guardian_linked"
    STAFF_ALERT = "staff_alert"
    RECORDED = "recorded"
    DESK_UNRECORDED = "desk_unrecorded"
    GUARDIAN_UNLINKED = "guardian_unlinked"
    PHONE_REPLY = "phone_reply"  # the answer to an SMS or a WhatsApp message, to that number


@dataclass(frozen=True)
class KindSpec:
    group: Group
    # Also sent to a phone number on the record (WhatsApp, SMS) when no Telegram account can
    # take it: the messages that matter to a teen without Telegram (issue 24's ladder).
    phone: bool = False


KINDS: dict[Kind, KindSpec] = {
    Kind.SUMMONS: KindSpec(Group.SUMMONS, phone=True),
    Kind.VENUE: KindSpec(Group.SUMMONS),
    Kind.REMINDER: KindSpec(Group.REMINDER, phone=True),
    Kind.SESSION_MOVED: KindSpec(Group.SUMMONS, phone=True),
    Kind.ANSWERED: KindSpec(Group.SUMMONS, phone=True),
    # Missed sessions and freed places both offer new sessions; nothing cancels them by group.
    Kind.NO_SHOW: KindSpec(Group.OFFER),
    Kind.SESSION_CANCELLED: KindSpec(Group.SUMMONS, phone=True),
    Kind.UNANSWERED: KindSpec(Group.ESCALATION),
    Kind.BROADCAST: KindSpec(Group.BROADCAST, phone=True),
    Kind.UNREACHABLE: KindSpec(Group.NOTICE),
    Kind.LINK_APPROVED: KindSpec(Group.NOTICE),
    Kind.LINK_DECLINED: KindSpec(Group.NOTICE),
    Kind.PLACE_OFFER: KindSpec(Group.OFFER),
    Kind.CLAIM_APPROVED: KindSpec(Group.NOTICE),
    Kind.CLAIM_REJECTED: KindSpec(Group.NOTICE),
    Kind.CLAIM_REOPENED: KindSpec(Group.NOTICE),
    Kind.ACCOUNT_RELEASED: KindSpec(Group.NOTICE),
    Kind.GUARDIAN_LINKED: KindSpec(Group.NOTICE),
    Kind.STAFF_ALERT: KindSpec(Group.NOTICE),
    Kind.RECORDED: KindSpec(Group.NOTICE, phone=True),
    # Came to the desk, not recorded: the sessions ahead, offered like after a missed one.
    Kind.DESK_UNRECORDED: KindSpec(Group.OFFER),
    # To a parent: the teen erased their data (/hapus), so the link to them is gone.
    Kind.GUARDIAN_UNLINKED: KindSpec(Group.NOTICE),
    Kind.PHONE_REPLY: KindSpec(Group.NOTICE, phone=True),
}

# The groups that belong to one summons at one session: a decline, a move, a moved or a
# cancelled session cancels them all at once.
SUMMONS_GROUPS: tuple[Group, ...] = (Group.SUMMONS, Group.REMINDER, Group.ESCALATION)
