"""Becoming staff without anyone knowing a Telegram id: an admin (`rekam staff invite`, or the
dashboard's Petugas page) makes a one-time link `t.me/<bot>?start=staf-<token>`; whoever opens
it is asked to wait, every admin is asked to confirm or refuse, and only a confirmation makes
them staff, under their Telegram name.

Only the token's hash is stored (a copy of the database invites nobody). A link is taken by
the first person who opens it before it expires: opened again by someone else, it is used; by
the same person, it is the same request (admins are not asked twice). Someone already staff
opening it takes nothing. The first admin's answer stands; a later press is told so."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Staff, StaffInvite
from bot.domain.kinds import Actor, Channel
from bot.domain.names import clean_name
from bot.services import events, staff

LIFETIME = timedelta(hours=24)
PREFIX = "staf-"  # the /start payload's start: "staf-<token>"
PAYLOAD = r"^/start staf-\S{0,80}$"  # any "staf-" payload: a forged one is told so


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={PREFIX}{token}"


async def create(
    session: AsyncSession,
    *,
    by: str,
    channel: Channel,
    now: datetime,
    lifetime: timedelta = LIFETIME,
) -> str:
    """A new invitation's token (shown once, to the admin who asked)."""
    token = secrets.token_urlsafe(24)
    session.add(
        StaffInvite(
            token_hash=_hash(token), created_by=by[:100], created_at=now, expires_at=now + lifetime
        )
    )
    events.record(session, "staff_invite_made", actor=Actor.STAFF, channel=channel, by=by)
    return token


class Opened(enum.StrEnum):
    ASKED = "asked"  # the admins were asked (again: the same person opened it again)
    USED = "used"  # someone else opened it first
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # no such link: mistyped or forged
    ALREADY_STAFF = "already_staff"
    REFUSED = "refused"  # the same person, refused before


@dataclass(frozen=True)
class Opening:
    outcome: Opened
    invite_id: int | None = None
    name: str = ""
    ask: tuple[int, ...] = ()  # the admins to ask now (none when they were asked before)
    fresh: bool = False  # this opening took the link (else: the same person, again)
    made_by: str = ""  # who made the link, as the admins asked should read it


async def _maker(session: AsyncSession, created_by: str | None) -> str:
    """Who made a link: a staff member's name (the dashboard or Telegram: "staff:<id>"), else
    their id, else the computer account that ran `rekam staff invite`."""
    by = created_by or ""
    number = by.removeprefix("staff:")
    if by.startswith("staff:") and number.isdigit():
        name = await session.scalar(select(Staff.name).where(Staff.telegram_id == int(number)))
        return name or number
    return by


async def open_invite(
    session: AsyncSession, token: str, *, telegram_id: int, name: str, now: datetime
) -> Opening:
    """Someone opened an invitation link: the admins to ask, or why nothing happens."""
    invite = await session.scalar(
        select(StaffInvite).where(StaffInvite.token_hash == _hash(token)).with_for_update()
    )
    if invite is None:
        return Opening(Opened.UNKNOWN)
    if await staff.member(session, telegram_id) is not None:
        return Opening(Opened.ALREADY_STAFF)
    if invite.opened_by is not None:
        # Someone else's, or one that already made this person staff (since removed): used.
        if invite.opened_by != telegram_id or invite.confirmed is True:
            return Opening(Opened.USED)
        outcome = Opened.REFUSED if invite.confirmed is False else Opened.ASKED
        return Opening(outcome, invite.id, invite.opened_name or "")
    if invite.expires_at <= now:
        return Opening(Opened.EXPIRED)
    invite.opened_by, invite.opened_at = telegram_id, now
    invite.opened_name = clean_name(name)[: staff.NAME_LIMIT] or None
    events.record(
        session,
        "staff_invite_opened",
        actor=Actor.SYSTEM,
        channel=Channel.TELEGRAM,
        telegram_id=telegram_id,
        invite_id=invite.id,
    )
    admins = tuple(await session.scalars(select(Staff.telegram_id).where(Staff.is_admin)))
    made_by = await _maker(session, invite.created_by)
    return Opening(
        Opened.ASKED, invite.id, invite.opened_name or "", admins, fresh=True, made_by=made_by
    )


@dataclass(frozen=True)
class Waiting:
    """Someone who opened a link and waits for an admin's answer, as the Petugas page lists
    them: an admin who missed the question in Telegram adds them by id there."""

    telegram_id: int
    name: str
    opened_at: datetime
    made_by: str


async def waiting(session: AsyncSession, *, now: datetime) -> list[Waiting]:
    """Opened, undecided requests of people not (yet) staff, from links still valid, one per
    person, oldest first. The name is the one their Telegram account gives, not checked."""
    rows = await session.execute(
        select(
            StaffInvite.opened_by,
            StaffInvite.opened_name,
            StaffInvite.opened_at,
            StaffInvite.created_by,
        )
        .outerjoin(Staff, Staff.telegram_id == StaffInvite.opened_by)
        .where(
            StaffInvite.opened_by.is_not(None),
            StaffInvite.confirmed.is_(None),
            StaffInvite.expires_at > now,
            Staff.id.is_(None),
        )
        .order_by(StaffInvite.opened_at)
    )
    found: dict[int, Waiting] = {}
    for telegram_id, name, opened_at, created_by in rows.all():
        if telegram_id is not None and opened_at is not None and telegram_id not in found:
            found[telegram_id] = Waiting(
                telegram_id, name or "", opened_at, await _maker(session, created_by)
            )
    return list(found.values())


class Decided(enum.StrEnum):
    CONFIRMED = "confirmed"
    REFUSED = "refused"
    ALREADY = "already"  # another admin answered first
    GONE = "gone"  # no such request


@dataclass(frozen=True)
class Decision:
    outcome: Decided
    telegram_id: int | None = None  # the person to tell
    name: str = ""
    confirmed: bool | None = None  # what was decided (ALREADY: the earlier answer)


async def decide(
    session: AsyncSession,
    invite_id: int,
    *,
    confirm: bool,
    admin_id: int | str,
    channel: Channel,
    now: datetime,
) -> Decision:
    """An admin's answer to an opened invitation: confirmed makes the person staff."""
    invite = await session.get(StaffInvite, invite_id, with_for_update=True)
    if invite is None or invite.opened_by is None:
        return Decision(Decided.GONE)
    name = invite.opened_name or ""
    if invite.confirmed is not None:
        return Decision(Decided.ALREADY, invite.opened_by, name, invite.confirmed)
    invite.confirmed, invite.decided_at = confirm, now
    invite.decided_by = admin_id if isinstance(admin_id, int) else None
    if confirm and await staff.member(session, invite.opened_by) is None:
        await staff.add(
            session,
            invite.opened_by,
            admin=False,
            by=admin_id,
            channel=channel,
            name=invite.opened_name,
        )
    else:
        events.record(
            session,
            "staff_invite_refused",
            actor=Actor.STAFF,
            channel=channel,
            telegram_id=invite.opened_by,
            by=admin_id,
        )
    outcome = Decided.CONFIRMED if confirm else Decided.REFUSED
    return Decision(outcome, invite.opened_by, name, confirm)
