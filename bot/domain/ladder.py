"""The ladder (issue 24): the channels a message may take to one person, in order, and the
next one when a rung fails. Telegram comes first for whoever has it: it is free, two-way, and
the person chose it. CHANNEL_LADDER orders the others (WhatsApp, then SMS, by default) and may
leave one out; Settings.phones is that order, of the channels the office has set up.

A rung is open to a person when the office sends on that channel and the person can be
reached there: a Telegram account that has not blocked the bot; a number on the record whose
family agreed to WhatsApp and that WhatsApp has not called a non-user; a number that has not
answered BERHENTI to SMS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.kinds import Channel


@dataclass(frozen=True)
class Reachable:
    """What one person can be reached by, channel by channel."""

    telegram: bool = False
    whatsapp: bool = False
    sms: bool = False

    def on(self, channel: Channel) -> bool:
        return {
            Channel.TELEGRAM: self.telegram,
            Channel.WHATSAPP: self.whatsapp,
            Channel.SMS: self.sms,
        }.get(channel, False)


def rungs(phones: Sequence[str], reachable: Reachable) -> list[Channel]:
    """The open rungs in order: Telegram, then the office's phone channels (`phones`)."""
    ladder = [Channel.TELEGRAM, *(Channel(name) for name in phones)]
    return [channel for channel in ladder if reachable.on(channel)]


def next_rung(phones: Sequence[str], reachable: Reachable, tried: Sequence[str]) -> Channel | None:
    """The first open rung not tried yet; None: the message reached no channel."""
    return next((c for c in rungs(phones, reachable) if c.value not in tried), None)


def tried_list(tried: str) -> list[str]:
    """An outbox row's `tried` ("telegram,whatsapp") as a list."""
    return [part for part in tried.split(",") if part]
