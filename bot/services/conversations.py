"""Where a person is in a multi-message conversation: read once per typed message, changed
only along bot.domain.steps.FLOW.

A code the conversation waits on (an invitation's or a child's, until the birth date comes)
is kept sealed, as the target's own codes are (bot/db/codes.py): a copy of the database holds
no code in clear. A NIK typed into /daftar is kept as its keyed hash and sealed copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account
from bot.db.vault import vault_of
from bot.domain.kinds import Role
from bot.domain.steps import Step, check_transition, parse_step
from bot.services import accounts


@dataclass(frozen=True)
class Conversation:
    """A person's account as a step handler needs it, read once when their message arrived."""

    account_id: int
    telegram_id: int
    language: str
    role: Role
    target_id: int | None
    step: Step | None
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


_CODE, _SEALED_CODE = "code", "code_sealed"


def _of_account(session: AsyncSession, account: Account) -> Conversation:
    stored = dict(account.conversation or {})
    if _SEALED_CODE in stored:
        stored[_CODE] = vault_of(session).open_code(str(stored.pop(_SEALED_CODE)))
    return Conversation(
        account_id=account.id,
        telegram_id=account.telegram_id,
        language=account.language,
        role=account.role,
        target_id=account.target_id,
        step=parse_step(stored.pop("step", None)),
        data=MappingProxyType(stored),
    )


async def current(session: AsyncSession, telegram_id: int) -> Conversation | None:
    """The person's conversation, or None before their first /start."""
    account = await accounts.find(session, telegram_id)
    return _of_account(session, account) if account is not None else None


async def go(
    session: AsyncSession, account_id: int, to: Step, *, after: Step | None = None, **data: Any
) -> None:
    """Wait for `to` next, with what the conversation has collected so far. `after` is the
    step the caller saw; the move must be one bot.domain.steps.FLOW allows from it."""
    check_transition(after, to)
    if _CODE in data:
        data[_SEALED_CODE] = vault_of(session).seal_code(str(data.pop(_CODE)))
    await _store(session, account_id, {"step": to.value, **data})


async def end(session: AsyncSession, account_id: int) -> None:
    """Nothing is awaited any more, and nothing collected is kept (a NIK typed into an
    abandoned /daftar included)."""
    await _store(session, account_id, None)


async def leave(session: AsyncSession, telegram_id: int) -> Step | None:
    """Whatever step the person is at ends (a command, /batal or the role menu said so); the
    step left, or None when nothing was awaited. Old buttons of that step find it gone."""
    account = await accounts.find(session, telegram_id)
    if account is None or account.conversation is None:
        return None
    left = parse_step(account.conversation.get("step"))
    await end(session, account.id)
    return left


async def _store(session: AsyncSession, account_id: int, value: dict[str, Any] | None) -> None:
    # One UPDATE; an Account already loaded in this unit of work is updated in place too.
    await session.execute(
        update(Account).where(Account.id == account_id).values(conversation=value)
    )


async def ensure(session: AsyncSession, telegram_id: int, language: str) -> Conversation:
    """The person's conversation, their account created on first contact."""
    return _of_account(session, await accounts.ensure(session, telegram_id, language))
