"""Telegram accounts: who has talked to the bot, in which language, in which role."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Target
from bot.domain.eligibility import seventeenth_birthday
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource, Role
from bot.domain.retention import NOTICE_VERSION
from bot.i18n import LANGUAGES
from bot.services import consents, contacts, events

_ACTORS = {Role.TEEN: Actor.TEEN, Role.PARENT: Actor.PARENT}


def actor_of(role: Role) -> Actor:
    """How the event log names someone acting in `role` (system before a role is chosen)."""
    return _ACTORS.get(role, Actor.SYSTEM)


_BY_TELEGRAM_ID = select(Account).where(Account.telegram_id == bindparam("telegram_id"))


async def find(session: AsyncSession, telegram_id: int) -> Account | None:
    """The account of a Telegram user, if they have started the bot."""
    result = await session.execute(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})
    return result.scalar_one_or_none()


async def reader(session: AsyncSession, telegram_id: int) -> tuple[str | None, bool]:
    """(language, marked unreachable): the one query an update makes when its reader's
    language is not in the process's memory. None: no account yet."""
    row = (
        await session.execute(
            select(Account.language, Account.unreachable_at).where(
                Account.telegram_id == telegram_id
            )
        )
    ).first()
    return (row[0], row[1] is not None) if row else (None, False)


async def reachable_again(session: AsyncSession, telegram_id: int) -> None:
    """Someone marked unreachable (they had blocked the bot) wrote to us: they unblocked it,
    so messages reach them again (an event says so)."""
    account = await find(session, telegram_id)
    if account is None or account.unreachable_at is None:
        return
    account.unreachable_at = None
    events.record(
        session,
        "reachable_again",
        actor=actor_of(account.role),
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=account.target_id,
    )


async def ensure(session: AsyncSession, telegram_id: int, language: str) -> Account:
    """The user's account, created on first contact."""
    account = await find(session, telegram_id)
    if account is None:
        account = Account(telegram_id=telegram_id, language=language, role=Role.NONE)
        session.add(account)
        await session.flush()
        events.record(
            session,
            "account_created",
            actor=Actor.SYSTEM,
            channel=Channel.TELEGRAM,
            account_id=account.id,
        )
    return account


async def choose_language(
    session: AsyncSession, telegram_id: int, language: str, default: str
) -> Account:
    """Set the reader's language (one of id, en, jv)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    account = await ensure(session, telegram_id, default)
    account.language = language
    account.language_chosen = True
    events.record(
        session,
        "language_chosen",
        actor=actor_of(account.role),
        channel=Channel.TELEGRAM,
        account_id=account.id,
        language=language,
    )
    return account


async def choose_role(session: AsyncSession, telegram_id: int, role: Role, default: str) -> Account:
    """Record whether the user is a teen or a parent / guardian. Choosing (again) starts
    afresh: any step the person was at ends, so what they type next is not read as its
    answer (a NIK, a date)."""
    account = await ensure(session, telegram_id, default)
    account.role = role
    account.conversation = None
    events.record(
        session,
        "role_chosen",
        actor=actor_of(role),
        channel=Channel.TELEGRAM,
        account_id=account.id,
        role=role.value,
    )
    return account


async def save_phone(
    session: AsyncSession, telegram_id: int, phone: str, *, now: datetime
) -> contacts.Saved | contacts.Refused | None:
    """A linked teen's phone number, shared with Telegram's contact button (never typed) under
    the privacy notice shown with the question: that press is their consent, recorded. It
    becomes her record's own number (bot/services/contacts.py), or is refused as no mobile's;
    None for anyone not linked to a record."""
    account = await find(session, telegram_id)
    if account is None or account.target_id is None:
        return None
    consents.record(session, account.id, notice_version=NOTICE_VERSION, target_id=account.target_id)
    account.conversation = None
    saved = await contacts.put(
        session,
        account.target_id,
        ContactOf.TEEN,
        phone,
        source=ContactSource.TELEGRAM,
        actor=actor_of(account.role),
        channel=Channel.TELEGRAM,
        now=now,
    )
    events.record(
        session,
        "phone_shared",
        actor=actor_of(account.role),
        channel=Channel.TELEGRAM,
        account_id=account.id,
        target_id=account.target_id,
        kept=isinstance(saved, contacts.Saved),
    )
    return saved


async def target_name(session: AsyncSession, target_id: int) -> str | None:
    """The name on a target's record, for a message about them."""
    target = await session.get(Target, target_id)
    return target.name if target else None


async def recorded_teen(session: AsyncSession, target_id: int) -> tuple[str, date] | None:
    """(name, the day they turn 17: printing and IKD from then) of a recorded teen."""
    target = await session.get(Target, target_id)
    if target is None or target.recorded_at is None:
        return None
    return target.name, seventeenth_birthday(target.birth_date)
