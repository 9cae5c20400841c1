"""One outbox row sent on Telegram: paced as bulk by the bot's budget, and what each of
Telegram's answers means for the row (sent, try again, blocked, refused)."""

from __future__ import annotations

from typing import Any

from telegram import Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.db.models import OutboxMessage
from bot.delivery.attempts import MAX_ATTEMPTS, Result, backoff, retry_after_seconds
from bot.delivery.budget import Bulk, ClaimExpired, SendBudget
from bot.domain.kinds import OutboxState
from bot.presentation.outbox import Outgoing, Text

CLAIM_MARGIN = 2.0  # seconds of a claim kept unused: a send that starts later may be late


async def send_telegram(
    bot: ExtBot[Any],
    budget: SendBudget,
    clock: Clock,
    row: OutboxMessage,
    outgoing: Outgoing,
    retry_base: float,
) -> Result:
    """One send, paced as bulk by the bot's budget (which also adds allow_paid_broadcast
    in paid mode and pauses everyone on a 429), and not sent at all if the row's claim
    runs out while it waits for its turn (a long 429 pause): it is claimed afresh."""
    assert row.lease_until is not None
    left = (row.lease_until - clock.now()).total_seconds() - CLAIM_MARGIN
    bulk = Bulk(until=budget.pacer.clock() + left)
    try:
        sent: Message
        if isinstance(outgoing, Text):
            sent = await bot.send_message(
                row.chat_id, outgoing.text, reply_markup=outgoing.markup, rate_limit_args=bulk
            )
        else:
            sent = await bot.send_venue(
                row.chat_id,
                latitude=outgoing.latitude,
                longitude=outgoing.longitude,
                title=outgoing.title,
                address=outgoing.address,
                rate_limit_args=bulk,
            )
    except ClaimExpired:
        return Result(
            row.id,
            row.attempts,
            OutboxState.PENDING,
            "claim ran out before its turn",
            retry_in=0.0,
        )
    except RetryAfter as error:
        wait = retry_after_seconds(error)
        return Result(
            row.id,
            row.attempts,
            OutboxState.PENDING,
            f"429 retry after {wait:g}s",
            retry_in=wait,
        )
    except Forbidden as error:
        return Result(
            row.id,
            row.attempts,
            OutboxState.UNREACHABLE,
            str(error),
            account_id=row.account_id,
            unreachable=True,
            fall=row.contact_id is not None,  # her number on the record: the next rung
        )
    except BadRequest as error:
        return Result(row.id, row.attempts, OutboxState.FAILED, str(error))
    except (NetworkError, TelegramError) as error:  # timeouts, 5xx, connection resets
        if row.attempts >= MAX_ATTEMPTS:
            return Result(row.id, row.attempts, OutboxState.FAILED, f"gave up: {error}")
        return Result(
            row.id,
            row.attempts,
            OutboxState.PENDING,
            str(error),
            retry_in=backoff(row.attempts, retry_base).total_seconds(),
        )
    return Result(row.id, row.attempts, OutboxState.SENT, message_id=sent.message_id)
